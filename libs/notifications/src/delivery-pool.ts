import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@slp/platform';

export const DELIVERY_POOL = Symbol('DELIVERY_POOL');

/** Connections for the sender: one per email in flight, plus one to spare. */
export const deliveryPoolProvider: Provider = {
  provide: DELIVERY_POOL,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const pool = new Pool({ connectionString: config.database.url, max: config.mail.concurrency + 1 });
    // A dropped idle connection is replaced on the next checkout; it must not crash the worker.
    pool.on('error', () => undefined);
    return pool;
  },
};

@Injectable()
export class DeliveryPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DELIVERY_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
