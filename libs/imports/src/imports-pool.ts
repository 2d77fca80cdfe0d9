import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@slp/platform';

export const IMPORTS_POOL = Symbol('IMPORTS_POOL');

const logger = new Logger('Imports');

/**
 * Connections for imports, on the primary: COPY into staging and the long merge transaction need a
 * connection of their own (pg-copy-streams speaks on the raw connection), and progress is written
 * on another while that transaction is open.
 */
export const importsPoolProvider: Provider = {
  provide: IMPORTS_POOL,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const pool = new Pool({ connectionString: config.database.url, max: 4 });
    // A connection PostgreSQL drops fails its import (rolled back, marked failed); it must not crash
    // the worker. pg-pool only listens on idle clients, so listen on each one from the start, as the
    // email sender's pool does.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', (error) => logger.warn(`Import connection lost: ${error.message}`)));
    return pool;
  },
};

@Injectable()
export class ImportsPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(IMPORTS_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
