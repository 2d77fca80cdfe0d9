import { randomBytes } from 'node:crypto';
import { accessTokenFor, account, forkEm } from './support/factories';
import { LogCapture } from './support/log-capture';
import { startTestApi, TestApi } from './support/test-api';

describe('request logging (e2e, the log stream of a real API)', () => {
  let api: TestApi;
  let log: LogCapture;
  let participant: string;

  beforeAll(async () => {
    log = new LogCapture();
    api = await startTestApi({ LOG_LEVEL: 'debug' }, undefined, { logDestination: log });
    participant = accessTokenFor(api, await account(forkEm(api)));
  });

  afterAll(async () => {
    await api.close();
  });

  describe('secrets and personal data in URLs', () => {
    it('logs no query-string secret, by name or by shape, and keeps the harmless parameters', async () => {
      const refreshToken = randomBytes(32).toString('base64url');
      const hexToken = randomBytes(20).toString('hex');
      // Shape rules want letters and digits mixed, as a random token has (and a class name has not).
      const randomKey = `k9${randomBytes(24).toString('base64url')}`;
      const secrets = [participant, refreshToken, 'hunter2-my-password', 'sk_live_51abcdef', hexToken, randomKey, 'grace.mensah@nhs.example', 'grace.mensah%40nhs.example'];
      const query = [
        `access_token=${participant}`,
        `refresh_token=${refreshToken}`,
        'password=hunter2-my-password',
        `jwt=${participant}`,
        'apiKey=sk_live_51abcdef',
        `token=${hexToken}`,
        `contact=${encodeURIComponent('grace.mensah@nhs.example')}`,
        `x=${randomKey}`,
        `reference=${participant}`,
        'limit=20',
        'status=open',
      ].join('&');

      const response = await api.http().get(`/api/v1/cohorts?${query}`).set('Authorization', `Bearer ${participant}`);
      const line = await log.requestLine(String(response.headers['x-request-id']));

      for (const secret of secrets) expect(log.text).not.toContain(secret);
      expect(line.req!.url).toBe(
        '/api/v1/cohorts?access_token=[REDACTED]&refresh_token=[REDACTED]&password=[REDACTED]&jwt=[REDACTED]&apiKey=[REDACTED]&token=[REDACTED]&contact=[REDACTED]&x=[REDACTED]&reference=[REDACTED]&limit=20&status=open',
      );
    });

    it('masks the queue dashboard handover token and token-shaped path segments, outside /api/v1 too', async () => {
      const pathToken = randomBytes(32).toString('base64url');
      const handover = await api.http().get(`/admin/queues?token=${participant}`);
      const unknown = await api.http().get(`/unsubscribe/${pathToken}/grace@nhs.example`);

      expect((await log.requestLine(String(handover.headers['x-request-id']))).req!.url).toBe('/admin/queues?token=[REDACTED]');
      expect((await log.requestLine(String(unknown.headers['x-request-id']))).req!.url).toBe('/unsubscribe/[REDACTED]/[REDACTED]');
      expect(log.text).not.toContain(participant);
      expect(log.text).not.toContain(pathToken);
    });

    it('logs no request header: the bearer token and cookies stay out', async () => {
      const response = await api.http().get('/api/v1/me').set('Authorization', `Bearer ${participant}`).set('Cookie', 'slp_queue_dashboard=cookie-value-123');
      const line = await log.requestLine(String(response.headers['x-request-id']));

      expect(line.req).toEqual({ id: response.headers['x-request-id'], method: 'GET', url: '/api/v1/me' });
      expect(log.text).not.toContain('cookie-value-123');
    });
  });

  describe('every request', () => {
    it.each([
      ['an API route', '/api/v1/programmes', 'info'],
      ['the queue dashboard', '/admin/queues', 'info'],
      ['the OpenAPI UI', '/api/docs', 'info'],
      ['the OpenAPI document', '/api/docs-json', 'info'],
      ['an unknown path', '/no/such/thing', 'info'],
      ['a health probe (at debug, so probes do not drown the log)', '/health/live', 'debug'],
    ])('tags and logs %s', async (_what, path, level) => {
      const response = await api.http().get(path);
      const requestId = String(response.headers['x-request-id']);

      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const line = await log.requestLine(requestId);
      expect(line).toMatchObject({ level: level === 'debug' ? 20 : 30, req: { id: requestId, method: 'GET', url: path }, res: { statusCode: response.status } });
      expect(typeof line.responseTime).toBe('number');
    });

    it('keeps a well-formed incoming x-request-id and replaces a malformed one', async () => {
      const kept = await api.http().get('/admin/queues').set('x-request-id', 'trace-0123456789abcdef');
      const replaced = await api.http().get('/no/such/thing').set('x-request-id', 'not a good id; <script>');
      const tooLong = await api.http().get('/api/docs').set('x-request-id', 'a'.repeat(200));

      expect(kept.headers['x-request-id']).toBe('trace-0123456789abcdef');
      await log.requestLine('trace-0123456789abcdef');
      for (const response of [replaced, tooLong]) {
        expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        await log.requestLine(String(response.headers['x-request-id']));
      }
      expect(log.text).not.toContain('<script>');
    });
  });
});
