import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig, RateLimitedError, REDIS } from '@slp/platform';

/**
 * Limits on the unauthenticated and email-sending account routes, shared through Redis: every
 * registration costs an argon2id hash and may send an email, so it is limited per client IP and
 * for everyone together (a ceiling on the CPU and mail an attacker can make us spend); re-sending a
 * verification email is limited per account. Keys hold IP addresses and account ids, never emails.
 */
@Injectable()
export class RegistrationRateLimiter {
  private readonly perIp: RateLimiterRedis;
  private readonly global: RateLimiterRedis;
  private readonly resends: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const prefix = `${config.redis.prefix}:register`;
    const limiter = (name: string, points: number, duration: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points, duration, insuranceLimiter: new RateLimiterMemory({ points, duration }) });
    this.perIp = limiter('ip', config.auth.registerMaxPerIp, config.auth.registerWindowSeconds);
    this.global = limiter('all', config.auth.registerMaxGlobal, config.auth.registerWindowSeconds);
    this.resends = limiter('resend', config.auth.verificationResendMaxPerHour, 3600);
  }

  /** Counts a registration from `ip`; throws {@link RateLimitedError} when this address or everyone has spent the window. */
  async admitRegistration(ip: string): Promise<void> {
    await consume(this.perIp, ip.replaceAll(':', '_'), 'Too many registrations from your network');
    await consume(this.global, 'all', 'Registration is busy');
  }

  async admitResend(accountId: string): Promise<void> {
    await consume(this.resends, accountId, 'You have asked for several verification emails recently');
  }
}

async function consume(limiter: RateLimiterRedis, key: string, reason: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new RateLimitedError(`${reason}. Try again in ${seconds} seconds.`, seconds);
  }
}
