import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, REDIS } from '@slp/platform';

/** How long the guard waits for Redis before asking PostgreSQL instead. */
const REDIS_TIMEOUT_MS = 300;

/**
 * Signed-out sessions, so an access token stops working the moment its session ends rather than
 * when it expires (OWASP ASVS V3.3.1). A session is a refresh-token family; its id is the access
 * token's `sid`. Revoking one sets a Redis key that lives as long as an access token can (no
 * token of the session can outlive it), and every authenticated request checks that key. No
 * in-process cache: one Redis round trip is cheaper than explaining a window in which a signed-out
 * token still works.
 *
 * PostgreSQL is the record (the family's `revoked_at`); Redis is the fast path. When Redis does
 * not answer, the check asks PostgreSQL instead (fail closed, never open).
 */
@Injectable()
export class SessionRevocations {
  private readonly logger = new Logger(SessionRevocations.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Marks the session revoked in Redis; false when Redis could not be told (the database already was). */
  async markRevoked(sessionId: string): Promise<boolean> {
    try {
      // A minute beyond the access token lifetime covers clocks a little apart.
      await withTimeout(this.redis.set(this.key(sessionId), '1', 'EX', this.config.auth.accessTokenTtlSeconds + 60));
      return true;
    } catch (error) {
      this.logger.warn({ err: error, sessionId }, 'Could not mark a revoked session in Redis');
      return false;
    }
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    try {
      return (await withTimeout(this.redis.exists(this.key(sessionId)))) === 1;
    } catch {
      return this.revokedInDatabase(sessionId);
    }
  }

  private async revokedInDatabase(sessionId: string): Promise<boolean> {
    const [row] = await this.em.execute<{ revoked: boolean }[]>(`select exists(select 1 from refresh_token where family_id = ? and revoked_at is not null) as revoked`, [sessionId]);
    return row?.revoked === true;
  }

  /** The id is a random UUID, not personal data, so it can be part of the key. */
  private key(sessionId: string): string {
    return `${this.config.redis.prefix}:session:revoked:${sessionId}`;
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
