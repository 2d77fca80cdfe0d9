import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { BullModule } from '@nestjs/bullmq';
import { PassportModule } from '@nestjs/passport';
import { DataRightsModule } from '@slp/data-rights';
import { DirectoryModule } from '@slp/directory';
import { IdentityModule } from '@slp/identity';
import { BulkEnrolmentModule, ImportsModule } from '@slp/imports';
import { LearningModule } from '@slp/learning';
import { NeighbourhoodModule } from '@slp/neighbourhood';
import { EMAIL_QUEUE, NotificationsModule } from '@slp/notifications';
import { ReportsModule } from '@slp/reports';
import { TalentModule } from '@slp/talent';
import { AppConfig, AuditModule, bullOptions, MAINTENANCE_QUEUE, ConfigModule, DatabaseModule, HealthModule, HttpAccessModule, LoggingModule, RedisModule } from '@slp/platform';
import { AccountsController } from './accounts/accounts.controller';
import { DataRightsController } from './data-rights/data-rights.controller';
import { AuthController } from './auth/auth.controller';
import { JwtStrategy } from './auth/jwt.strategy';
import { LocalStrategy } from './auth/local.strategy';
import { OrganisationsController } from './directory/organisations.controller';
import { SystemsController } from './directory/systems.controller';
import { HealthController } from './health/health.controller';
import { CohortsController } from './learning/cohorts.controller';
import { EnrolmentsController } from './learning/enrolments.controller';
import { ProgrammesController } from './learning/programmes.controller';
import { SessionsController } from './learning/sessions.controller';
import { NominationsController } from './talent/nominations.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { ReportsController } from './reports/reports.controller';
import { PipelineController } from './talent/pipeline.controller';
import { TalentPoolsController } from './talent/talent-pools.controller';
import { MeController } from './me/me.controller';
import { PeopleController } from './people/people.controller';
import { ImportsController } from './imports/imports.controller';
import { BulkEnrolmentController } from './imports/bulk-enrolment.controller';
import { NEIGHBOURHOOD_CONTROLLERS } from './neighbourhood/neighbourhood.controllers';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, { destination: options.logDestination }),
        DatabaseModule.forRoot(config),
        RedisModule,
        AuditModule,
        HealthModule,
        HttpAccessModule,
        PassportModule,
        DirectoryModule,
        IdentityModule,
        LearningModule,
        TalentModule,
        NeighbourhoodModule,
        NotificationsModule,
        ReportsModule,
        DataRightsModule,
        ImportsModule,
        BulkEnrolmentModule,
        // The API reads queue counts; it never processes jobs.
        BullModule.forRoot(bullOptions(config)),
        BullModule.registerQueue({ name: EMAIL_QUEUE }, { name: MAINTENANCE_QUEUE }),
      ],
      controllers: [
        HealthController,
        AuthController,
        MeController,
        AccountsController,
        SystemsController,
        OrganisationsController,
        PeopleController,
        ProgrammesController,
        CohortsController,
        EnrolmentsController,
        SessionsController,
        TalentPoolsController,
        NominationsController,
        PipelineController,
        NotificationsController,
        ReportsController,
        DataRightsController,
        ImportsController,
        BulkEnrolmentController,
        ...NEIGHBOURHOOD_CONTROLLERS,
      ],
      providers: [JwtStrategy, LocalStrategy],
    };
  }
}
