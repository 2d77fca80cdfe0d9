import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@slp/platform';

export const DELIVERY_POOL = Symbol('DELIVERY_POOL');

const logger = new Logger('EmailSender');

/** Connections for the sender: one per email in flight, plus one to spare. */
export const deliveryPoolProvider: Provider = {
  provide: DELIVERY_POOL,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const pool = new Pool({
      connectionString: config.database.url,
      max: config.mail.concurrency + 1,
      // A row locked by a vanished worker's half-open connection must not stall sends for hours.
      options: '-c lock_timeout=30s -c idle_in_transaction_session_timeout=5min',
    });
    // A connection PostgreSQL drops (idle or in use) fails its send, which is retried; it must not
    // crash the worker. pg-pool only listens on idle clients, so listen on each one from the start.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', (error) => logger.warn(`Delivery connection lost: ${error.message}`)));
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
