import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DirectoryModule } from '@slp/directory';
import { NotificationsModule } from '@slp/notifications';
import { Account } from './account.entity';
import { AccountInvitation } from './account-invitation.entity';
import { InvitationsService } from './invitations.service';
import { AccountsService } from './accounts.service';
import { AuthService } from './auth.service';
import { EqualityMonitoring } from './equality-monitoring.entity';
import { EqualityService } from './equality.service';
import { EmailVerification } from './email-verification.entity';
import { EmailVerificationService } from './email-verification.service';
import { RegistrationRateLimiter } from './registration-rate-limiter';
import { IDENTITY_PERSONAL_DATA } from './identity-personal-data';
import { LoginRateLimiter } from './login-rate-limiter';
import { PeopleService } from './people.service';
import { PersonInvitationsService } from './person-invitations.service';
import { Person } from './person.entity';
import { RefreshToken } from './refresh-token.entity';
import { SessionRevocations } from './session-revocations';
import { AccountMfa, MfaRecoveryCode, PasswordReset } from './mfa.entities';
import { MfaRateLimiter } from './mfa-rate-limiter';
import { MfaService } from './mfa.service';
import { PasswordResetRateLimiter, PasswordService } from './password.service';
import { IdentityLink } from './oidc/identity-link.entity';
import { IdentityLinkPersonalData } from './oidc/oidc-personal-data';
import { OidcService } from './oidc/oidc.service';

export const IDENTITY_ENTITIES = [Person, Account, RefreshToken, EqualityMonitoring, AccountInvitation, EmailVerification, AccountMfa, MfaRecoveryCode, PasswordReset, IdentityLink];

@Module({
  imports: [MikroOrmModule.forFeature(IDENTITY_ENTITIES), DirectoryModule, NotificationsModule, JwtModule.register({})],
  providers: [AuthService, AccountsService, PeopleService, PersonInvitationsService, EqualityService, InvitationsService, EmailVerificationService, LoginRateLimiter, RegistrationRateLimiter, SessionRevocations, MfaRateLimiter, MfaService, PasswordResetRateLimiter, PasswordService, OidcService, IdentityLinkPersonalData, ...IDENTITY_PERSONAL_DATA],
  exports: [AuthService, AccountsService, PeopleService, PersonInvitationsService, EqualityService, InvitationsService, EmailVerificationService, MfaService, PasswordService, OidcService],
})
export class IdentityModule {}
