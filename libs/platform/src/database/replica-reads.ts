import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { TransactionContext } from '@mikro-orm/core';
import { MikroORM, PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

/**
 * The reads a streaming replica may answer, and only these: report and export queries, which
 * tolerate a few seconds' lag and say how fresh they are. Everything else (every ORM read, and any
 * read inside or after a write) goes to the primary, so a record just written never answers 404.
 * MikroORM is given no replicas at all (see `ormOptions`): a replica read is always one named here.
 */
export const REPLICA_READS = ['report.pipeline', 'report.equality', 'report.cohort', 'report.pipeline-people', 'export.pipeline-people'] as const;
export type ReplicaRead = (typeof REPLICA_READS)[number];

export type ReplicaStatus = 'up' | 'lagging' | 'down';

/** One replica as last checked: `lagging` means further behind than `REPLICA_MAX_LAG_SECONDS` (or by an unknown amount). */
export interface ReplicaHealth {
  readonly name: string;
  readonly status: ReplicaStatus;
  readonly lagSeconds: number | null;
}

/** Where a read went and how far behind the primary that was. */
export interface ReadSource {
  readonly source: 'primary' | 'replica';
  /** `replica-1`, `replica-2`… (in the order of `DATABASE_REPLICA_URLS`) when a replica answered. */
  readonly replica?: string;
  /** The replica's replay lag when last checked; 0 on the primary. */
  readonly lagSeconds: number;
  /** The source's data is complete up to this instant (the check's time minus the lag). */
  readonly asOf: Date;
}

/** Raw SQL with `?` placeholders, run the way `em.getConnection().execute` runs it (same value formatting and type parsing). */
export interface SqlReader {
  execute<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** How often a replica's lag is measured, at most; readers in between use the last measurement. */
export const REPLICA_CHECK_INTERVAL_MS = 3_000;
/** A replica that does not accept a connection within this is down: reports never wait on it for long. */
const CONNECT_TIMEOUT_MS = 1_000;
const CHECK_TIMEOUT_MS = 1_500;
/** Connections each replica (and the primary, for report fallbacks and exports) keeps for reports. */
const REPORT_POOL_MAX = 4;

/**
 * Replay lag as the replica sees it. `now() - pg_last_xact_replay_timestamp()` alone grows while the
 * primary is idle although nothing is missing, so a replica that is streaming and has replayed all it
 * received counts as 0. Without a streaming WAL receiver it may be missing anything: then the time
 * since its last replayed commit is all we know (seeing `pg_stat_wal_receiver.status` needs
 * `pg_read_all_stats`, else this errs on the side of the primary). A server not in recovery is a primary.
 */
const LAG_SQL = `select pg_is_in_recovery() as standby,
       coalesce(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false)
         and exists (select 1 from pg_stat_wal_receiver where status = 'streaming') as caught_up,
       extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as behind`;

interface Target {
  readonly name: string;
  readonly connection: PostgreSqlConnection;
  state?: { readonly status: ReplicaStatus; readonly lagSeconds: number | null; readonly checkedAt: number };
  checking?: Promise<void>;
}

/**
 * Routes the reads named in {@link REPLICA_READS} to the freshest replica that is up and within
 * `REPLICA_MAX_LAG_SECONDS`, measuring each replica's lag at most every few seconds, and to the
 * primary when none qualifies or the chosen one fails to answer (it is then treated as down until
 * its next check). Reports use their own small pools, on the replicas and on the primary alike, so a
 * heavy export never takes the API's connections.
 */
@Injectable()
export class ReplicaReads implements OnApplicationShutdown {
  private readonly replicas: Target[];
  private readonly primary: Target;
  private readonly maxLagSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly orm: MikroORM,
  ) {
    this.maxLagSeconds = config.database.replicaMaxLagSeconds;
    this.replicas = config.database.replicaUrls.map((url, i) => ({ name: `replica-${i + 1}`, connection: this.connectionTo(`replica-${i + 1}`, url) }));
    this.primary = { name: 'primary', connection: this.connectionTo('primary-reports', config.database.url) };
  }

  /** Whether any replica is configured. */
  get configured(): boolean {
    return this.replicas.length > 0;
  }

  /**
   * Runs `work` (read-only, so it may run twice) on a replica fit for `purpose`, else on the primary.
   * If the replica fails to answer, or `retryOnPrimary` says its answer needs confirming (a row not
   * there yet), the work runs again on the primary.
   */
  async read<T>(purpose: ReplicaRead, work: (reader: SqlReader, source: ReadSource) => Promise<T>, options: { retryOnPrimary?: (error: unknown) => boolean } = {}): Promise<{ result: T; source: ReadSource }> {
    const replica = await this.choose(purpose);
    if (replica) {
      const source = this.sourceOf(replica);
      try {
        return { result: await work(readerOf(replica.connection), source), source };
      } catch (error) {
        if (isUnavailable(error)) this.markDown(replica);
        else if (!options.retryOnPrimary?.(error)) throw error;
      }
    }
    const source = this.sourceOf(this.primary);
    return { result: await work(readerOf(this.primary.connection), source), source };
  }

  /**
   * A connection of its own (for `COPY … TO STDOUT` streaming) on a replica fit for `purpose`, else
   * on the primary. The caller releases it.
   */
  async connect(purpose: ReplicaRead): Promise<{ client: PoolClient; source: ReadSource }> {
    const replica = await this.choose(purpose);
    if (replica) {
      try {
        return { client: await (await replica.connection.getNativeClient()).connect(), source: this.sourceOf(replica) };
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        this.markDown(replica);
      }
    }
    return { client: await (await this.primary.connection.getNativeClient()).connect(), source: this.sourceOf(this.primary) };
  }

  /** Each replica as last checked (checking those not checked lately), for readiness. */
  async health(): Promise<ReplicaHealth[]> {
    await Promise.all(this.replicas.map((replica) => this.refresh(replica)));
    return this.replicas.map((replica) => ({ name: replica.name, status: replica.state!.status, lagSeconds: replica.state!.lagSeconds }));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.replicas, this.primary].map((target) => target.connection.close(true).catch(() => undefined)));
  }

  /**
   * The freshest replica that is up, or none: never inside a transaction, whose own writes a replica
   * cannot see. `purpose` names the read so every replica read is one of {@link REPLICA_READS}.
   */
  private async choose(_purpose: ReplicaRead): Promise<Target | undefined> {
    if (!this.replicas.length || TransactionContext.getEntityManager()) return undefined;
    await Promise.all(this.replicas.map((replica) => this.refresh(replica)));
    const up = this.replicas.filter((replica) => replica.state!.status === 'up');
    if (!up.length) return undefined;
    const least = Math.min(...up.map((replica) => replica.state!.lagSeconds!));
    const freshest = up.filter((replica) => replica.state!.lagSeconds === least);
    return freshest[Math.floor(Math.random() * freshest.length)];
  }

  /** Measures the replica's lag unless it was measured in the last few seconds; concurrent callers share one measurement. */
  private refresh(replica: Target): Promise<void> {
    if (replica.state && Date.now() - replica.state.checkedAt < REPLICA_CHECK_INTERVAL_MS) return Promise.resolve();
    replica.checking ??= this.measure(replica).finally(() => (replica.checking = undefined));
    return replica.checking;
  }

  private async measure(replica: Target): Promise<void> {
    try {
      const pool = await replica.connection.getNativeClient();
      const { rows } = await pool.query<{ standby: boolean; caught_up: boolean; behind: number | null }>({ text: LAG_SQL, query_timeout: CHECK_TIMEOUT_MS } as { text: string });
      const row = rows[0]!;
      const lagSeconds = !row.standby || row.caught_up ? 0 : row.behind === null ? null : Math.max(0, Math.round(row.behind * 10) / 10);
      replica.state = { status: lagSeconds !== null && lagSeconds <= this.maxLagSeconds ? 'up' : 'lagging', lagSeconds, checkedAt: Date.now() };
    } catch {
      replica.state = { status: 'down', lagSeconds: null, checkedAt: Date.now() };
    }
  }

  private markDown(replica: Target): void {
    replica.state = { status: 'down', lagSeconds: null, checkedAt: Date.now() };
  }

  private sourceOf(target: Target): ReadSource {
    if (target === this.primary) return { source: 'primary', lagSeconds: 0, asOf: new Date() };
    const state = target.state!;
    return { source: 'replica', replica: target.name, lagSeconds: state.lagSeconds!, asOf: new Date(state.checkedAt - state.lagSeconds! * 1000) };
  }

  private connectionTo(name: string, clientUrl: string): PostgreSqlConnection {
    const connection = new PostgreSqlConnection(this.orm.config, {
      name,
      clientUrl,
      pool: { min: 0, max: REPORT_POOL_MAX, idleTimeoutMillis: 30_000 },
      driverOptions: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'slp-reports' },
    }, 'read');
    connection.setMetadata(this.orm.getMetadata());
    return connection;
  }
}

function readerOf(connection: PostgreSqlConnection): SqlReader {
  return { execute: <T extends object>(sql: string, params: readonly unknown[] = []) => connection.execute<T[]>(sql, [...params]) };
}

/** Errors that say the server is not there (refused, dropped, shutting down, timed out) rather than that the query is wrong. */
export function isUnavailable(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutdown, cannot connect now), 40001 (a
    // standby cancelling a query that conflicts with replay), and socket errors.
    if (typeof code === 'string' && (/^08/.test(code) || ['57P01', '57P02', '57P03', '40001', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code))) return true;
    const message = cause instanceof Error ? cause.message : '';
    if (/connection terminated|timeout exceeded when trying to connect|connection error|ECONNREFUSED|ECONNRESET|the database system is (shutting down|starting up)/i.test(message)) return true;
  }
  return false;
}
