import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { OutboxService } from '@slp/notifications';
import { AccessScope, APP_CONFIG, AppConfig, AuditService, ConflictError, formatLondon, InvalidInputError, NotFoundError, PasswordHasher, RateLimitedError, REDIS, ServiceUnavailableError } from '@slp/platform';
import { Account } from './account.entity';
import { emailAccountHolder } from './account-emails';
import { AuthService } from './auth.service';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordReset } from './mfa.entities';
import { hashSecretToken, newSecretToken } from './secret-token';

export const PASSWORD_RESET_TTL_MINUTES = 60;
/** Reset emails one account is sent per hour, however often they are asked for (the rest are dropped, still answered 202). */
const RESETS_PER_ACCOUNT_PER_HOUR = 3;

/**
 * Limits on reset requests, through Redis: per client IP (429: it says nothing about any email), and
 * per account (silently: a 429 there would reveal that the email has an account).
 */
@Injectable()
export class PasswordResetRateLimiter {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.redis.prefix}:password-reset:${name}`, points, duration: 3600, insuranceLimiter: new RateLimiterMemory({ points, duration: 3600 }) });
    this.perIp = limiter('ip', config.auth.passwordResetMaxPerIp);
    this.perAccount = limiter('account', RESETS_PER_ACCOUNT_PER_HOUR);
  }

  async admitRequest(ip: string): Promise<void> {
    try {
      await this.perIp.consume(ip.replaceAll(':', '_'));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new RateLimitedError(`Too many password reset requests from your network. Try again in ${seconds} seconds.`, seconds);
    }
  }

  /** Whether another email may go to this account this hour. */
  async mayEmail(accountId: string): Promise<boolean> {
    try {
      await this.perAccount.consume(accountId);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return false;
    }
  }
}

/**
 * Password reset by an emailed single-use link, password change, and "sign out everywhere". Each
 * ends every session of the account (refresh tokens in PostgreSQL, access tokens through the
 * session revocation marks in Redis), and a changed password is told to its holder by email.
 */
@Injectable()
export class PasswordService {
  private readonly logger = new Logger(PasswordService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly auth: AuthService,
    private readonly loginLimiter: LoginRateLimiter,
    private readonly limiter: PasswordResetRateLimiter,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Emails a reset link to the address if it belongs to an active account. The caller always hears
   * the same (202), so this is no oracle for which emails have accounts. A new link replaces older ones.
   */
  async requestPasswordReset(email: string, ip: string): Promise<void> {
    await this.limiter.admitRequest(ip);
    const account = await this.em.findOne(Account, { person: { email }, status: 'active' }, { populate: ['person'] });
    if (!account || !(await this.limiter.mayEmail(account.id))) return;
    await this.em.transactional(async (em) => {
      const now = new Date();
      await em.nativeUpdate(PasswordReset, { account: account.id, usedAt: null }, { usedAt: now });
      const { token, hash } = newSecretToken();
      const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MINUTES * 60_000);
      const reset = em.create(PasswordReset, { account, tokenHash: hash, expiresAt, createdAt: now });
      const { person } = account;
      await this.outbox.enqueue(em, {
        kind: 'password_reset',
        recipient: { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` },
        subject: { type: 'password_reset', id: reset.id },
        data: {
          givenName: person.givenName,
          resetUrl: `${this.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`,
          expiresInMinutes: PASSWORD_RESET_TTL_MINUTES,
          expiresAt: expiresAt.toISOString(),
          expiresAtLondon: formatLondon(expiresAt),
        },
      });
      this.audit.record(em, { actorAccountId: null, action: 'account.password_reset_requested', objectType: 'account', objectId: account.id });
    });
  }

  /**
   * Sets a new password from a reset link, once. Each way it can fail has its own answer: not a
   * link we sent (404), already used (409), expired (400). Every session of the account ends.
   * Following the link proves the address, so an unverified account becomes verified. MFA, if on,
   * stays on: the next sign-in still asks for a code.
   */
  async confirmPasswordReset(token: string, password: string): Promise<void> {
    const tokenHash = hashSecretToken(token);
    const refuse = (em: EntityManager): Promise<never> => this.refuseResetLink(em, tokenHash);
    // A link that cannot work is refused before the argon2 hash: an unauthenticated route must not spend CPU on guesses.
    const [usable] = await this.em.execute<{ ok: boolean }[]>(`select true as ok from password_reset where token_hash = ? and used_at is null and expires_at > now()`, [tokenHash]);
    if (!usable) await refuse(this.em);
    const passwordHash = await this.hasher.hash(password);
    const ended = await this.em.transactional(async (em) => {
      // One conditional UPDATE claims the link, so two uses at once cannot both set a password.
      const [claimed] = await em.execute<{ account_id: string }[]>(
        `update password_reset set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning account_id`,
        [tokenHash],
      );
      if (!claimed) await refuse(em);
      const account = await em.findOne(Account, { id: claimed!.account_id, status: 'active' }, { populate: ['person'] });
      if (!account) throw new ConflictError('This account is not active, so its password cannot be reset.');
      account.passwordHash = passwordHash;
      account.emailVerifiedAt ??= new Date();
      await em.nativeUpdate(PasswordReset, { account: account.id, usedAt: null }, { usedAt: new Date() });
      const sessions = await this.auth.revokeAllSessions(em, account.id);
      await this.passwordChangedEmail(em, account, 'reset');
      this.audit.record(em, { actorAccountId: account.id, action: 'account.password_reset', objectType: 'account', objectId: account.id, details: { sessionsEnded: sessions.length } });
      return sessions;
    });
    // The password is set and the database has ended the sessions; Redis not hearing of it is logged, not failed.
    if (!(await this.auth.markSessionsRevoked(ended))) this.logger.warn('Could not mark every revoked session in Redis after a password reset');
  }

  /**
   * Whether a reset link can still be used, without using it (the portal asks before showing the
   * form, so nobody types a new password into a dead link): resolves, or throws as
   * {@link confirmPasswordReset} would (404 not ours, 409 used, 400 expired).
   */
  async checkPasswordResetLink(token: string): Promise<void> {
    const tokenHash = hashSecretToken(token);
    const [usable] = await this.em.execute<{ ok: boolean }[]>(`select true as ok from password_reset where token_hash = ? and used_at is null and expires_at > now()`, [tokenHash]);
    if (!usable) await this.refuseResetLink(this.em, tokenHash);
  }

  /** Why a reset link cannot be used, as the error each case answers with. */
  private async refuseResetLink(em: EntityManager, tokenHash: string): Promise<never> {
    const link = await em.findOne(PasswordReset, { tokenHash });
    if (!link) throw new NotFoundError('This password reset link is not one we sent. Check you copied the whole link from the email.');
    if (link.usedAt) throw new ConflictError('This password reset link has already been used, or a newer one was sent. Ask for a new link if you still need one.');
    throw new InvalidInputError('This password reset link has expired. Ask for a new one.', [{ field: 'token', message: 'token has expired' }]);
  }

  /**
   * The signed-in holder changes their password, giving the current one (wrong answers count
   * towards the sign-in limits). Every session of the account ends, this one too: sign in again.
   */
  async changePassword(scope: AccessScope, currentPassword: string, newPassword: string, ip: string, currentSessionId?: string): Promise<void> {
    const account = await this.em.findOneOrFail(Account, { id: scope.accountId }, { populate: ['person'] });
    const attempt = await this.loginLimiter.admit(account.person.email, ip);
    if (!(await this.hasher.verify(account.passwordHash, currentPassword))) {
      await this.loginLimiter.recordFailure(attempt);
      throw new InvalidInputError('Your current password is not right.', [{ field: 'currentPassword', message: 'currentPassword is not your current password' }]);
    }
    await this.loginLimiter.recordSuccess(attempt);
    if (currentPassword === newPassword) throw new InvalidInputError('Choose a new password that differs from the current one.', [{ field: 'newPassword', message: 'newPassword must differ from currentPassword' }]);
    const passwordHash = await this.hasher.hash(newPassword);
    const ended = await this.em.transactional(async (em) => {
      account.passwordHash = passwordHash;
      await em.nativeUpdate(PasswordReset, { account: account.id, usedAt: null }, { usedAt: new Date() });
      const sessions = await this.auth.revokeAllSessions(em, account.id, currentSessionId ? [currentSessionId] : []);
      await this.passwordChangedEmail(em, account, 'change');
      this.audit.record(em, { actorAccountId: account.id, action: 'account.password_change', objectType: 'account', objectId: account.id, details: { sessionsEnded: sessions.length } });
      return sessions;
    });
    if (!(await this.auth.markSessionsRevoked(ended))) this.logger.warn('Could not mark every revoked session in Redis after a password change');
  }

  /** Ends every session of the caller's account, this one included. 503 if Redis could not be told (try again). */
  async signOutEverywhere(scope: AccessScope, currentSessionId?: string): Promise<void> {
    const ended = await this.em.transactional(async (em) => {
      const sessions = await this.auth.revokeAllSessions(em, scope.accountId, currentSessionId ? [currentSessionId] : []);
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'account.logout_everywhere', objectType: 'account', objectId: scope.accountId, details: { sessionsEnded: sessions.length } });
      return sessions;
    });
    if (!(await this.auth.markSessionsRevoked(ended))) throw new ServiceUnavailableError('Your sessions are ended, but not every server could be told yet. Try again in a moment.');
  }

  private async passwordChangedEmail(em: EntityManager, account: Account, how: 'reset' | 'change'): Promise<void> {
    const now = new Date();
    await emailAccountHolder(this.outbox, em, account, 'password_changed', { how, at: now.toISOString(), atLondon: formatLondon(now), resetUrl: `${this.config.publicUrl}/forgotten-password` }, `password:${now.toISOString()}`);
  }
}
