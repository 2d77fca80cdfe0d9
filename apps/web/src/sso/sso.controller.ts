import { Controller, Get, Inject, Logger, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthService, MfaService, OidcService, OidcSignInRefusedError } from '@slp/identity';
import { APP_CONFIG, AppConfig, Public } from '@slp/platform';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { safeReturnTo } from '../http/return-to';
import { WEB_CLOCK, WebClock } from '../http/web-session';

/** An ID token longer than this is not kept as the sign-out hint: the session cookie has to stay under 4 KB. */
const MAX_HINT_LENGTH = 1800;

/**
 * Single sign-on (OpenID Connect): `/sign-in/oidc/:name` sends the browser to the provider with a
 * fresh state, nonce and PKCE challenge kept in the encrypted session cookie; the callback checks
 * them (through openid-client) and starts a platform session as a password sign-in does.
 */
@Controller('sign-in/oidc')
export class SsoController {
  private readonly logger = new Logger(SsoController.name);

  constructor(
    private readonly oidc: OidcService,
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly pages: PageRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEB_CLOCK) private readonly clock: WebClock,
  ) {}

  @Public()
  @Get(':name')
  async start(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('name') name: string, @Query('returnTo') returnTo: unknown): Promise<FastifyReply> {
    if (!this.oidc.has(name)) return this.pages.render(request, reply, 'errors/not-found.njk', { title: 'Page not found' }, 404);
    try {
      const { url, pending } = await this.oidc.begin(name, safeReturnTo(returnTo));
      request.session.set('oidc', pending);
      return reply.redirect(url, 303);
    } catch (error) {
      if (error instanceof OidcSignInRefusedError) return this.refused(request, reply, error, 503);
      throw error;
    }
  }

  @Public()
  @Get(':name/callback')
  async callback(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('name') name: string): Promise<FastifyReply> {
    if (!this.oidc.has(name)) return this.pages.render(request, reply, 'errors/not-found.njk', { title: 'Page not found' }, 404);
    const pending = request.session.get('oidc');
    // Used once, whatever happens next: a replayed callback finds nothing to match.
    request.session.set('oidc', undefined);
    if (!pending || pending.provider !== name) {
      this.logger.warn({ provider: name }, 'A single sign-on callback arrived with no sign-in under way in this browser');
      return this.refused(request, reply, new OidcSignInRefusedError('invalid_response', 'Your sign-in had expired or was started in another browser. Try signing in again.'), 400);
    }
    let signIn;
    try {
      signIn = await this.oidc.complete(name, new URL(request.url, this.config.publicUrl), pending);
    } catch (error) {
      if (error instanceof OidcSignInRefusedError) return this.refused(request, reply, error, error.reason === 'provider_unavailable' ? 503 : error.reason === 'email_in_use' ? 409 : error.reason === 'tenant_not_allowed' || error.reason === 'account_disabled' ? 403 : 400);
      throw error;
    }
    if (!signIn.amr.includes('mfa') && (await this.mfa.isEnabled(signIn.account.id))) {
      // The person turned on the platform's authenticator and the provider's sign-in was not
      // multi-factor: the same security-code step as after a password, before any session exists.
      const challenge = await this.mfa.createChallenge(signIn.account);
      request.session.regenerate();
      request.session.set('mfaChallenge', challenge.challengeToken);
      request.session.set('mfaChallengeExpiresAt', this.clock() + challenge.expiresIn * 1000);
      request.session.set('mfaReturnTo', pending.returnTo);
      this.logger.log({ provider: name, outcome: signIn.outcome, accountId: signIn.account.id }, 'Single sign-on waits for the platform security code');
      return reply.redirect('/sign-in/security-code', 303);
    }
    const started = await this.auth.startSession(signIn.account, signIn.amr);
    // A new session (no fixation): nothing of the signed-out cookie carries over.
    request.session.regenerate();
    request.session.set('accountId', signIn.account.id);
    request.session.set('sessionId', started.sessionId);
    request.session.set('seenAt', this.clock());
    request.session.set('oidcSignOut', { provider: name, ...(signIn.idToken.length <= MAX_HINT_LENGTH ? { idToken: signIn.idToken } : {}) });
    this.logger.log({ provider: name, outcome: signIn.outcome, accountId: signIn.account.id }, 'Signed in by single sign-on');
    return reply.redirect(pending.returnTo, 303);
  }

  private refused(request: WebRequest, reply: FastifyReply, error: OidcSignInRefusedError, status: number): FastifyReply {
    this.logger.warn({ reason: error.reason }, 'Single sign-on refused');
    return this.pages.render(request, reply, 'sso/refused.njk', { title: 'You could not be signed in', detail: error.message }, status);
  }
}
