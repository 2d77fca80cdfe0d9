import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from '@mikro-orm/postgresql';
import { Organisation } from '@slp/directory';
import { createSecretKey, KeyObject } from 'node:crypto';
import { APP_CONFIG, AppConfig, AuditService, InvalidInputError, newId, NotAuthenticatedError, PasswordHasher, Principal, Role, ServiceUnavailableError } from '@slp/platform';
import { OutboxService } from '@slp/notifications';
import { Account } from './account.entity';
import { EmailVerificationService } from './email-verification.service';
import { InvitationsService } from './invitations.service';
import { LoginRateLimiter } from './login-rate-limiter';
import { RegistrationRateLimiter } from './registration-rate-limiter';
import { Person } from './person.entity';
import { RefreshToken } from './refresh-token.entity';
import { AuthenticationMethod, PASSWORD_ONLY } from './mfa.service';
import { hashSecretToken, newSecretToken } from './secret-token';
import { SessionRevocations } from './session-revocations';

export const JWT_ISSUER = 'system-leadership-platform';
export const JWT_AUDIENCE = 'slp-api';
export const JWT_ALGORITHM = 'HS256';

export interface RegisterInput {
  readonly email: string;
  readonly password: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly organisationId?: string;
}

/** What registration answers: the same shape whether or not the email was new. */
export interface Registration {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly Role[];
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly account: Account;
  /** The session (refresh-token family) these tokens belong to: the access token's `sid`. */
  readonly sessionId: string;
}

/** Claims of an access token; roles are re-read from the database on every request. */
export interface AccessTokenClaims {
  readonly sub: string;
  /** The session (refresh-token family) the token belongs to: signing out of it ends the token too. */
  readonly sid: string;
  /** How the session's sign-in was authenticated (RFC 8176): `mfa` when a second factor was given. */
  readonly amr?: readonly string[];
  readonly exp?: number;
}

/** How a session to end is named at sign-out: its refresh token, or an access token of it (already verified). */
export interface LogoutInput {
  readonly refreshToken?: string;
  readonly accessTokenClaims?: AccessTokenClaims | null;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly limiter: LoginRateLimiter,
    private readonly registrations: RegistrationRateLimiter,
    private readonly verification: EmailVerificationService,
    private readonly invitations: InvitationsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly sessions: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A key object built once: a string secret is turned into a key on every verification.
    this.verificationKey = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
  }

  private readonly verificationKey: KeyObject;

  /**
   * Self-registration, answered alike whatever the platform knows about the email, so it is no
   * oracle for who is in the directory or has an account (OWASP ASVS V2.1, account enumeration).
   * The address's owner learns the next step by email instead: a new account's verification link;
   * for someone already in the directory without a (proved) account, an invitation to set their
   * password; for an existing account, a note that someone tried to register with it. A new
   * person's organisation is only proposed, for a lead or admin of that system to confirm.
   */
  async register(input: RegisterInput, ip: string): Promise<Registration> {
    await this.registrations.admitRegistration(ip);
    // The same argon2 work on every path, so timing does not tell them apart either.
    const passwordHash = await this.hasher.hash(input.password);
    return this.em.transactional(async (em) => {
      const organisation = input.organisationId ? await em.findOne(Organisation, { id: input.organisationId }) : null;
      if (input.organisationId && !organisation) {
        throw new InvalidInputError(`There is no organisation ${input.organisationId}.`, [{ field: 'organisationId', message: 'organisationId must be an existing organisation' }]);
      }
      const now = new Date();
      const existing = await em.findOne(Person, { email: input.email });
      if (!existing) {
        const person = em.create(Person, { email: input.email, givenName: input.givenName, familyName: input.familyName, organisation: null, pendingOrganisation: organisation, employmentProposedAt: organisation ? now : null, createdAt: now, updatedAt: now });
        const account = em.create(Account, { person, passwordHash, roles: ['participant'], systemIds: [], status: 'active', createdAt: now, emailVerifiedAt: null });
        await this.verification.issue(em, account, person, now);
        this.audit.record(em, { actorAccountId: account.id, action: 'account.register', objectType: 'account', objectId: account.id, details: organisation ? { employmentProposed: true } : {} });
        return { id: account.id, email: person.email, roles: account.roles };
      }
      const account = await em.findOne(Account, { person: existing });
      if (account?.passwordHash && account.emailVerifiedAt) {
        // At most one such note an hour, however often someone tries.
        await this.outbox.enqueue(em, {
          kind: 'registration_existing_account',
          recipient: { personId: existing.id, email: existing.email, name: `${existing.givenName} ${existing.familyName}` },
          subject: { type: 'account', id: account.id },
          occasion: now.toISOString().slice(0, 13),
          data: { givenName: existing.givenName, signInUrl: `${this.config.publicUrl}/sign-in` },
        });
      } else {
        // Known, but with no account whose owner proved the address: they set a password from the link.
        await this.invitations.issue(em, existing, now, 'registration_known_person');
      }
      this.audit.record(em, { actorAccountId: null, action: 'account.register_known_email', objectType: 'person', objectId: existing.id, details: { emailed: account?.passwordHash && account.emailVerifiedAt ? 'existing_account' : 'invitation' } });
      // A fresh id, as a new account would have: it names nothing.
      return { id: newId(), email: input.email, roles: ['participant'] };
    });
  }

  /**
   * Checks credentials. Unknown email, wrong password and disabled account all answer the same
   * 401, after the same argon2 work, so the answer does not reveal which emails have accounts.
   */
  async verifyCredentials(email: string, password: string, ip: string): Promise<Account> {
    const attempt = await this.limiter.admit(email, ip);
    const account = await this.em.findOne(Account, { person: { email } }, { populate: ['person'] });
    const valid = await this.hasher.verify(account?.passwordHash, password);
    if (!account || !valid || account.status !== 'active') {
      const alert = await this.limiter.recordFailure(attempt);
      await this.em.transactional(async (em) => {
        this.audit.record(em, { actorAccountId: null, action: 'account.login_failed', objectType: 'account', objectId: account?.id ?? null });
        if (alert && account) await this.alertHolder(em, account);
      });
      throw new NotAuthenticatedError('The email or password is not right.');
    }
    await this.limiter.recordSuccess(attempt);
    if (this.hasher.needsRehash(account.passwordHash!)) account.passwordHash = await this.hasher.hash(password);
    return account;
  }

  /** Tells the account holder someone keeps getting their password wrong (once per rate-limit window). */
  private async alertHolder(em: EntityManager, account: Account): Promise<void> {
    const { person } = account;
    const windowMinutes = Math.max(1, Math.round(this.config.auth.loginWindowSeconds / 60));
    await this.outbox.enqueue(em, {
      kind: 'sign_in_attempts_alert',
      recipient: { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` },
      subject: { type: 'account', id: account.id },
      occasion: Math.floor(Date.now() / (this.config.auth.loginWindowSeconds * 1000)),
      data: { givenName: person.givenName, failures: this.config.auth.loginAlertAfterFailures, windowMinutes, signInUrl: `${this.config.publicUrl}/sign-in` },
    });
    this.audit.record(em, { actorAccountId: null, action: 'account.sign_in_alert', objectType: 'account', objectId: account.id });
  }

  /**
   * Starts a session for an account whose credentials were just verified: a new refresh token
   * family, remembering how the sign-in was authenticated (`amr`: a password only, or with a second factor).
   */
  async startSession(account: Account, amr: readonly AuthenticationMethod[] = PASSWORD_ONLY): Promise<TokenPair> {
    return this.em.transactional(async (em) => {
      // The fork shares the identity map, so a rehashed password from verifyCredentials is saved too.
      account.lastLoginAt = new Date();
      this.audit.record(em, { actorAccountId: account.id, action: 'account.login', objectType: 'account', objectId: account.id, details: { amr: [...amr] } });
      return this.issue(em, account, newId(), amr);
    });
  }

  /** Exchanges a refresh token for a new pair. Each token works once; reusing one revokes its family. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashSecretToken(refreshToken);
    const pair = await this.em.transactional(async (em) => {
      // One conditional UPDATE claims the token, so two concurrent uses cannot both succeed.
      const claimed = await em.execute<{ account_id: string; family_id: string; amr: string[] }[]>(
        `update refresh_token set used_at = now()
          where token_hash = ? and used_at is null and revoked_at is null and expires_at > now()
          returning account_id, family_id, amr`,
        [tokenHash],
      );
      const row = claimed[0];
      const account = row ? await em.findOne(Account, { id: row.account_id, status: 'active' }, { populate: ['person'] }) : null;
      if (!row || !account) return null;
      this.audit.record(em, { actorAccountId: account.id, action: 'account.refresh', objectType: 'account', objectId: account.id });
      return this.issue(em, account, row.family_id, row.amr);
    });
    if (pair) return pair;
    await this.revokeIfReused(tokenHash);
    throw new NotAuthenticatedError('This refresh token is not valid. Sign in again.');
  }

  /**
   * A spent token presented again means it was copied: revoke every token of its family, so
   * whoever holds the newer one must sign in again (OAuth 2.0 Security BCP, refresh token rotation).
   */
  private async revokeIfReused(tokenHash: string): Promise<void> {
    const familyId = await this.em.transactional(async (em) => {
      const spent = await em.findOne(RefreshToken, { tokenHash, usedAt: { $ne: null }, revokedAt: null });
      if (!spent) return null;
      await em.nativeUpdate(RefreshToken, { familyId: spent.familyId, revokedAt: null }, { revokedAt: new Date() });
      this.audit.record(em, { actorAccountId: null, action: 'refresh_token.reuse_detected', objectType: 'account', objectId: spent.account.id });
      return spent.familyId;
    });
    // The access tokens of the family stop too: the thief may hold one.
    if (familyId) await this.sessions.markRevoked(familyId);
  }

  /**
   * Ends one session (this device's sign-in): every refresh token of its family and, at once,
   * every access token carrying its `sid`. Ending an unknown or already ended session is not an
   * error. If Redis cannot be told, the database is (and is what the guard falls back to), but a
   * 503 tells the client to try again so the fast path learns of it too.
   */
  async logout(input: LogoutInput): Promise<void> {
    const ended = await this.em.transactional(async (em) => {
      const found: { familyId: string; accountId: string }[] = [];
      if (input.refreshToken) {
        const token = await em.findOne(RefreshToken, { tokenHash: hashSecretToken(input.refreshToken) });
        if (token) found.push({ familyId: token.familyId, accountId: token.account.id });
      }
      const claims = input.accessTokenClaims;
      if (claims && !found.some((session) => session.familyId === claims.sid)) found.push({ familyId: claims.sid, accountId: claims.sub });
      for (const session of found) {
        await em.nativeUpdate(RefreshToken, { familyId: session.familyId, account: session.accountId, revokedAt: null }, { revokedAt: new Date() });
        this.audit.record(em, { actorAccountId: session.accountId, action: 'account.logout', objectType: 'account', objectId: session.accountId });
      }
      return found;
    });
    const marked = await Promise.all(ended.map((session) => this.sessions.markRevoked(session.familyId)));
    if (marked.includes(false)) throw new ServiceUnavailableError('You are signed out here, but not every server could be told yet. Sign out again in a moment.');
  }

  /**
   * The claims of a genuine, unexpired access token of a live session, or null. The same checks
   * as the API's JwtStrategy: HS256 only, issuer, audience, expiry, then the session.
   */
  async verifyAccessToken(token: string | undefined, audience: string = JWT_AUDIENCE): Promise<AccessTokenClaims | null> {
    if (!token) return null;
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { secret: this.verificationKey as unknown as Buffer, algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience });
    } catch {
      return null;
    }
    return (await this.sessionIsLive(claims)) ? claims : null;
  }

  /** Whether the claims name a session (every token we issue does) that has not been signed out. */
  async sessionIsLive(claims: Partial<AccessTokenClaims>): Promise<boolean> {
    return typeof claims.sid === 'string' && UUID.test(claims.sid) && !(await this.sessions.isRevoked(claims.sid));
  }

  /**
   * The principal behind an access token's subject, or null when it names no active account (or is
   * not an id at all). `amr` is the token's: a role that needs MFA, in a session begun without a
   * second factor, is held to the MFA set-up ({@link Principal.mfaPending}).
   */
  async principalFor(accountId: unknown, amr: unknown = []): Promise<Principal | null> {
    if (typeof accountId !== 'string' || !UUID.test(accountId)) return null;
    // Runs on every authenticated request: one indexed lookup, without entity hydration.
    const [account] = await this.em.execute<{ id: string; person_id: string; roles: Role[]; system_ids: string[]; email_verified: boolean }[]>(
      `select id, person_id, roles, system_ids, email_verified_at is not null as email_verified from account where id = ? and status = 'active'`,
      [accountId],
    );
    if (!account) return null;
    const mfaRequired = account.roles.some((role) => this.config.auth.mfaRequiredRoles.includes(role));
    const mfaSatisfied = Array.isArray(amr) && amr.includes('mfa');
    return { accountId: account.id, personId: account.person_id, roles: account.roles, systemIds: account.system_ids, emailVerified: account.email_verified, mfaPending: mfaRequired && !mfaSatisfied };
  }

  /**
   * The principal of a portal session: the account must be active and the session (refresh-token
   * family) neither signed out nor expired. Read from PostgreSQL, the record, on every request:
   * the portal's cookie names the session but is never the authority on whether it still stands.
   * The session's own record says how it was authenticated (amr), so the MFA rule holds as in the API.
   */
  async principalForSession(accountId: unknown, sessionId: unknown): Promise<Principal | null> {
    if (typeof accountId !== 'string' || !UUID.test(accountId) || typeof sessionId !== 'string' || !UUID.test(sessionId)) return null;
    const [account] = await this.em.execute<{ id: string; person_id: string; roles: Role[]; system_ids: string[]; email_verified: boolean; amr: string[] | null }[]>(
      `select a.id, a.person_id, a.roles, a.system_ids, a.email_verified_at is not null as email_verified, t.amr
         from account a
         join lateral (select t.amr from refresh_token t
                        where t.family_id = ? and t.account_id = a.id and t.revoked_at is null and t.expires_at > now()
                        order by t.created_at desc limit 1) t on true
        where a.id = ? and a.status = 'active'`,
      [sessionId, accountId],
    );
    if (!account) return null;
    const mfaRequired = account.roles.some((role) => this.config.auth.mfaRequiredRoles.includes(role));
    const mfaSatisfied = Array.isArray(account.amr) && account.amr.includes('mfa');
    return { accountId: account.id, personId: account.person_id, roles: account.roles, systemIds: account.system_ids, emailVerified: account.email_verified, mfaPending: mfaRequired && !mfaSatisfied, sessionId };
  }

  /**
   * Ends every session of an account (password reset or change, "sign out everywhere"), in the
   * caller's transaction: every refresh token is revoked. `alsoSessionIds` names sessions that may
   * have no refresh token row (the caller's own). Returns the session ids to mark in Redis once
   * the transaction commits ({@link markSessionsRevoked}).
   */
  async revokeAllSessions(em: EntityManager, accountId: string, alsoSessionIds: readonly string[] = []): Promise<string[]> {
    const rows = await em.execute<{ family_id: string }[]>(`update refresh_token set revoked_at = now() where account_id = ? and revoked_at is null returning family_id`, [accountId]);
    return [...new Set([...rows.map((row) => row.family_id), ...alsoSessionIds])];
  }

  /** Tells Redis the sessions ended (their access tokens stop at once); false if it could not be told of every one. */
  async markSessionsRevoked(sessionIds: readonly string[]): Promise<boolean> {
    const marked = await Promise.all(sessionIds.map((id) => this.sessions.markRevoked(id)));
    return !marked.includes(false);
  }

  private async issue(em: EntityManager, account: Account, familyId: string, amr: readonly string[]): Promise<TokenPair> {
    const { token: refreshToken, hash: refreshTokenHash } = newSecretToken();
    em.create(RefreshToken, {
      account,
      tokenHash: refreshTokenHash,
      familyId,
      amr: [...amr],
      expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlDays * 86_400_000),
      createdAt: new Date(),
    });
    const expiresIn = this.config.auth.accessTokenTtlSeconds;
    const claims: AccessTokenClaims = { sub: account.id, sid: familyId, amr: [...amr] };
    const accessToken = await this.jwt.signAsync(claims, { algorithm: JWT_ALGORITHM, expiresIn, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, secret: this.config.auth.jwtSecret });
    return { accessToken, refreshToken, expiresIn, account, sessionId: familyId };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
