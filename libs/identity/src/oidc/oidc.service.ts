import { Inject, Injectable, Logger } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { Organisation } from '@slp/directory';
import { APP_CONFIG, AppConfig, AuditService, OidcProviderConfig } from '@slp/platform';
import { Account } from '../account.entity';
import { EmailVerificationService } from '../email-verification.service';
import type { AuthenticationMethod } from '../mfa.service';
import { Person } from '../person.entity';
import { IdentityLink } from './identity-link.entity';

/** What the browser's session keeps between the redirect to the provider and its answer. */
export interface PendingOidcSignIn {
  readonly provider: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
}

export interface OidcSignIn {
  readonly account: Account;
  readonly amr: readonly AuthenticationMethod[];
  /** For RP-initiated logout (`id_token_hint`). */
  readonly idToken: string;
  /** How the account was reached: an existing link, a new link by verified email, or a new account. */
  readonly outcome: 'linked_before' | 'linked_by_email' | 'provisioned';
}

export type OidcRefusal =
  | 'unknown_provider'
  | 'provider_unavailable'
  | 'provider_error'
  | 'invalid_response'
  | 'tenant_not_allowed'
  | 'no_email'
  | 'email_in_use'
  | 'account_disabled';

/** A sign-in the platform refuses; `reason` is logged, the message is for the person. */
export class OidcSignInRefusedError extends Error {
  constructor(
    readonly reason: OidcRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'OidcSignInRefusedError';
  }
}

type Claims = Record<string, unknown>;

/**
 * Single sign-on with OpenID Connect (openid-client): authorization code with PKCE, `state` and
 * `nonce`, and the ID token's signature, issuer, audience and expiry checked by the library. Who
 * the identity is becomes an account through {@link IdentityLink}; roles are never read from
 * claims — a new account is a participant, whatever the provider says.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private readonly providers: ReadonlyMap<string, OidcProviderConfig>;
  /** Discovery at first use, kept for the process; a failed discovery is forgotten so the next sign-in retries. */
  private readonly configurations = new Map<string, Promise<client.Configuration>>();

  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly verification: EmailVerificationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.providers = new Map(config.oidc.providers.map((p) => [p.name, p]));
  }

  /** The configured providers, in OIDC_PROVIDERS order, as the sign-in page lists them. */
  list(): readonly { name: string; label: string }[] {
    return [...this.providers.values()].map(({ name, label }) => ({ name, label }));
  }

  has(name: string): boolean {
    return this.providers.has(name);
  }

  redirectUri(name: string): string {
    return `${this.config.publicUrl}/sign-in/oidc/${name}/callback`;
  }

  /** The provider's authorization URL, and the secrets (state, nonce, PKCE verifier) the browser's session must keep. */
  async begin(name: string, returnTo: string): Promise<{ url: string; pending: PendingOidcSignIn }> {
    const provider = this.provider(name);
    const configuration = await this.configuration(provider);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const parameters: Record<string, string> = {
      redirect_uri: this.redirectUri(name),
      scope: provider.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };
    if (provider.acrValues) parameters.acr_values = provider.acrValues;
    const url = client.buildAuthorizationUrl(configuration, parameters);
    return { url: url.href, pending: { provider: name, state, nonce, codeVerifier, returnTo } };
  }

  /**
   * Completes a sign-in from the provider's redirect (`callbackUrl`, query included): the code is
   * exchanged and the ID token checked, then the identity is resolved to an account.
   */
  async complete(name: string, callbackUrl: URL, pending: PendingOidcSignIn): Promise<OidcSignIn> {
    const provider = this.provider(name);
    const configuration = await this.configuration(provider);
    if (callbackUrl.searchParams.has('error')) {
      // The provider's own answer (access_denied, login_required…): its code is logged, nothing else.
      this.logger.warn({ provider: name, error: callbackUrl.searchParams.get('error')?.slice(0, 64) }, 'The identity provider did not sign the person in');
      throw new OidcSignInRefusedError('provider_error', `${provider.label} did not sign you in.`);
    }
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      // The redirect URI sent with the code must be the one registered, not the address the request arrived at behind a proxy.
      const current = new URL(this.redirectUri(name));
      current.search = callbackUrl.search;
      tokens = await client.authorizationCodeGrant(configuration, current, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.logger.warn({ provider: name, code: typeof code === 'string' ? code : undefined, reason: describeError(error) }, 'An OpenID Connect response was refused');
      throw new OidcSignInRefusedError('invalid_response', `We could not confirm who you are with ${provider.label}. Try signing in again.`);
    }
    const idClaims = tokens.claims();
    const idToken = tokens.id_token;
    if (!idClaims || !idToken) throw new OidcSignInRefusedError('invalid_response', `We could not confirm who you are with ${provider.label}. Try signing in again.`);
    let claims: Claims = { ...idClaims };
    if (configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        // UserInfo's subject must be the ID token's (the library checks); the ID token's own claims win where both have one.
        const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...userInfo, ...idClaims };
      } catch (error) {
        this.logger.warn({ provider: name, code: (error as { code?: unknown }).code }, 'UserInfo could not be read; signing in with the ID token’s claims');
      }
    }
    const tenant = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : null;
    if (provider.allowedTenants.length && (!tenant || !provider.allowedTenants.includes(tenant))) {
      this.logger.warn({ provider: name }, 'A sign-in from a tenant outside OIDC_*_ALLOWED_TENANTS was refused');
      throw new OidcSignInRefusedError('tenant_not_allowed', `Your organisation’s ${provider.label} accounts cannot sign in to this service.`);
    }
    // Entra ID: `sub` differs per application; the object id is the person within the tenant.
    const subject = tenant && typeof claims.oid === 'string' ? claims.oid : idClaims.sub;
    const issuer = configuration.serverMetadata().issuer;
    const acr = typeof idClaims.acr === 'string' ? idClaims.acr : undefined;
    const amr: AuthenticationMethod[] = acr && provider.mfaAcr.includes(acr) ? ['ext', 'mfa'] : ['ext'];
    let resolved;
    try {
      resolved = await this.resolve(provider, issuer, subject, tenant, claims);
    } catch (error) {
      // Two first sign-ins of one identity (or one email) at once: the other made the link or the
      // account; this one's transaction left nothing, and a second look finds what the other made.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      resolved = await this.resolve(provider, issuer, subject, tenant, claims);
    }
    const { account, outcome } = resolved;
    return { account, amr, idToken, outcome };
  }

  /**
   * Where to send the browser on sign-out when the provider offers RP-initiated logout
   * (`end_session_endpoint`); null when it does not, or the provider is no longer configured.
   */
  async endSessionUrl(name: string, idToken: string | undefined): Promise<string | null> {
    const provider = this.providers.get(name);
    if (!provider) return null;
    try {
      const configuration = await this.configuration(provider);
      if (!configuration.serverMetadata().end_session_endpoint) return null;
      const parameters: Record<string, string> = { client_id: provider.clientId, post_logout_redirect_uri: `${this.config.publicUrl}/signed-out` };
      if (idToken) parameters.id_token_hint = idToken;
      return client.buildEndSessionUrl(configuration, parameters).href;
    } catch (error) {
      this.logger.warn({ provider: name, code: (error as { code?: unknown }).code }, 'The identity provider could not be reached to sign out there too');
      return null;
    }
  }

  private provider(name: string): OidcProviderConfig {
    const provider = this.providers.get(name);
    if (!provider) throw new OidcSignInRefusedError('unknown_provider', 'There is no such way to sign in.');
    return provider;
  }

  private configuration(provider: OidcProviderConfig): Promise<client.Configuration> {
    let configuration = this.configurations.get(provider.name);
    if (!configuration) {
      configuration = client.discovery(new URL(provider.issuer), provider.clientId, { redirect_uris: [this.redirectUri(provider.name)], response_types: ['code'] }, clientAuthentication(provider), {
        timeout: 10,
        ...(this.config.env === 'development' && provider.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {}),
      });
      this.configurations.set(provider.name, configuration);
      configuration.catch((error: unknown) => {
        this.configurations.delete(provider.name);
        this.logger.error({ provider: provider.name, code: (error as { code?: unknown }).code, reason: error instanceof Error ? error.message.slice(0, 200) : undefined }, 'OpenID Connect discovery failed');
      });
    }
    return configuration.catch(() => {
      throw new OidcSignInRefusedError('provider_unavailable', `${provider.label} cannot be reached just now. Try again in a few minutes, or sign in with your email address and password.`);
    });
  }

  /**
   * The account for an identity, in one transaction: its link; else the account whose email the
   * provider and the platform have both verified, linked now; else a new participant. Every new
   * link and account is audited. A unique (issuer, subject) makes two first sign-ins at once end
   * in one link: the loser's transaction fails and nothing of it stays.
   */
  private async resolve(provider: OidcProviderConfig, issuer: string, subject: string, tenant: string | null, claims: Claims): Promise<{ account: Account; outcome: OidcSignIn['outcome'] }> {
    return this.em.transactional(async (em) => {
      const now = new Date();
      const link = await em.findOne(IdentityLink, { issuer, subject }, { populate: ['account', 'account.person'] });
      if (link) {
        this.refuseDisabled(link.account);
        link.lastUsedAt = now;
        link.account.lastLoginAt = now;
        return { account: link.account, outcome: 'linked_before' as const };
      }
      const email = typeof claims.email === 'string' ? claims.email.trim().slice(0, 254) : '';
      const emailVerified = claims.email_verified === true;
      if (!email || !email.includes('@')) throw new OidcSignInRefusedError('no_email', `${provider.label} did not share your email address, so we cannot set up your account. Sign in with your email address and password instead.`);
      const person = await em.findOne(Person, { email });
      const existing = person ? await em.findOne(Account, { person }, { populate: ['person'] }) : null;
      if (existing) {
        if (!emailVerified || !existing.emailVerifiedAt) {
          throw new OidcSignInRefusedError(
            'email_in_use',
            `An account already uses your email address. Sign in with your email address and password${existing.emailVerifiedAt ? '' : ' after confirming your email address from the email we sent you'}, then you can use ${provider.label} next time once your email address is confirmed there too.`,
          );
        }
        this.refuseDisabled(existing);
        em.create(IdentityLink, { account: existing, provider: provider.name, issuer, subject, tenant, createdAt: now, lastUsedAt: now });
        existing.lastLoginAt = now;
        this.audit.record(em, { actorAccountId: existing.id, action: 'identity_link.create', objectType: 'account', objectId: existing.id, details: { provider: provider.name, via: 'verified_email' } });
        return { account: existing, outcome: 'linked_by_email' as const };
      }
      // A directory entry is only attached on an address the provider has verified.
      if (person && !emailVerified) throw new OidcSignInRefusedError('email_in_use', `We already know your email address, but ${provider.label} has not confirmed it belongs to you. Ask your programme lead for an invitation, or register with your email address.`);
      const organisation = await this.organisationFrom(em, claims);
      const names = namesFrom(claims, email);
      // Someone already in the directory (nominated, imported) without an account gets one; otherwise a new person.
      const subjectPerson =
        person ??
        em.create(Person, { email, givenName: names.givenName, familyName: names.familyName, organisation, createdAt: now, updatedAt: now });
      if (person && !person.organisation && organisation) {
        person.organisation = organisation;
        person.updatedAt = now;
      }
      const account = em.create(Account, { person: subjectPerson, passwordHash: null, roles: ['participant'], systemIds: [], status: 'active', createdAt: now, lastLoginAt: now, emailVerifiedAt: emailVerified ? now : null });
      em.create(IdentityLink, { account, provider: provider.name, issuer, subject, tenant, createdAt: now, lastUsedAt: now });
      if (!emailVerified) await this.verification.issue(em, account, subjectPerson, now);
      this.audit.record(em, {
        actorAccountId: account.id,
        action: 'account.provision',
        objectType: 'account',
        objectId: account.id,
        details: { provider: provider.name, emailVerified, existingPerson: Boolean(person), organisationFromClaims: Boolean(organisation) },
      });
      this.audit.record(em, { actorAccountId: account.id, action: 'identity_link.create', objectType: 'account', objectId: account.id, details: { provider: provider.name, via: 'provisioned' } });
      return { account, outcome: 'provisioned' as const };
    });
  }

  private refuseDisabled(account: Account): void {
    if (account.status !== 'active') throw new OidcSignInRefusedError('account_disabled', 'Your account has been closed. Contact your programme lead if you think this is wrong.');
  }

  /** CIS2's national RBAC roles name organisations by ODS code; the first one the directory knows is the person's. */
  private async organisationFrom(em: EntityManager, claims: Claims): Promise<Organisation | null> {
    const roles = Array.isArray(claims.nhsid_nrbac_roles) ? (claims.nhsid_nrbac_roles as unknown[]) : [];
    const codes = roles
      .map((role) => (role && typeof role === 'object' ? (role as Record<string, unknown>).org_code : undefined))
      .filter((code): code is string => typeof code === 'string' && /^[A-Za-z0-9]{3,10}$/.test(code))
      .map((code) => code.toUpperCase());
    for (const code of new Set(codes)) {
      const organisation = await em.findOne(Organisation, { odsCode: code });
      if (organisation) return organisation;
    }
    return null;
  }
}

function clientAuthentication(provider: OidcProviderConfig): client.ClientAuth {
  if (!provider.privateKeyFile) return client.ClientSecretBasic(provider.clientSecret);
  const key = createPrivateKey(readFileSync(provider.privateKeyFile));
  const algorithm =
    key.asymmetricKeyType === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : key.asymmetricKeyType === 'ec'
        ? { name: 'ECDSA', namedCurve: (key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256') as string }
        : null;
  if (!algorithm) throw new Error(`OIDC_${provider.name.toUpperCase()}_PRIVATE_KEY_FILE must hold an RSA or EC private key`);
  const cryptoKey = key.toCryptoKey(algorithm, false, ['sign']);
  return client.PrivateKeyJwt(provider.privateKeyId ? { key: cryptoKey, kid: provider.privateKeyId } : cryptoKey);
}

function namesFrom(claims: Claims, email: string): { givenName: string; familyName: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 100) : '');
  let givenName = text(claims.given_name);
  let familyName = text(claims.family_name);
  if (!givenName && !familyName) {
    const parts = text(claims.name).split(/\s+/).filter(Boolean);
    givenName = parts.slice(0, -1).join(' ') || parts[0] || '';
    familyName = parts.length > 1 ? parts[parts.length - 1]! : '';
  }
  return { givenName: givenName || email.split('@')[0]!.slice(0, 100), familyName };
}

/**
 * openid-client's message and its cause's (which claim or parameter failed: `unexpected JWT "aud"
 * (audience) claim value`…). Only messages: the error objects carry the response, tokens included.
 */
function describeError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`.slice(0, 300);
}
