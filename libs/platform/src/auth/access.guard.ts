import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ForbiddenError, MfaRequiredError, NotAuthenticatedError } from '../errors/domain-errors';
import { ACCESS_POLICY, AccessPolicy, ALLOW_WITHOUT_MFA } from './access.decorators';
import type { Principal } from './principal';

/** Global guard: authenticates with the `jwt` strategy unless the route is public, holds a session still owing MFA to the set-up routes, then checks roles. */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    if (!policy) throw new ForbiddenError('This route declares no access policy.');
    if (policy.kind === 'public') return true;
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    if (principal.mfaPending && !this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_WITHOUT_MFA, [context.getHandler(), context.getClass()])) {
      throw new MfaRequiredError('Your role needs multi-factor sign-in. Set up an authenticator app at /me/mfa/totp, then sign in again with a code.');
    }
    if (policy.kind === 'roles' && !policy.roles.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenError(`This needs one of the roles: ${policy.roles.join(', ')}.`);
    }
    return true;
  }

  override handleRequest<T>(error: unknown, principal: T | false, info: unknown): T {
    if (error instanceof Error && !(error.name === 'UnauthorizedException')) throw error;
    if (!principal) {
      const reason = info instanceof Error && info.name === 'TokenExpiredError' ? 'Your access token has expired; refresh it.' : 'Sign in with a valid access token.';
      throw new NotAuthenticatedError(reason);
    }
    return principal;
  }
}
