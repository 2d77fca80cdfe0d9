import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@slp/platform';

export const REPORTS_POOL = Symbol('REPORTS_POOL');

/** Connections for streaming exports with a cursor: a read replica when configured, else the primary. */
export const reportsPoolProvider: Provider = {
  provide: REPORTS_POOL,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const pool = new Pool({ connectionString: config.database.replicaUrls[0] ?? config.database.url, max: 4 });
    pool.on('error', () => undefined);
    return pool;
  },
};

@Injectable()
export class ReportsPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REPORTS_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
