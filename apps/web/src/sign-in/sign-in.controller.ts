import { Body, Controller, Get, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthService, MfaService, OidcService } from '@slp/identity';
import { NotAuthenticatedError, Public, RateLimitedError } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { safeReturnTo } from '../http/return-to';
import { WEB_CLOCK, WebClock } from '../http/web-session';
import { signOut } from '../http/web-session.guard';

interface SignInForm {
  readonly email: string;
  readonly returnTo: string;
}

@Controller()
export class SignInController {
  private readonly logger = new Logger(SignInController.name);

  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly pages: PageRenderer,
    @Inject(WEB_CLOCK) private readonly clock: WebClock,
    private readonly oidc: OidcService,
  ) {}

  @Public()
  @Get('sign-in')
  show(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('returnTo') returnTo: unknown, @Query('timedOut') timedOut: unknown): FastifyReply {
    const target = safeReturnTo(returnTo);
    if (request.user) return reply.redirect(target, 303);
    return this.page(request, reply, { email: '', returnTo: target }, new FormErrors(), 200, timedOut === '1', takeFlash(request));
  }

  /**
   * Signs in through the same checks and rate limits as the API (per account and IP, per account,
   * per IP). A new session each time: the old cookie's contents, CSRF secret included, are
   * discarded (OWASP ASVS V3.2.1, no session fixation).
   */
  @Public()
  @Post('sign-in')
  async signIn(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const form: SignInForm = { email: field(body, 'email'), returnTo: safeReturnTo(field(body, 'returnTo')) };
    const password = typeof (body as Record<string, unknown> | null)?.password === 'string' ? ((body as Record<string, string>).password ?? '') : '';
    const errors = new FormErrors();
    if (!form.email) errors.add('email', 'Enter your email address');
    if (!password) errors.add('password', 'Enter your password');
    if (errors.any) return this.page(request, reply, form, errors, 400);
    let account;
    try {
      account = await this.auth.verifyCredentials(form.email.slice(0, 254), password.slice(0, 256), request.ip);
    } catch (error) {
      if (error instanceof NotAuthenticatedError) return this.page(request, reply, form, errors.add('email', 'Enter a correct email address and password'), 401);
      if (error instanceof RateLimitedError) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        return this.page(request, reply, form, errors.add('email', `You have tried to sign in too many times. Try again in ${minutes(error.retryAfterSeconds)}.`), 429);
      }
      throw error;
    }
    if (await this.mfa.isEnabled(account.id)) {
      // No platform session yet: only a short-lived challenge, which the right code turns into one
      // (the rehashed password, if any, is saved with the challenge's audit entry).
      const challenge = await this.mfa.createChallenge(account);
      request.session.regenerate();
      request.session.set('mfaChallenge', challenge.challengeToken);
      request.session.set('mfaChallengeExpiresAt', this.clock() + challenge.expiresIn * 1000);
      request.session.set('mfaReturnTo', form.returnTo);
      return reply.redirect('/sign-in/security-code', 303);
    }
    const started = await this.auth.startSession(account);
    startWebSession(request, account.id, started.sessionId, this.clock());
    return reply.redirect(form.returnTo, 303);
  }

  /** Ends the platform session (as the API's logout does) and forgets it in this browser. */
  @Public()
  @Post('sign-out')
  async signOut(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const accountId = request.session.get('accountId');
    const sessionId = request.session.get('sessionId');
    if (accountId && sessionId) {
      await this.auth.logout({ accessTokenClaims: { sub: accountId, sid: sessionId } }).catch((error: unknown) => {
        // The database has recorded the sign-out (what every check reads); only Redis missed it.
        this.logger.warn({ err: error }, 'Sign-out could not reach every server');
      });
    }
    // Signed in by single sign-on: signed out at the provider too, where it offers RP-initiated logout.
    const sso = request.session.get('oidcSignOut');
    const endSession = sso ? await this.oidc.endSessionUrl(sso.provider, sso.idToken) : null;
    signOut(request);
    request.session.regenerate();
    return reply.redirect(endSession ?? '/signed-out', 303);
  }

  @Public()
  @Get('signed-out')
  signedOut(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/signed-out.njk', { title: 'You have signed out', flash: takeFlash(request) });
  }

  private page(request: WebRequest, reply: FastifyReply, form: SignInForm, errors: FormErrors, status: number, timedOut = false, flash: string | null = null): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/sign-in.njk', { title: 'Sign in', errors, form, timedOut, flash }, status);
  }
}

/**
 * Begins the browser's session for a platform session just started: a new cookie session (new
 * contents and CSRF secret, so no fixation; any pending challenge gone with it).
 */
export function startWebSession(request: WebRequest, accountId: string, sessionId: string, now: number): void {
  request.session.regenerate();
  request.session.set('accountId', accountId);
  request.session.set('sessionId', sessionId);
  request.session.set('seenAt', now);
}

/** The one-off message left for the next page, used up by reading it. */
export function takeFlash(request: WebRequest): string | null {
  const flash = request.session.get('flash') ?? null;
  if (flash) request.session.set('flash', undefined);
  return flash;
}

export function minutes(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds / 60));
  return whole === 1 ? '1 minute' : `${whole} minutes`;
}
