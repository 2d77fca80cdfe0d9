import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { ReplicaHealth, ReplicaReads } from '../database/replica-reads';

export type DependencyStatus = 'up' | 'down';

export interface Readiness {
  readonly status: 'ok' | 'unavailable';
  readonly checks: { readonly database: DependencyStatus; readonly redis: DependencyStatus };
  /**
   * Only when replicas are configured. A replica down or lagging is a degraded detail, not
   * unreadiness: reports then read the primary, and nothing else ever reads a replica.
   */
  readonly replicas?: readonly ReplicaHealth[];
}

const CHECK_TIMEOUT_MS = 1_500;

/** Readiness of the process's dependencies, shared by the API's `/health/ready` and the worker. */
@Injectable()
export class HealthService {
  constructor(
    private readonly em: EntityManager,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly replicaReads: ReplicaReads,
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, redis, replicas] = await Promise.all([
      probe(() => this.em.getConnection('write').execute('select 1')),
      probe(() => pingWhenReady(this.redis)),
      this.replicaReads.configured ? this.replicaReads.health() : undefined,
    ]);
    return { status: database === 'up' && redis === 'up' ? 'ok' : 'unavailable', checks: { database, redis }, ...(replicas ? { replicas } : {}) };
  }
}

/** The shared client does not queue commands while (re)connecting, so give a connecting client its moment. */
async function pingWhenReady(redis: Redis): Promise<unknown> {
  if (redis.status !== 'ready') {
    if (redis.status === 'end') throw new Error('redis connection closed');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error('not ready')), CHECK_TIMEOUT_MS - 100);
      const onReady = () => done();
      const done = (error?: Error) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        if (error) reject(error);
        else resolve();
      };
      redis.once('ready', onReady);
    });
  }
  return redis.ping();
}

async function probe(check: () => Promise<unknown>): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
