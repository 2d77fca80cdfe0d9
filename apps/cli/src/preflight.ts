import { Client } from 'pg';
import { Redis } from 'ioredis';
import { AppConfig, describeUrl } from '@slp/platform';

export interface PreflightProblem {
  readonly service: 'PostgreSQL' | 'Redis';
  readonly message: string;
}

/**
 * Checks PostgreSQL and Redis answer before anything else runs, and says in plain words what to do
 * when one does not: which service, at what address, and how to start it.
 */
export async function preflight(config: AppConfig): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const pgUrl = new URL(config.database.url);
  // Connect to the maintenance database: the platform's own may not exist yet (db:migrate creates it).
  pgUrl.pathname = '/postgres';
  const client = new Client({ connectionString: pgUrl.toString(), connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    problems.push({
      service: 'PostgreSQL',
      message:
        `PostgreSQL is not reachable at ${describeUrl(config.database.url)} (${reason(error)}).\n` +
        `    Start it with \`docker compose up -d postgres\`, or your own server ` +
        `(on Debian: \`pg_ctlcluster <version> main start\`), or point DATABASE_URL at one.`,
    });
  } finally {
    await client.end().catch(() => undefined);
  }

  const redis = new Redis(config.redis.url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push({
      service: 'Redis',
      message:
        `Redis is not reachable at ${describeUrl(config.redis.url)} (${reason(error)}).\n` +
        `    Start it with \`docker compose up -d redis\`, or \`redis-server --daemonize yes\`, or point REDIS_URL at one.`,
    });
  } finally {
    redis.disconnect();
  }
  return problems;
}

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message || 'no answer';
}
