import pino from 'pino';
import { Writable } from 'node:stream';
import { maskUrl, REDACTED_PATHS } from './logging.module';

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
