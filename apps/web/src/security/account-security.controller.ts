import { Body, Controller, Get, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthService, MfaService, PasswordService, TotpSetup } from '@slp/identity';
import { AccessScope, AllowWithoutMfa, Authenticated, ConflictError, InvalidInputError, MIN_PASSWORD_LENGTH, RateLimitedError } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { signOut } from '../http/web-session.guard';
import { minutes, takeFlash } from '../sign-in/sign-in.controller';

const MAX_CODE_LENGTH = 64;

/** A password field as posted (never trimmed: spaces may be part of it). */
function password(body: unknown, name: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/**
 * Multi-factor sign-in, signing out everywhere and the password, for the signed-in person. The
 * MFA pages (and signing out everywhere) are open to a session still owing its second factor:
 * a role in MFA_REQUIRED_ROLES signed in with a password only is held here until it is set up.
 */
@Controller('account')
export class AccountSecurityController {
  private readonly logger = new Logger(AccountSecurityController.name);

  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly passwords: PasswordService,
    private readonly pages: PageRenderer,
  ) {}

  /**
   * MFA off: the set-up, shown at once (a QR code and the key as text). A set-up already begun is
   * shown again with the same key, so reloading the page never changes a key already scanned.
   */
  @Authenticated()
  @AllowWithoutMfa()
  @Get('security')
  async show(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.page(request, reply, new FormErrors(), 200, takeFlash(request));
  }

  /** Confirms the set-up with a first code: MFA is on and the recovery codes are shown, this once. */
  @Authenticated()
  @AllowWithoutMfa()
  @Post('security/turn-on')
  async turnOn(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const principal = request.user!;
    const code = field(body, 'code');
    const errors = new FormErrors();
    if (!code) return this.page(request, reply, errors.add('code', 'Enter the security code from your app'), 400);
    if (code.length > MAX_CODE_LENGTH) return this.page(request, reply, errors.add('code', 'Enter the 6-digit code from your app'), 400);
    let recoveryCodes: string[];
    try {
      ({ recoveryCodes } = await this.mfa.confirmTotp(AccessScope.of(principal), code.replace(/\s+/g, '')));
    } catch (error) {
      if (error instanceof RateLimitedError) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        return this.page(request, reply, errors.add('code', `You have entered too many wrong codes. Try again in ${minutes(error.retryAfterSeconds)}.`), 429);
      }
      if (error instanceof InvalidInputError) return this.page(request, reply, errors.add('code', 'The security code is not right. Enter the code your app shows now'), 400);
      // Turned on (or the set-up replaced) in another tab: the page shows where things stand.
      if (error instanceof ConflictError) return reply.redirect('/account/security', 303);
      throw error;
    }
    return this.pages.render(request, reply, 'security/recovery-codes.njk', { title: 'Save your recovery codes', recoveryCodes, signInAgain: Boolean(principal.mfaPending) });
  }

  /**
   * Turning MFA on does not change how this session began (a password only), as in the API: a
   * role that needs MFA signs in again, with a code, for a session that counts as multi-factor.
   */
  @Authenticated()
  @AllowWithoutMfa()
  @Post('security/sign-in-again')
  async signInAgain(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    await this.endThisSession(request);
    request.session.set('flash', 'Multi-factor sign-in is on. Sign in again with your password and a security code from your app.');
    return reply.redirect('/sign-in', 303);
  }

  /** Turns MFA off with a current code or a recovery code (not for a role that requires it: the form is not offered). */
  @Authenticated()
  @Post('security/turn-off')
  async turnOff(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const code = field(body, 'code');
    const errors = new FormErrors();
    if (!code) return this.page(request, reply, errors.add('code', 'Enter the security code from your app, or a recovery code'), 400);
    if (code.length > MAX_CODE_LENGTH) return this.page(request, reply, errors.add('code', 'Enter the 6-digit code from your app, or a recovery code'), 400);
    try {
      await this.mfa.disableTotp(AccessScope.of(request.user!), code);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        return this.page(request, reply, errors.add('code', `You have entered too many wrong codes. Try again in ${minutes(error.retryAfterSeconds)}.`), 429);
      }
      if (error instanceof InvalidInputError) return this.page(request, reply, errors.add('code', 'The security code is not right. Enter the code your app shows now, or a recovery code'), 400);
      throw error;
    }
    request.session.set('flash', 'Multi-factor sign-in is off. Signing in now needs only your password.');
    return reply.redirect('/account/security', 303);
  }

  /** Ends every session of the account (every device, the API's tokens too), this one included. */
  @Authenticated()
  @AllowWithoutMfa()
  @Post('security/sign-out-everywhere')
  async signOutEverywhere(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const principal = request.user!;
    await this.passwords.signOutEverywhere(AccessScope.of(principal), principal.sessionId);
    signOut(request);
    request.session.regenerate();
    request.session.set('flash', 'You have signed out of the System Leadership Platform on every device and browser.');
    return reply.redirect('/signed-out', 303);
  }

  @Authenticated()
  @Get('password')
  showPassword(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.passwordPage(request, reply, new FormErrors());
  }

  /** The current password is checked (and counted like a sign-in); every session then ends, this one too. */
  @Authenticated()
  @Post('password')
  async changePassword(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const principal = request.user!;
    const current = password(body, 'currentPassword');
    const next = password(body, 'newPassword');
    const errors = new FormErrors();
    if (!current) errors.add('currentPassword', 'Enter your current password');
    if (!next) errors.add('newPassword', 'Enter a new password');
    else if (next.length < MIN_PASSWORD_LENGTH) errors.add('newPassword', `Password must be ${MIN_PASSWORD_LENGTH} characters or more`);
    else if (next.length > 256) errors.add('newPassword', 'Password must be 256 characters or fewer');
    if (errors.any) return this.passwordPage(request, reply, errors, 400);
    try {
      await this.passwords.changePassword(AccessScope.of(principal), current.slice(0, 256), next, request.ip, principal.sessionId);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        return this.passwordPage(request, reply, errors.add('currentPassword', `You have tried too many times. Try again in ${minutes(error.retryAfterSeconds)}.`), 429);
      }
      if (error instanceof InvalidInputError) {
        const onNew = (error.errors ?? []).some((e) => e.field === 'newPassword');
        return this.passwordPage(request, reply, onNew ? errors.add('newPassword', 'Choose a new password that is different from your current one') : errors.add('currentPassword', 'Your current password is not right'), 400);
      }
      throw error;
    }
    // Every session ended, this one too: the browser forgets it and the person signs in with the new password.
    signOut(request);
    request.session.regenerate();
    request.session.set('flash', 'Your password has been changed, and you have been signed out everywhere. Sign in with your new password.');
    return reply.redirect('/sign-in', 303);
  }

  private async endThisSession(request: WebRequest): Promise<void> {
    const principal = request.user!;
    await this.auth.logout({ accessTokenClaims: { sub: principal.accountId, sid: principal.sessionId! } }).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Sign-out could not reach every server');
    });
    signOut(request);
    request.session.regenerate();
  }

  private async page(request: WebRequest, reply: FastifyReply, errors: FormErrors, status = 200, flash: string | null = null): Promise<FastifyReply> {
    const principal = request.user!;
    const scope = AccessScope.of(principal);
    const { enabled, required } = await this.mfa.status(principal.accountId, principal.roles);
    let setup: TotpSetup | null = null;
    if (!enabled) {
      setup = await this.mfa.pendingTotpSetup(scope);
      if (!setup) {
        try {
          setup = await this.mfa.startTotpSetup(scope);
        } catch (error) {
          // Turned on meanwhile (another tab): show it as on.
          if (!(error instanceof ConflictError)) throw error;
        }
      }
    }
    return this.pages.render(
      request,
      reply,
      'security/show.njk',
      {
        title: 'Account security',
        area: principal.mfaPending ? 'none' : 'account',
        errors,
        flash,
        enabled: enabled || !setup,
        required,
        pending: Boolean(principal.mfaPending),
        qrDataUri: setup ? `data:image/svg+xml;base64,${Buffer.from(setup.qrSvg).toString('base64')}` : null,
        setupKey: setup ? setup.secret.match(/.{1,4}/g)!.join(' ') : null,
      },
      status,
    );
  }

  private passwordPage(request: WebRequest, reply: FastifyReply, errors: FormErrors, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'security/password.njk', { title: 'Change your password', area: 'account', errors }, status);
  }
}
