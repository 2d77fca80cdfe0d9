import { loadConfig } from '@slp/platform';
import { account, AccountFixture, forkEm } from './support/factories';
import { expectProblem, eventuallyPasses } from './support/assertions';
import { LogCapture } from './support/log-capture';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApi, TestApi } from './support/test-api';
import { createTestDatabase } from './support/test-database';

const REDIS_URL = loadConfig({ NODE_ENV: 'test' }).redis.url;

/** Sign-out while Redis (the fast path of the revocation check) is down or hanging. */
describe('session revocation without Redis (e2e)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let redisProxy: TcpProxy;
  let api: TestApi;
  let participant: AccountFixture;
  let log: LogCapture;

  beforeAll(async () => {
    database = await createTestDatabase();
    redisProxy = await TcpProxy.forUrl(REDIS_URL);
    log = new LogCapture();
    api = await startTestApi({ REDIS_URL: redisProxy.urlFor(REDIS_URL), LOGIN_MAX_ATTEMPTS_PER_IP: '1000', LOG_LEVEL: 'info' }, database.url, { logDestination: log });
    participant = await account(forkEm(api));
    await eventuallyPasses(async () => {
      expect((await api.http().get('/health/ready')).status).toBe(200);
    });
  });

  afterAll(async () => {
    await api?.close();
    await redisProxy?.close();
    await database?.drop();
  });

  async function startSession(): Promise<{ accessToken: string; refreshToken: string }> {
    return (await api.http().post('/api/v1/auth/login').send({ email: participant.email, password: participant.password }).expect(200)).body as { accessToken: string; refreshToken: string };
  }

  const me = (accessToken: string) => api.http().get('/api/v1/me').set('Authorization', `Bearer ${accessToken}`);
  const logout = (refreshToken: string) => api.http().post('/api/v1/auth/logout').send({ refreshToken });

  it('fails closed from the database while Redis is down: a signed-out token is refused, a live one still works, and sign-out says to retry', async () => {
    const leaving = await startSession();
    const staying = await startSession();
    await redisProxy.close();
    try {
      const response = await logout(leaving.refreshToken);
      expectProblem(response, 503);
      expect(response.body.detail).toMatch(/sign out again/i);
      // The warning is logged against the request it happened in.
      const warning = log.lines.find((line) => line.msg === 'Could not mark a revoked session in Redis');
      expect(warning).toMatchObject({ level: 40, reqId: response.headers['x-request-id'] });

      expectProblem(await me(leaving.accessToken), 401);
      await me(staying.accessToken).expect(200);
    } finally {
      redisProxy = await TcpProxy.forUrl(REDIS_URL, redisProxy.port);
    }

    // Once Redis is back, signing out again tells it too, and the token stays refused.
    await eventuallyPasses(async () => {
      await logout(leaving.refreshToken).expect(204);
    });
    expectProblem(await me(leaving.accessToken), 401);
    await me(staying.accessToken).expect(200);
  });

  it('does not hang when Redis hangs: the check falls back to the database within a moment', async () => {
    const leaving = await startSession();
    const staying = await startSession();
    await logout(leaving.refreshToken).expect(204);
    redisProxy.stall();
    try {
      const started = Date.now();
      expectProblem(await me(leaving.accessToken), 401);
      await me(staying.accessToken).expect(200);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await redisProxy.close();
      redisProxy = await TcpProxy.forUrl(REDIS_URL, redisProxy.port);
    }
    await eventuallyPasses(async () => {
      expect((await api.http().get('/health/ready')).status).toBe(200);
    });
  });
});
