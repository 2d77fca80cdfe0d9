import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/app-config';
import { createRootLogger, maskUrl, REDACTED_PATHS } from './logging.module';

describe('maskUrl', () => {
  it.each([
    ['/api/v1/people?email=grace.mensah%40nhs.example', '/api/v1/people?email=[REDACTED]'],
    ['/api/v1/people?systemId=abc&email=grace@nhs.example', '/api/v1/people?systemId=abc&email=[REDACTED]'],
    ['/api/v1/notifications?recipient=owen%40council.example&kind=consent_request', '/api/v1/notifications?recipient=[REDACTED]&kind=consent_request'],
    ['/api/v1/nominations/consent?token=eyJhbGciOiJIUzI1NiJ9.secret', '/api/v1/nominations/consent?token=[REDACTED]'],
    ['/api/v1/people?EMAIL=grace@nhs.example', '/api/v1/people?EMAIL=[REDACTED]'],
    ['/api/v1/people?email=a%40x.example&token=t0k&recipient=b%40y.example', '/api/v1/people?email=[REDACTED]&token=[REDACTED]&recipient=[REDACTED]'],
  ])('masks the personal or secret values in %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });

  it('leaves other query parameters and paths alone', () => {
    expect(maskUrl('/api/v1/cohorts?programmeId=42&status=open&limit=20')).toBe('/api/v1/cohorts?programmeId=42&status=open&limit=20');
    expect(maskUrl('/health/ready')).toBe('/health/ready');
  });

  it('does not mask a parameter that merely starts like a sensitive one', () => {
    expect(maskUrl('/api/v1/reports?tokenCount=3&emailed=true')).toBe('/api/v1/reports?tokenCount=3&emailed=true');
  });

  it('masks values by shape whatever the parameter is called, and token-shaped path segments', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig';
    expect(maskUrl(`/api/v1/things?ref=${jwt}&who=a%40b.example&k=Zm9vYmFyYmF6cXV1eDEyMzQ1Njc4OQ&limit=5`)).toBe('/api/v1/things?ref=[REDACTED]&who=[REDACTED]&k=[REDACTED]&limit=5');
    expect(maskUrl('/api/v1/things/Zm9vYmFyYmF6cXV1eDEyMzQ1Njc4OQ/x')).toBe('/api/v1/things/[REDACTED]/x');
    expect(maskUrl('/api/v1/cohorts/0b7a4c1e-8a53-4a55-9a3b-2f1f0f5f6a77/enrolments')).toBe('/api/v1/cohorts/0b7a4c1e-8a53-4a55-9a3b-2f1f0f5f6a77/enrolments');
  });

  it.each(['access_token', 'refresh_token', 'password', 'jwt', 'apiKey', 'api_key', 'token', 'client_secret', 'code'])('masks ?%s= whatever its value', (key) => {
    expect(maskUrl(`/x?${key}=short&limit=5`)).toBe(`/x?${key}=[REDACTED]&limit=5`);
  });

  it('passes undefined through', () => {
    expect(maskUrl(undefined)).toBeUndefined();
  });
});

describe('REDACTED_PATHS in a pino logger', () => {
  let lines: string[];
  let logger: pino.Logger;

  beforeEach(() => {
    lines = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    logger = pino({ level: 'info', redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } }, stream);
  });

  function logged(object: object, message = 'event'): { raw: string; entry: Record<string, unknown> } {
    logger.info(object, message);
    expect(lines).toHaveLength(1);
    const raw = lines[0]!;
    return { raw, entry: JSON.parse(raw) as Record<string, unknown> };
  }

  it('redacts the authorization and cookie headers of a request and set-cookie of a response', () => {
    const { raw, entry } = logged({
      req: { method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', cookie: 'session=abc123', accept: 'application/json' } },
      res: { statusCode: 200, headers: { 'set-cookie': 'session=def456; HttpOnly' } },
    });

    expect(entry.req).toEqual({ method: 'GET', url: '/api/v1/me', headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'application/json' } });
    expect(entry.res).toEqual({ statusCode: 200, headers: { 'set-cookie': '[REDACTED]' } });
    expect(raw).not.toMatch(/eyJhbGciOiJIUzI1NiJ9|abc123|def456/);
  });

  it('redacts passwords, tokens, emails and names at the top level', () => {
    const { raw, entry } = logged({
      password: 'correct horse battery staple',
      newPassword: 'another long password',
      token: 'consent-token-1',
      accessToken: 'access-token-1',
      refreshToken: 'refresh-token-1',
      email: 'grace.mensah@nhs.example',
      lineManagerEmail: 'manager@nhs.example',
      givenName: 'Grace',
      familyName: 'Mensah',
      cohortId: 'cohort-7',
    });

    for (const key of ['password', 'newPassword', 'token', 'accessToken', 'refreshToken', 'email', 'lineManagerEmail', 'givenName', 'familyName']) expect(entry[key]).toBe('[REDACTED]');
    expect(entry.cohortId).toBe('cohort-7');
    expect(raw).not.toMatch(/correct horse|another long|consent-token-1|access-token-1|refresh-token-1|grace\.mensah|manager@|Grace|Mensah/);
  });

  it('redacts them one level down (a logged request body)', () => {
    const { raw, entry } = logged({ body: { email: 'grace@nhs.example', password: 'correct horse battery staple', programmeId: 'p-1' } });

    expect(entry.body).toEqual({ email: '[REDACTED]', password: '[REDACTED]', programmeId: 'p-1' });
    expect(raw).not.toMatch(/grace@|correct horse/);
  });

  it('redacts them two levels down (a nominee inside a logged payload)', () => {
    const { raw, entry } = logged({ payload: { nominee: { email: 'owen.price@council.example', givenName: 'Owen', organisationId: 'org-1' } } });

    expect(entry.payload).toEqual({ nominee: { email: '[REDACTED]', givenName: '[REDACTED]', organisationId: 'org-1' } });
    expect(raw).not.toMatch(/owen\.price|Owen/);
  });

  it('redacts them inside a logged list of people', () => {
    const { raw } = logged({ recipients: [{ email: 'a.person@nhs.example' }, { email: 'b.person@nhs.example' }] });

    expect(raw).not.toMatch(/a\.person@|b\.person@/);
  });

  it('keeps the message and the fields that are not personal', () => {
    const { entry } = logged({ requestId: 'req-1', status: 'enrolled' }, 'Enrolled in cohort');

    expect(entry).toMatchObject({ msg: 'Enrolled in cohort', requestId: 'req-1', status: 'enrolled', level: 30 });
  });
});

describe('the root logger (createRootLogger)', () => {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' });
  let lines: string[];
  let logger: pino.Logger;

  beforeEach(() => {
    lines = [];
    logger = createRootLogger(
      config,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString());
          callback();
        },
      }),
    );
  });

  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz';
  const token = 'Qm9vdHN0cmFwcGVkLXJhbmRvbS10b2tlbi0xMjM0NQ';

  it('masks sensitive keys at any depth, whatever they are called exactly', () => {
    logger.info({ deep: { deeper: { evenDeeper: { access_token: 'a1', clientSecret: 'b2', 'x-api-key': 'c3', ownerEmail: 'd4', tokenCount: 3 } } } }, 'event');
    const entry = JSON.parse(lines[0]!) as { deep: { deeper: { evenDeeper: Record<string, unknown> } } };

    expect(entry.deep.deeper.evenDeeper).toEqual({ access_token: '[REDACTED]', clientSecret: '[REDACTED]', 'x-api-key': '[REDACTED]', ownerEmail: '[REDACTED]', tokenCount: 3 });
  });

  it('masks values shaped like JWTs, emails and random tokens under innocent keys, in messages and in errors', () => {
    const error = new Error('duplicate key value (email)=(grace@nhs.example) already exists');
    logger.error({ note: `sent to owen.price@council.example with ${jwt}`, reference: token, err: error }, `retrying for grace@nhs.example with ${jwt}`);
    const raw = lines[0]!;

    expect(raw).not.toMatch(/grace@|owen\.price|eyJhbGciOiJIUzI1NiJ9|Qm9vdHN0cmFwcGVk/);
    const entry = JSON.parse(raw) as Record<string, unknown> & { err: { message: string; type: string } };
    expect(entry.note).toBe('sent to [REDACTED] with [REDACTED]');
    expect(entry.reference).toBe('[REDACTED]');
    expect(entry.msg).toBe('retrying for [REDACTED] with [REDACTED]');
    expect(entry.err).toMatchObject({ type: 'Error', message: 'duplicate key value (email)=([REDACTED]) already exists' });
  });

  it('keeps ids, counts, class names and ordinary words, and does not change the logged object', () => {
    const logged = { notificationId: '0b7a4c1e-8a53-4a55-9a3b-2f1f0f5f6a77', kind: 'consent_request_reminder_day', errorType: 'UniqueConstraintViolationException', attempts: 3, reference: token };
    logger.info(logged, 'Sent');

    expect(JSON.parse(lines[0]!)).toMatchObject({ notificationId: '0b7a4c1e-8a53-4a55-9a3b-2f1f0f5f6a77', kind: 'consent_request_reminder_day', errorType: 'UniqueConstraintViolationException', attempts: 3, msg: 'Sent' });
    expect(logged.reference).toBe(token);
  });
});
