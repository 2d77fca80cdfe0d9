import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig, AuditModule, ConfigModule, DatabaseModule, describeUrl, HealthModule, HealthService, LoggingModule, RedisModule } from '@slp/platform';

const READY_TIMEOUT_MS = 60_000;

/** Waits for PostgreSQL and Redis at start, then reports the worker ready; logs shutdown. */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly health: HealthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    for (;;) {
      const readiness = await this.health.readiness();
      if (readiness.status === 'ok') break;
      if (Date.now() - started > READY_TIMEOUT_MS) {
        throw new Error(`Worker dependencies unavailable: database ${readiness.checks.database} (${describeUrl(this.config.database.url)}), redis ${readiness.checks.redis} (${describeUrl(this.config.redis.url)})`);
      }
      this.logger.warn(`Waiting for dependencies: database ${readiness.checks.database}, redis ${readiness.checks.redis}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    this.logger.log(`Worker ready (database ${describeUrl(this.config.database.url)}, redis ${describeUrl(this.config.redis.url)})`);
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log(`Worker stopping${signal ? ` on ${signal}` : ''}`);
  }
}

/** The worker: a Nest application context with no HTTP server. Its jobs arrive with the notifications library. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config, { http: false }), DatabaseModule.forRoot(config), RedisModule, AuditModule, HealthModule],
      providers: [WorkerLifecycle],
    };
  }
}
