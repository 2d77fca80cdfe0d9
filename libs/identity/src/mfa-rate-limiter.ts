import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig, RateLimitedError, REDIS } from '@slp/platform';

/** Wrong second-factor codes allowed per account in a window (LOGIN_WINDOW_SECONDS) before the sixth attempt is refused. */
export const MFA_MAX_FAILURES = 5;

/**
 * Second-factor guessing, limited per account through Redis like the sign-in limits (a 6-digit
 * code has a million values; five tries a window make guessing hopeless). Each attempt reserves a
 * point before the code is checked, so parallel guesses cannot slip past; a right code clears the
 * count. Keys hold account ids only. An in-memory limiter stands in if Redis is unreachable.
 */
@Injectable()
export class MfaRateLimiter {
  private readonly failures: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const duration = config.auth.loginWindowSeconds;
    this.failures = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.redis.prefix}:mfa:failures`,
      points: MFA_MAX_FAILURES,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points: MFA_MAX_FAILURES, duration }),
    });
  }

  /** Reserves this attempt, or throws {@link RateLimitedError} (nothing counted) once the account's wrong codes are spent. */
  async admit(accountId: string): Promise<void> {
    try {
      await this.failures.consume(accountId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      await this.failures.reward(accountId, 1).catch(() => undefined);
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new RateLimitedError(`Too many wrong codes. Try again in ${seconds} seconds.`, seconds);
    }
  }

  /** A right code: the count starts afresh. */
  async recordSuccess(accountId: string): Promise<void> {
    await this.failures.delete(accountId);
  }
}
