import { MikroORM } from '@mikro-orm/postgresql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { AppConfig, loadConfig } from '@slp/platform';
import { ApiAppOptions, createApiApp } from '../../apps/api/src/api.app';
import { createTestDatabase } from './test-database';

export interface TestApi {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly server: Server;
  readonly orm: MikroORM;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Test configuration: its own database and Redis key prefix, plus any overrides. */
export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`, ...overrides });
}

/** The real API (Fastify, PostgreSQL, Redis) on its own database, for one test file. */
export async function startTestApi(overrides: Record<string, string> = {}, existingDatabaseUrl?: string, appOptions: ApiAppOptions = {}): Promise<TestApi> {
  const database = existingDatabaseUrl ? undefined : await createTestDatabase();
  const config = testConfig(existingDatabaseUrl ?? database!.url, overrides);
  const app = await createApiApp(config, appOptions);
  const server = app.getHttpServer() as Server;
  return {
    app,
    config,
    server,
    orm: app.get(MikroORM),
    http: () => request(server),
    close: async () => {
      await app.close();
      await database?.drop();
    },
  };
}
