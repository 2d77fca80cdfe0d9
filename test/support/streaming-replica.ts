import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { TEST_SERVER_URL, withAdminClient } from './test-database-admin';

const run = promisify(execFile);
const SLOT_PREFIX = 'slp_test_replica_';
const STANDBY_MINIMUMS = ['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'];

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A real PostgreSQL streaming replica of the test server, as an operator would run one: a base
 * backup (`pg_basebackup -R`) started as a second cluster on a free port. Everything on the primary
 * replicates, databases created later included. The primary must allow replication connections
 * from 127.0.0.1 (`.ci/run` adds the pg_hba.conf line). `destroy()` stops it and removes its files.
 */
export class StreamingReplica {
  private constructor(
    private readonly dataDir: string,
    readonly port: number,
    private readonly bin: string,
    /** The primary keeps WAL for this replica in this slot until it has it, however busy the server. */
    private readonly slot: string,
  ) {}

  /**
   * Takes the base backup and starts the copy. On a busy shared server (other test files create and
   * drop databases, each a forced checkpoint) the backup's temporary slot can be invalidated midway,
   * so a failed attempt is retried from scratch.
   */
  static async start(attempts = 3): Promise<StreamingReplica> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await StreamingReplica.startOnce();
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }

  private static async startOnce(): Promise<StreamingReplica> {
    // A hot standby needs at least the primary's values of these, or it refuses to recover.
    const settings = await withAdminClient(async (client) => (await client.query<{ name: string; setting: string }>(`select name, setting from pg_settings where name in ('server_version_num', ${STANDBY_MINIMUMS.map((n) => `'${n}'`).join(', ')})`)).rows);
    const setting = (name: string) => settings.find((row) => row.name === name)!.setting;
    const major = Math.floor(Number(setting('server_version_num')) / 10_000);
    const bin = `/usr/lib/postgresql/${major}/bin`;
    // mkdtemp makes it 0700, as PostgreSQL requires of a data directory.
    const dataDir = mkdtempSync(join(tmpdir(), 'slp-replica-'));
    await dropAbandonedSlots();
    const replica = new StreamingReplica(dataDir, await freePort(), bin, `${SLOT_PREFIX}${process.pid}_${randomBytes(3).toString('hex')}`);
    try {
      replica.ownByPostgres(dataDir);
      const primary = new URL(TEST_SERVER_URL);
      // `-c fast`: start with an immediate checkpoint rather than a spread one (seconds shorter).
      await replica.asPostgres(`${bin}/pg_basebackup`, ['-h', primary.hostname, '-p', primary.port || '5432', '-U', decodeURIComponent(primary.username) || 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '-C', '-S', replica.slot]);
      // Debian keeps a cluster's configuration outside its data directory, so the copy has none of its own.
      writeFileSync(join(dataDir, 'postgresql.conf'), `listen_addresses = '127.0.0.1'\nport = ${replica.port}\nunix_socket_directories = '${tmpdir()}'\nhot_standby = on\n${STANDBY_MINIMUMS.map((name) => `${name} = ${setting(name)}`).join('\n')}\n`);
      writeFileSync(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
      writeFileSync(join(dataDir, 'pg_ident.conf'), '');
      replica.ownByPostgres(...['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf'].map((file) => join(dataDir, file)));
      await replica.pgCtl('start', ['-l', join(dataDir, 'server.log')]);
      return replica;
    } catch (error) {
      let log = '';
      try {
        log = readFileSync(join(dataDir, 'server.log'), 'utf8');
      } catch {
        // no log: it failed before the server started
      }
      await replica.destroy();
      throw new Error(`could not start a streaming replica: ${(error as Error).message}\n${log}`);
    }
  }

  urlFor(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Runs one query on the replica (a fresh connection each time, so a stopped replica just fails). */
  async query<T extends object>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.urlFor(database), connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Waits until the replica has replayed everything the primary had written when this was called. */
  async caughtUp(database: string, timeoutMs = 15_000): Promise<void> {
    const target = await withAdminClient(async (client) => (await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await this.query<{ done: boolean }>(database, 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [target]);
      if (row?.done) return;
      if (Date.now() > deadline) {
        const [state] = await this.query(database, `select pg_last_wal_receive_lsn()::text as received, pg_last_wal_replay_lsn()::text as replayed, pg_get_wal_replay_pause_state() as pause, (select status from pg_stat_wal_receiver) as receiver`);
        throw new Error(`replica did not replay up to ${target} within ${timeoutMs} ms: ${JSON.stringify(state)}\n${readFileSync(join(this.dataDir, 'server.log'), 'utf8').slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops applying WAL (it keeps receiving it): the replica falls behind while the primary moves on. */
  async pauseReplay(database: string): Promise<void> {
    await this.query(database, 'select pg_wal_replay_pause()');
  }

  async resumeReplay(database: string): Promise<void> {
    await this.query(database, 'select pg_wal_replay_resume()');
  }

  async stop(): Promise<void> {
    await this.pgCtl('stop', ['-m', 'fast']);
  }

  /** Stops the cluster if it runs, drops its slot on the primary and removes its files; safe to call more than once. */
  async destroy(): Promise<void> {
    await this.pgCtl('stop', ['-m', 'immediate']).catch(() => undefined);
    await withAdminClient((client) => client.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [this.slot])).catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private pgCtl(action: 'start' | 'stop', args: string[]): Promise<unknown> {
    return this.asPostgres(`${this.bin}/pg_ctl`, ['-D', this.dataDir, '-w', '-t', '30', ...args, action]);
  }

  /** PostgreSQL's tools refuse to run as root: as root, run them as the postgres OS user. */
  private asPostgres(command: string, args: string[]): Promise<unknown> {
    return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 120_000 }) : run(command, args, { timeout: 120_000 });
  }

  private ownByPostgres(...paths: string[]): void {
    if (process.getuid?.() !== 0) return;
    const { uid, gid } = postgresUser();
    for (const path of paths) chownSync(path, uid, gid);
  }
}

/** Slots of test processes that died before dropping theirs would keep WAL on the primary for ever. */
async function dropAbandonedSlots(): Promise<void> {
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ slot_name: string }>(`select slot_name from pg_replication_slots where slot_name like '${SLOT_PREFIX}%' and not active`);
    for (const { slot_name } of rows) {
      const pid = Number(slot_name.slice(SLOT_PREFIX.length).split('_')[0]);
      if (pid === process.pid || isRunning(pid)) continue;
      await client.query('select pg_drop_replication_slot($1)', [slot_name]).catch(() => undefined);
    }
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('no postgres OS user to run the replica as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
