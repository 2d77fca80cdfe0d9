import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { OutboxService } from '@slp/notifications';
import { AccessScope, APP_CONFIG, AppConfig, AuditService, ConflictError, formatLondon, InvalidInputError, NotAuthenticatedError, REDIS, Role } from '@slp/platform';
import { Account } from './account.entity';
import { emailAccountHolder } from './account-emails';
import { AccountMfa, MfaRecoveryCode } from './mfa.entities';
import { MfaRateLimiter } from './mfa-rate-limiter';
import { SecretBox } from './secret-box';

export const TOTP_ISSUER = 'System Leadership Platform';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
/** How long a sign-in may wait for its second factor. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;
const CHALLENGE_AUDIENCE = 'slp-mfa-challenge';
const CHALLENGE_ISSUER = 'system-leadership-platform';

/**
 * Authentication methods (RFC 8176) a session began with; `mfa` is what the MFA rule looks for.
 * RFC 8176 methods, plus `ext`: signed in through an external identity provider (single sign-on),
 * whose own methods are its business; its `acr` decides whether `mfa` is added.
 */
export type AuthenticationMethod = 'pwd' | 'otp' | 'mfa' | 'ext';
export const PASSWORD_ONLY: readonly AuthenticationMethod[] = ['pwd'];
export const PASSWORD_AND_TOTP: readonly AuthenticationMethod[] = ['pwd', 'otp', 'mfa'];
export const PASSWORD_AND_RECOVERY_CODE: readonly AuthenticationMethod[] = ['pwd', 'mfa'];

export interface TotpSetup {
  /** Base32, for typing into an authenticator app. */
  readonly secret: string;
  readonly otpauthUrl: string;
  /** The otpauth URL as a QR code (SVG markup). */
  readonly qrSvg: string;
}

export interface MfaStatus {
  readonly enabled: boolean;
  /** The account's roles need MFA (MFA_REQUIRED_ROLES). */
  readonly required: boolean;
}

export interface MfaChallenge {
  readonly challengeToken: string;
  readonly expiresIn: number;
}

/** A second factor checked: who signed in, and how (for the session's `amr`). */
export interface SecondFactorResult {
  readonly account: Account;
  readonly amr: readonly AuthenticationMethod[];
}

interface ChallengeClaims {
  readonly sub: string;
  readonly jti: string;
}

type CodeKind = 'totp' | 'recovery';

/**
 * Multi-factor authentication with TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step
 * either side for clock drift) and single-use recovery codes. Service methods take an
 * {@link AccessScope} or a challenge token, so the API and the web portal call the same code.
 */
@Injectable()
export class MfaService {
  private readonly box: SecretBox;

  constructor(
    private readonly em: EntityManager,
    private readonly jwt: JwtService,
    private readonly limiter: MfaRateLimiter,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.auth.mfaEncryptionKey);
  }

  /** Whether an account with these roles must use MFA. */
  requiredFor(roles: readonly Role[]): boolean {
    return roles.some((role) => this.config.auth.mfaRequiredRoles.includes(role));
  }

  async status(accountId: string, roles: readonly Role[]): Promise<MfaStatus> {
    return { enabled: await this.isEnabled(accountId), required: this.requiredFor(roles) };
  }

  async isEnabled(accountId: string, em: EntityManager = this.em): Promise<boolean> {
    const [row] = await em.execute<{ enabled: boolean }[]>(`select exists(select 1 from account_mfa where account_id = ? and confirmed_at is not null) as enabled`, [accountId]);
    return row?.enabled === true;
  }

  /**
   * Starts (or restarts) TOTP set-up: a new random 160-bit secret (RFC 4226's recommended length),
   * stored encrypted and not yet active. 409 when MFA is already on: turn it off first.
   */
  async startTotpSetup(scope: AccessScope): Promise<TotpSetup> {
    return this.em.transactional(async (em) => {
      const account = await em.findOneOrFail(Account, { id: scope.accountId }, { populate: ['person'] });
      // The row lock orders two set-ups (and a confirmation) of one account.
      const [existing] = await em.execute<{ confirmed_at: Date | null }[]>(`select confirmed_at from account_mfa where account_id = ? for update`, [account.id]);
      if (existing?.confirmed_at) throw new ConflictError('Multi-factor sign-in is already on. Turn it off first to set up a new authenticator.');
      const secret = new Secret({ size: 20 });
      const sealed = this.box.seal(secret.base32, account.id);
      await em.execute(
        `insert into account_mfa (account_id, totp_secret, confirmed_at, last_used_step, created_at, updated_at) values (?, ?, null, null, now(), now())
         on conflict (account_id) do update set totp_secret = excluded.totp_secret, last_used_step = null, created_at = now(), updated_at = now()`,
        [account.id, sealed],
      );
      this.audit.record(em, { actorAccountId: account.id, action: 'account.mfa_setup_started', objectType: 'account', objectId: account.id });
      const otpauthUrl = this.totpFor(secret.base32, account.person.email).toString();
      return { secret: secret.base32, otpauthUrl, qrSvg: await this.qrSvg(otpauthUrl) };
    });
  }

  /**
   * The set-up begun and not yet confirmed, shown again (the same key) rather than restarted, so a
   * page reload or a mistyped code does not change the key already scanned into an app. Null when
   * none is waiting, or MFA is already on.
   */
  async pendingTotpSetup(scope: AccessScope): Promise<TotpSetup | null> {
    const [row] = await this.em.execute<{ totp_secret: string; email: string }[]>(
      `select m.totp_secret, p.email from account_mfa m join account a on a.id = m.account_id join person p on p.id = a.person_id
        where m.account_id = ? and m.confirmed_at is null`,
      [scope.accountId],
    );
    if (!row) return null;
    const secret = this.box.open(row.totp_secret, scope.accountId);
    const otpauthUrl = this.totpFor(secret, row.email).toString();
    return { secret, otpauthUrl, qrSvg: await this.qrSvg(otpauthUrl) };
  }

  /** The otpauth URL as an SVG QR code (error correction M), for the portal's set-up page. */
  async qrSvg(otpauthUrl: string): Promise<string> {
    return QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  }

  /**
   * Confirms set-up with a first code from the app: MFA is on, and ten recovery codes are made,
   * returned this once and stored only hashed. 400 for a wrong code (counted: 429 after five).
   */
  async confirmTotp(scope: AccessScope, code: string): Promise<{ recoveryCodes: string[] }> {
    await this.limiter.admit(scope.accountId);
    const recoveryCodes = await this.em.transactional(async (em) => {
      const account = await em.findOneOrFail(Account, { id: scope.accountId });
      const [row] = await em.execute<{ totp_secret: string; confirmed_at: Date | null }[]>(`select totp_secret, confirmed_at from account_mfa where account_id = ? for update`, [account.id]);
      if (!row) throw new ConflictError('Start the set-up first (POST /me/mfa/totp), then confirm it with a code from your app.');
      if (row.confirmed_at) throw new ConflictError('Multi-factor sign-in is already on.');
      const step = await this.acceptTotp(em, account.id, row.totp_secret, code, { confirm: true });
      if (step === null) return null;
      await em.nativeDelete(MfaRecoveryCode, { account: account.id });
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      for (const plain of codes) em.create(MfaRecoveryCode, { account, codeHash: hashRecoveryCode(plain), createdAt: new Date() });
      this.audit.record(em, { actorAccountId: account.id, action: 'account.mfa_enabled', objectType: 'account', objectId: account.id, details: { method: 'totp', recoveryCodes: codes.length } });
      return codes;
    });
    if (!recoveryCodes) throw wrongCode();
    await this.limiter.recordSuccess(scope.accountId);
    return { recoveryCodes };
  }

  /**
   * Turns MFA off, with a current code (TOTP or recovery code) as proof. 409 when the account's
   * role requires MFA or it is not on. The holder is emailed, in case it was not them.
   */
  async disableTotp(scope: AccessScope, code: string): Promise<void> {
    const { roles } = await this.em.findOneOrFail(Account, { id: scope.accountId }, { fields: ['roles'] });
    if (this.requiredFor(roles)) throw new ConflictError('Your role needs multi-factor sign-in, so it cannot be turned off.');
    if (!(await this.isEnabled(scope.accountId))) throw new ConflictError('Multi-factor sign-in is not on.');
    await this.limiter.admit(scope.accountId);
    const done = await this.em.transactional(async (em) => {
      const account = await em.findOneOrFail(Account, { id: scope.accountId }, { populate: ['person'] });
      const kind = await this.acceptCode(em, account, code);
      if (!kind) return false;
      await em.nativeDelete(MfaRecoveryCode, { account: account.id });
      await em.execute(`delete from account_mfa where account_id = ?`, [account.id]);
      const now = new Date();
      await emailAccountHolder(this.outbox, em, account, 'mfa_disabled', { at: now.toISOString(), atLondon: formatLondon(now), securityUrl: `${this.config.publicUrl}/account/security` }, `mfa-off:${now.toISOString()}`);
      this.audit.record(em, { actorAccountId: account.id, action: 'account.mfa_disabled', objectType: 'account', objectId: account.id, details: { proof: kind } });
      return true;
    });
    if (!done) throw wrongCode();
    await this.limiter.recordSuccess(scope.accountId);
  }

  /** After a right password for an account with MFA on: a short-lived token naming the sign-in that waits for its code. */
  async createChallenge(account: Account): Promise<MfaChallenge> {
    const claims: ChallengeClaims = { sub: account.id, jti: randomUUID() };
    const challengeToken = await this.jwt.signAsync(claims, { algorithm: 'HS256', expiresIn: MFA_CHALLENGE_TTL_SECONDS, issuer: CHALLENGE_ISSUER, audience: CHALLENGE_AUDIENCE, secret: this.config.auth.jwtSecret });
    await this.em.transactional(async (em) => {
      this.audit.record(em, { actorAccountId: account.id, action: 'account.mfa_challenge', objectType: 'account', objectId: account.id });
    });
    return { challengeToken, expiresIn: MFA_CHALLENGE_TTL_SECONDS };
  }

  /**
   * The second step of sign-in: the challenge from the password step and a code (a TOTP or a
   * recovery code). 401 for an expired, used or forged challenge and for a wrong code; 429 after
   * five wrong codes. A challenge works once: after a right code, sign in again for another.
   */
  async verifySecondFactor(challengeToken: string, code: string): Promise<SecondFactorResult> {
    let claims: ChallengeClaims;
    try {
      claims = await this.jwt.verifyAsync<ChallengeClaims>(challengeToken, { secret: this.config.auth.jwtSecret, algorithms: ['HS256'], issuer: CHALLENGE_ISSUER, audience: CHALLENGE_AUDIENCE });
    } catch {
      throw new NotAuthenticatedError('This sign-in has expired or is not valid. Sign in with your password again.');
    }
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') throw new NotAuthenticatedError('This sign-in is not valid. Sign in with your password again.');
    if (await this.challengeUsed(claims.jti)) throw new NotAuthenticatedError('This sign-in has already been completed. Sign in with your password again.');
    await this.limiter.admit(claims.sub);
    const result = await this.em.transactional(async (em) => {
      const account = await em.findOne(Account, { id: claims.sub, status: 'active' }, { populate: ['person'] });
      if (!account) return null;
      const kind = await this.acceptCode(em, account, code);
      if (!kind) {
        this.audit.record(em, { actorAccountId: null, action: 'account.mfa_failed', objectType: 'account', objectId: account.id });
        return null;
      }
      return { account, amr: kind === 'totp' ? PASSWORD_AND_TOTP : PASSWORD_AND_RECOVERY_CODE };
    });
    if (!result) throw new NotAuthenticatedError('That code is not right. Check your authenticator app and try again.');
    await this.limiter.recordSuccess(claims.sub);
    if (!(await this.claimChallenge(claims.jti))) throw new NotAuthenticatedError('This sign-in has already been completed. Sign in with your password again.');
    return result;
  }

  /** The current code of an account's authenticator (the CLI prints it for the demo's admin accounts). */
  async currentCode(accountId: string): Promise<{ secret: string; code: string } | null> {
    const [row] = await this.em.execute<{ totp_secret: string }[]>(`select totp_secret from account_mfa where account_id = ? and confirmed_at is not null`, [accountId]);
    if (!row) return null;
    const secret = this.box.open(row.totp_secret, accountId);
    return { secret, code: new TOTP({ secret: Secret.fromBase32(secret), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' }).generate() };
  }

  /**
   * Turns MFA on for a freshly created account with a given secret (the demo's admin accounts),
   * with no recovery codes: the CLI prints the secret. In the caller's transaction.
   */
  async enableWithSecret(em: EntityManager, accountId: string, base32Secret: string): Promise<void> {
    await em.execute(
      `insert into account_mfa (account_id, totp_secret, confirmed_at, last_used_step, created_at, updated_at) values (?, ?, now(), null, now(), now())
       on conflict (account_id) do nothing`,
      [accountId, this.box.seal(base32Secret, accountId)],
    );
  }

  /** Checks a TOTP or, failing that, a recovery code of an account with MFA on, using it up. */
  private async acceptCode(em: EntityManager, account: Account, code: string): Promise<CodeKind | null> {
    const [row] = await em.execute<{ totp_secret: string }[]>(`select totp_secret from account_mfa where account_id = ? and confirmed_at is not null for update`, [account.id]);
    if (!row) return null;
    const trimmed = code.replace(/\s+/g, '');
    if (/^\d{6}$/.test(trimmed)) return (await this.acceptTotp(em, account.id, row.totp_secret, trimmed, { confirm: false })) === null ? null : 'totp';
    // One conditional UPDATE spends the recovery code, so two uses cannot both count.
    const [spent] = await em.execute<{ id: string }[]>(`update mfa_recovery_code set used_at = now() where account_id = ? and code_hash = ? and used_at is null returning id`, [account.id, hashRecoveryCode(trimmed)]);
    if (!spent) return null;
    const [left] = await em.execute<{ n: string }[]>(`select count(*) as n from mfa_recovery_code where account_id = ? and used_at is null`, [account.id]);
    const remaining = Number(left?.n ?? 0);
    const now = new Date();
    await emailAccountHolder(this.outbox, em, account, 'mfa_recovery_code_used', { remaining, at: now.toISOString(), atLondon: formatLondon(now), securityUrl: `${this.config.publicUrl}/account/security` }, `recovery:${spent.id}`);
    this.audit.record(em, { actorAccountId: account.id, action: 'account.mfa_recovery_code_used', objectType: 'account', objectId: account.id, details: { remaining } });
    return 'recovery';
  }

  /**
   * A TOTP for the current step or one either side, and later than the last step accepted: the
   * conditional UPDATE records the step, so the same code (or an older one) never works twice.
   * Returns the step, or null.
   */
  private async acceptTotp(em: EntityManager, accountId: string, sealed: string, code: string, { confirm }: { confirm: boolean }): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    const totp = new TOTP({ secret: Secret.fromBase32(this.box.open(sealed, accountId)), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' });
    const timestamp = Date.now();
    const delta = totp.validate({ token: code, timestamp, window: 1 });
    if (delta === null) return null;
    const step = totp.counter({ timestamp }) + delta;
    const [accepted] = await em.execute<{ account_id: string }[]>(
      `update account_mfa set last_used_step = ?, updated_at = now()${confirm ? ', confirmed_at = now()' : ''}
        where account_id = ? and (last_used_step is null or last_used_step < ?) returning account_id`,
      [step, accountId, step],
    );
    return accepted ? step : null;
  }

  private challengeKey(jti: string): string {
    return `${this.config.redis.prefix}:mfa:challenge-used:${jti}`;
  }

  private async challengeUsed(jti: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.challengeKey(jti))) === 1;
    } catch {
      // Without Redis the code itself is still single use (its step or recovery code is spent).
      return false;
    }
  }

  /** Marks the challenge spent; false if another request spent it first. */
  private async claimChallenge(jti: string): Promise<boolean> {
    try {
      return (await this.redis.set(this.challengeKey(jti), '1', 'EX', MFA_CHALLENGE_TTL_SECONDS + 60, 'NX')) === 'OK';
    } catch {
      return true;
    }
  }

  private totpFor(base32Secret: string, label: string): TOTP {
    return new TOTP({ issuer: TOTP_ISSUER, label, secret: Secret.fromBase32(base32Secret), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' });
  }
}

/** 16 base32 characters (80 random bits) in four groups, e.g. `K7Q2-MX4P-9TZB-W3RD`; no 0/1/8/9 confusion (RFC 4648 alphabet). */
export function newRecoveryCode(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Codes are compared without case or dashes, as people type them. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toUpperCase()).digest('hex');
}

function wrongCode(): InvalidInputError {
  return new InvalidInputError('That code is not right. Check your authenticator app and try again.', [{ field: 'code', message: 'code is not a current code from your authenticator app' }]);
}
