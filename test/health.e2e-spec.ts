import { loadConfig } from '@slp/platform';
import { eventuallyPasses } from './support/assertions';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApi, TestApi } from './support/test-api';
import { createTestDatabase } from './support/test-database';

const REDIS_URL = loadConfig({ NODE_ENV: 'test' }).redis.url;

describe('health (e2e)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let postgresProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    postgresProxy = await TcpProxy.forUrl(database.url);
    redisProxy = await TcpProxy.forUrl(REDIS_URL);
    api = await startTestApi({ DATABASE_URL: postgresProxy.urlFor(database.url), REDIS_URL: redisProxy.urlFor(REDIS_URL) }, database.url);
  });

  afterAll(async () => {
    await api?.close();
    await postgresProxy?.close();
    await redisProxy?.close();
    await database?.drop();
  });

  /** Puts a proxy back on the port the API was configured with, as a restarted service would be. */
  async function restore(proxy: TcpProxy, upstreamUrl: string): Promise<TcpProxy> {
    return TcpProxy.forUrl(upstreamUrl, proxy.port);
  }

  it('answers /health/live with 200 {status: ok} without signing in', async () => {
    const response = await api.http().get('/health/live').expect(200);

    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /health/ready with 200 when PostgreSQL and Redis answer', async () => {
    // Redis connects in the background as the API starts; allow it a moment.
    await eventuallyPasses(async () => {
      const response = await api.http().get('/health/ready');
      expect(response.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
      expect(response.status).toBe(200);
    }, 3_000);
  });

  it('answers /health/ready with 503 while Redis is unreachable, and 200 once it is back', async () => {
    await redisProxy.close();
    try {
      await eventuallyPasses(async () => {
        const response = await api.http().get('/health/ready');
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'up', redis: 'down' } });
      });
      await api.http().get('/health/live').expect(200, { status: 'ok' });
    } finally {
      redisProxy = await restore(redisProxy, REDIS_URL);
    }

    await eventuallyPasses(async () => {
      const response = await api.http().get('/health/ready');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
    });
  });

  it('answers /health/ready with 503 while PostgreSQL is unreachable, and 200 once it is back', async () => {
    await postgresProxy.close();
    try {
      await eventuallyPasses(async () => {
        const response = await api.http().get('/health/ready');
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'down', redis: 'up' } });
      });
      await api.http().get('/health/live').expect(200, { status: 'ok' });
    } finally {
      postgresProxy = await restore(postgresProxy, database.url);
    }

    await eventuallyPasses(async () => {
      const response = await api.http().get('/health/ready');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
    });
  });

  it('answers /health/ready within its check timeout when both dependencies hang', async () => {
    postgresProxy.stall();
    redisProxy.stall();
    try {
      const started = Date.now();
      const response = await api.http().get('/health/ready');
      const elapsed = Date.now() - started;

      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'down', redis: 'down' } });
      expect(elapsed).toBeLessThan(3_000);
      await api.http().get('/health/live').expect(200, { status: 'ok' });
    } finally {
      await postgresProxy.close();
      await redisProxy.close();
      postgresProxy = await restore(postgresProxy, database.url);
      redisProxy = await restore(redisProxy, REDIS_URL);
    }

    await eventuallyPasses(async () => {
      const response = await api.http().get('/health/ready');
      expect(response.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
    });
  });
});
