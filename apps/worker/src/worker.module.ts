import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataRightsModule } from '@slp/data-rights';
import { DirectoryModule } from '@slp/directory';
import { IDENTITY_NOTIFICATION_KINDS, IdentityModule } from '@slp/identity';
import { ImportsWorkerModule } from '@slp/imports';
import { LEARNING_NOTIFICATION_KINDS, LearningModule } from '@slp/learning';
import { DIGEST_KINDS, NotificationDeliveryModule, REMINDER_KINDS, TemplateRenderer } from '@slp/notifications';
import { NEIGHBOURHOOD_NOTIFICATION_KINDS, NeighbourhoodModule } from '@slp/neighbourhood';
import { ReportsModule } from '@slp/reports';
import { TALENT_NOTIFICATION_KINDS, TalentModule } from '@slp/talent';
import { APP_CONFIG, AppConfig, AuditModule, bullOptions, ConfigModule, DatabaseModule, describeUrl, HealthModule, HealthService, LoggingModule, PasswordModule, RedisModule } from '@slp/platform';
import { MaintenanceProcessor } from './maintenance/maintenance.processor';
import { MAINTENANCE_QUEUE } from './maintenance/maintenance.queue';

const READY_TIMEOUT_MS = 60_000;

/** Every email kind the platform writes to the outbox. */
export const EMAIL_KINDS = [...IDENTITY_NOTIFICATION_KINDS, ...LEARNING_NOTIFICATION_KINDS, ...TALENT_NOTIFICATION_KINDS, ...NEIGHBOURHOOD_NOTIFICATION_KINDS, ...REMINDER_KINDS, ...DIGEST_KINDS];

/** Waits for PostgreSQL and Redis at start, then reports the worker ready; logs shutdown. */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly health: HealthService,
    private readonly templates: TemplateRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Every kind the platform writes to the outbox must have its templates, or the worker does not start.
    this.templates.assertCovers(EMAIL_KINDS);
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

/** The worker: a Nest application context with no HTTP server, running BullMQ jobs. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule.forRoot(config),
        RedisModule,
        AuditModule,
        HealthModule,
        PasswordModule,
        BullModule.forRoot(bullOptions(config)),
        BullModule.registerQueue({ name: MAINTENANCE_QUEUE }),
        DirectoryModule,
        IdentityModule,
        LearningModule,
        TalentModule,
        // Its personal-data area must be registered wherever erasure runs (the retention job).
        NeighbourhoodModule,
        NotificationDeliveryModule,
        ReportsModule,
        DataRightsModule,
        ImportsWorkerModule,
      ],
      providers: [WorkerLifecycle, MaintenanceProcessor],
    };
  }
}
