import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { DataRightsModule } from '@slp/data-rights';
import { DirectoryModule } from '@slp/directory';
import { IdentityModule } from '@slp/identity';
import { LearningModule } from '@slp/learning';
import { NotificationsModule } from '@slp/notifications';
import { TalentModule } from '@slp/talent';
import { AccessPolicyCheck, AppConfig, AuditModule, ConfigModule, DatabaseModule, LoggingModule, PasswordModule, RedisModule } from '@slp/platform';
import { PageRenderer } from './http/page-renderer';
import { WebExceptionFilter } from './http/web-exception.filter';
import { WEB_CLOCK, WebClock } from './http/web-session';
import { WebSessionGuard } from './http/web-session.guard';
import { HomeController } from './home/home.controller';
import { SignInController } from './sign-in/sign-in.controller';
import { RegisterController } from './sign-in/register.controller';
import { VerifyEmailController } from './sign-in/verify-email.controller';
import { SecurityCodeController } from './sign-in/security-code.controller';
import { PasswordResetController } from './sign-in/password-reset.controller';
import { AccountSecurityController } from './security/account-security.controller';
import { ProgrammesController } from './programmes/programmes.controller';
import { CohortsController } from './cohorts/cohorts.controller';
import { LearningController } from './learning/learning.controller';
import { NominationsController } from './nominations/nominations.controller';
import { AccountController } from './account/account.controller';
import { EmailLinksController } from './email-links/email-links.controller';
import { SsoController } from './sso/sso.controller';
import { StaffController } from './staff/staff.controller';
import { StaffQueries } from './staff/staff-queries';
import { StaffNominationsController } from './staff/staff-nominations.controller';

export interface WebModuleOptions {
  readonly logDestination?: DestinationStream;
  /** The clock sessions are timed by (tests move it on). */
  readonly clock?: WebClock;
}

/** The portal: the same libraries as the API, in-process; pages instead of JSON. */
@Module({})
export class WebModule {
  static forRoot(config: AppConfig, options: WebModuleOptions = {}): DynamicModule {
    return {
      module: WebModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, { destination: options.logDestination }),
        DatabaseModule.forRoot(config),
        RedisModule,
        AuditModule,
        PasswordModule,
        DiscoveryModule,
        DirectoryModule,
        IdentityModule,
        LearningModule,
        NotificationsModule,
        TalentModule,
        DataRightsModule,
      ],
      controllers: [
        HomeController,
        SignInController,
        SecurityCodeController,
        PasswordResetController,
        AccountSecurityController,
        RegisterController,
        VerifyEmailController,
        ProgrammesController,
        CohortsController,
        LearningController,
        NominationsController,
        AccountController,
        EmailLinksController,
        SsoController,
        StaffController,
        StaffNominationsController,
      ],
      providers: [
        PageRenderer,
        StaffQueries,
        AccessPolicyCheck,
        { provide: WEB_CLOCK, useValue: options.clock ?? Date.now },
        { provide: APP_GUARD, useClass: WebSessionGuard },
        { provide: APP_FILTER, useClass: WebExceptionFilter },
      ],
    };
  }
}
