import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig, RateLimitedError, REDIS } from '@slp/platform';

/** A sign-in attempt admitted by {@link LoginRateLimiter.admit}: settle it as a success or a failure. */
export interface LoginAttempt {
  readonly email: string;
  readonly ip: string;
}

/**
 * Sign-in throttling shared by every API replica through Redis (OWASP ASVS V2.2.1, NCSC "protect
 * against brute force"). Only wrong passwords count, in three windows:
 *
 * - per account *and* client IP: the lock an attacker meets, which leaves the account holder,
 *   signing in from elsewhere, untouched;
 * - per account from every IP: a softer, higher limit against guessing spread across addresses;
 * - per client IP whichever accounts: against credential stuffing. Successes never count, so one
 *   busy NHS network address (NAT) cannot lock its own staff out.
 *
 * Each attempt reserves a point in all three before the password is checked, so a burst of parallel
 * guesses cannot slip past the limits; a successful sign-in hands the points back. If Redis is
 * unreachable an in-memory limiter stands in, so an outage neither locks everyone out nor lifts the limit.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly failuresPerAccountAndIp: RateLimiterRedis;
  private readonly failuresPerAccount: RateLimiterRedis;
  private readonly failuresPerIp: RateLimiterRedis;
  private readonly alertAfter: number;
  private readonly alertPrefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { loginMaxFailuresPerAccountAndIp, loginMaxFailuresPerAccount, loginMaxFailuresPerIp, loginWindowSeconds: duration } = config.auth;
    const prefix = `${config.redis.prefix}:login`;
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points, duration, insuranceLimiter: new RateLimiterMemory({ points, duration }) });
    this.failuresPerAccountAndIp = limiter('account-ip', loginMaxFailuresPerAccountAndIp);
    this.failuresPerAccount = limiter('account', loginMaxFailuresPerAccount);
    this.failuresPerIp = limiter('ip', loginMaxFailuresPerIp);
    this.alertAfter = config.auth.loginAlertAfterFailures;
    this.alertPrefix = `${prefix}:alerted`;
  }

  /** Reserves the attempt's points, or throws {@link RateLimitedError} (nothing counted) if any limit is spent. */
  async admit(email: string, ip: string): Promise<LoginAttempt> {
    const reserved: [RateLimiterRedis, string][] = [];
    for (const [limiter, key] of this.keys(email, ip)) {
      try {
        await limiter.consume(key);
        reserved.push([limiter, key]);
      } catch (rejection) {
        // Refused before the password was checked: this attempt is no failure of anyone's.
        await Promise.all([[limiter, key] as const, ...reserved].map(([l, k]) => l.reward(k, 1).catch(() => undefined)));
        if (rejection instanceof RateLimiterRes) throw limited(rejection);
        throw rejection;
      }
    }
    return { email, ip };
  }

  /** The right password: the account–IP pair starts afresh and the reserved points are handed back. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const [[pair, pairKey], [account, accountKey], [ip, ipKey]] = this.keys(attempt.email, attempt.ip);
    await Promise.all([pair.delete(pairKey), account.reward(accountKey, 1), ip.reward(ipKey, 1)]);
  }

  /**
   * A wrong password: its reserved points stand. True the first time in a window that the account's
   * failures from all addresses reach the alert threshold, so its holder is emailed once per window.
   */
  async recordFailure(attempt: LoginAttempt): Promise<boolean> {
    const key = accountKeyOf(attempt.email);
    const failures = await this.failuresPerAccount.get(key);
    if (!failures || failures.consumedPoints < this.alertAfter) return false;
    try {
      const first = await this.redis.set(`${this.alertPrefix}:${key}`, '1', 'PX', Math.max(1, failures.msBeforeNext), 'NX');
      return first === 'OK';
    } catch {
      // Without Redis the once-per-window promise cannot be kept; the outbox dedupe key still bounds it.
      return true;
    }
  }

  private keys(email: string, ip: string): [RateLimiterRedis, string][] {
    const account = accountKeyOf(email);
    return [
      [this.failuresPerAccountAndIp, `${account}:${ipKeyOf(ip)}`],
      [this.failuresPerAccount, account],
      [this.failuresPerIp, ipKeyOf(ip)],
    ];
  }
}

/** Keys hold a hash, not the email: Redis is no place for personal data. */
function accountKeyOf(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/** IPv6 addresses contain colons, which would blur the key's parts. */
function ipKeyOf(ip: string): string {
  return ip.replaceAll(':', '_');
}

function limited(result: RateLimiterRes): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  return new RateLimitedError(`Too many sign-in attempts. Try again in ${seconds} seconds.`, seconds);
}
