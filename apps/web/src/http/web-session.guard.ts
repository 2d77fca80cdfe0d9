import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthService } from '@slp/identity';
import { ACCESS_POLICY, AccessPolicy, ALLOW_WITHOUT_MFA, APP_CONFIG, AppConfig, ForbiddenError, MfaRequiredError } from '@slp/platform';
import type { WebRequest } from './page-renderer';
import { safeReturnTo } from './return-to';
import { SignInRequiredError } from './sign-in-required.error';
import { WEB_CLOCK, WebClock } from './web-session';

/** The idle clock restarts at most this often, so not every response has to re-issue the cookie. */
const TOUCH_AFTER_MS = 15_000;

/**
 * Global guard of the portal. For every page it reads the session cookie and asks PostgreSQL
 * whether the account is active and its platform session still stands (signed out anywhere,
 * deactivated, or idle for WEB_SESSION_IDLE_MINUTES means signed out here too — OWASP ASVS
 * V3.3); then it applies the route's access policy (`@Public`, `@Authenticated`, `@Roles`).
 */
@Injectable()
export class WebSessionGuard implements CanActivate {
  private readonly logger = new Logger(WebSessionGuard.name);
  private readonly idleMs: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(WEB_CLOCK) private readonly clock: WebClock,
  ) {
    this.idleMs = config.web.sessionIdleMinutes * 60_000;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    if (!policy) throw new ForbiddenError('This page declares no access policy.');
    const { principal, timedOut } = await this.signedIn(request);
    request.user = principal;
    if (policy.kind === 'public') return true;
    if (!principal) throw new SignInRequiredError(returnToFor(request), timedOut);
    // A role that needs MFA, signed in without it, reaches only the set-up (as the API's AccessGuard holds it).
    if (principal.mfaPending && !this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_WITHOUT_MFA, [context.getHandler(), context.getClass()])) {
      throw new MfaRequiredError('Your role needs multi-factor sign-in. Set it up first.');
    }
    if (policy.kind === 'roles' && !policy.roles.some((role) => principal.roles.includes(role))) throw new ForbiddenError('This page is not for your role.');
    return true;
  }

  private async signedIn(request: WebRequest): Promise<{ principal: WebRequest['user']; timedOut: boolean }> {
    const session = request.session;
    const accountId = session.get('accountId');
    const sessionId = session.get('sessionId');
    if (!accountId || !sessionId) return { principal: null, timedOut: false };
    const now = this.clock();
    const seenAt = session.get('seenAt') ?? 0;
    if (now - seenAt > this.idleMs) {
      // Ended for good, not only forgotten by this browser: the platform session is revoked.
      await this.auth.logout({ accessTokenClaims: { sub: accountId, sid: sessionId } }).catch((error: unknown) => this.logger.warn({ err: error }, 'Could not end an idle session everywhere'));
      signOut(request);
      return { principal: null, timedOut: true };
    }
    const principal = await this.auth.principalForSession(accountId, sessionId);
    if (!principal) {
      signOut(request);
      return { principal: null, timedOut: false };
    }
    if (now - seenAt > TOUCH_AFTER_MS) session.set('seenAt', now);
    return { principal, timedOut: false };
  }
}

/** Forgets who was signed in, keeping the CSRF secret so a form already on screen still posts (and then asks to sign in). */
export function signOut(request: FastifyRequest): void {
  request.session.set('accountId', undefined);
  request.session.set('sessionId', undefined);
  request.session.set('seenAt', undefined);
  request.session.set('mfaChallenge', undefined);
  request.session.set('mfaChallengeExpiresAt', undefined);
  request.session.set('mfaReturnTo', undefined);
}

/** Where to come back to after signing in: this page, or for a form post the page the form was on. */
function returnToFor(request: FastifyRequest): string {
  if (request.method === 'GET' || request.method === 'HEAD') return safeReturnTo(request.url);
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      const url = new URL(referer);
      if (url.host === request.host) return safeReturnTo(`${url.pathname}${url.search}`);
    } catch {
      // not a URL: fall back
    }
  }
  return '/learning';
}
