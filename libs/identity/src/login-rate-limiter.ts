import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig, RateLimitedError, REDIS } from '@slp/platform';

/**
 * Login throttling shared by every API replica through Redis (OWASP ASVS V2.2.1): failed attempts
 * per account, and all attempts per client IP. If Redis is unreachable an in-memory limiter
 * stands in, so an outage neither locks everyone out nor lifts the limit.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly failuresPerAccount: RateLimiterRedis;
  private readonly attemptsPerIp: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const { loginMaxFailuresPerAccount, loginMaxAttemptsPerIp, loginWindowSeconds: duration } = config.auth;
    const prefix = `${config.redis.prefix}:login`;
    this.failuresPerAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:account`,
      points: loginMaxFailuresPerAccount,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points: loginMaxFailuresPerAccount, duration }),
    });
    this.attemptsPerIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:ip`,
      points: loginMaxAttemptsPerIp,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points: loginMaxAttemptsPerIp, duration }),
    });
  }

  /** Counts an attempt from `ip` and throws {@link RateLimitedError} if either limit is spent. */
  async admit(email: string, ip: string): Promise<void> {
    const failures = await this.failuresPerAccount.get(accountKey(email));
    if (failures && failures.remainingPoints <= 0) throw limited(failures);
    try {
      await this.attemptsPerIp.consume(ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw limited(rejection);
      throw rejection;
    }
  }

  async recordFailure(email: string): Promise<void> {
    await this.failuresPerAccount.consume(accountKey(email)).catch((rejection: unknown) => {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    });
  }

  async recordSuccess(email: string): Promise<void> {
    await this.failuresPerAccount.delete(accountKey(email));
  }
}

/** Keys hold a hash, not the email: Redis is no place for personal data. */
function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

function limited(result: RateLimiterRes): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  return new RateLimitedError(`Too many sign-in attempts. Try again in ${seconds} seconds.`, seconds);
}
