import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { AccessPolicyCheck } from './access-policy.check';
import { PasswordHasher } from './password-hasher';

/** Deny-by-default access control for HTTP apps: every route is authenticated unless declared public. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [PasswordHasher, AccessPolicyCheck, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [PasswordHasher],
})
export class HttpAccessModule {}

/** Password hashing without the HTTP guard, for the worker and the CLI. */
@Global()
@Module({ providers: [PasswordHasher], exports: [PasswordHasher] })
export class PasswordModule {}
