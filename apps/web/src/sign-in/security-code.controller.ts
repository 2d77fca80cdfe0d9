import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthService, MfaService } from '@slp/identity';
import { NotAuthenticatedError, Public, RateLimitedError } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { safeReturnTo } from '../http/return-to';
import { WEB_CLOCK, WebClock } from '../http/web-session';
import { minutes, startWebSession } from './sign-in.controller';

/** Longer than any recovery code (19 characters with dashes) or TOTP, with room for spaces typed in. */
const MAX_CODE_LENGTH = 64;

/**
 * The second step of signing in for an account with multi-factor sign-in on. The password step
 * left only the identity library's challenge (a signed token of a few minutes) in the encrypted
 * cookie: nobody is signed in until a code from the authenticator app, or a recovery code, is
 * right. Wrong codes count towards the same per-account limit as the API's `/auth/login/mfa`.
 */
@Controller('sign-in/security-code')
export class SecurityCodeController {
  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly pages: PageRenderer,
    @Inject(WEB_CLOCK) private readonly clock: WebClock,
  ) {}

  @Public()
  @Get()
  show(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    if (request.user) return reply.redirect('/learning', 303);
    if (!this.challenge(request)) return this.startAgain(request, reply);
    return this.page(request, reply, new FormErrors());
  }

  @Public()
  @Post()
  async verify(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const challenge = this.challenge(request);
    if (!challenge) return this.startAgain(request, reply);
    const code = field(body, 'code');
    const errors = new FormErrors();
    if (!code) return this.page(request, reply, errors.add('code', 'Enter the security code'), 400);
    if (code.length > MAX_CODE_LENGTH) return this.page(request, reply, errors.add('code', 'Enter the 6-digit code from your app, or a recovery code'), 400);
    let verified;
    try {
      verified = await this.mfa.verifySecondFactor(challenge, code);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        return this.page(request, reply, errors.add('code', `You have entered too many wrong codes. Try again in ${minutes(error.retryAfterSeconds)}.`), 429);
      }
      if (error instanceof NotAuthenticatedError) return this.page(request, reply, errors.add('code', 'The security code is not right. Enter the code your app shows now, or a recovery code'), 401);
      throw error;
    }
    const returnTo = safeReturnTo(request.session.get('mfaReturnTo'));
    const started = await this.auth.startSession(verified.account, verified.amr);
    startWebSession(request, verified.account.id, started.sessionId, this.clock());
    return reply.redirect(returnTo, 303);
  }

  /** The waiting challenge, if it has not lapsed (the token itself expires too: the library checks that). */
  private challenge(request: WebRequest): string | null {
    const token = request.session.get('mfaChallenge');
    const expiresAt = request.session.get('mfaChallengeExpiresAt') ?? 0;
    return token && this.clock() < expiresAt ? token : null;
  }

  /** No sign-in waiting (it lapsed, or this page was opened directly): back to the password, saying why. */
  private startAgain(request: WebRequest, reply: FastifyReply): FastifyReply {
    const hadChallenge = Boolean(request.session.get('mfaChallenge'));
    const returnTo = safeReturnTo(request.session.get('mfaReturnTo'));
    request.session.set('mfaChallenge', undefined);
    request.session.set('mfaChallengeExpiresAt', undefined);
    request.session.set('mfaReturnTo', undefined);
    if (hadChallenge) request.session.set('flash', 'Your sign-in timed out before the security code was entered. Sign in again.');
    return reply.redirect(`/sign-in?${new URLSearchParams({ returnTo }).toString()}`, 303);
  }

  private page(request: WebRequest, reply: FastifyReply, errors: FormErrors, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/security-code.njk', { title: 'Security code', errors }, status);
  }
}
