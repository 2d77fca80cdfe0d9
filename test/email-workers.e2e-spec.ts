import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { EMAIL_QUEUE } from '@slp/notifications';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { deleteRedisKeys, eventually, insertPendingEmails, messageIdOf, notificationStates, tally } from './support/outbox-fixtures';
import { createTestDatabase } from './support/test-database';
import { killAllStartedWorkers, WorkerProcess } from './support/worker-process';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('two worker processes sharing the outbox and the email queue (e2e: built worker, real SMTP server)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let prefix: string;
  const sinks: ControlledSmtpSink[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = `test-${randomBytes(4).toString('hex')}`;
  });

  afterEach(async () => {
    await killAllStartedWorkers();
  });

  afterAll(async () => {
    await killAllStartedWorkers();
    await Promise.all(sinks.map((sink) => sink.close()));
    await deleteRedisKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  it('delivers each of 100 pending emails exactly once, the two processes sharing the work', async () => {
    // Each process sends through its own SMTP server, so the servers show which process sent what.
    const sinkA = await ControlledSmtpSink.start({ delayMs: 10 });
    const sinkB = await ControlledSmtpSink.start({ delayMs: 10 });
    sinks.push(sinkA, sinkB);
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix, MAIL_RETRY_BASE_MS: '50' };
    const workerA = WorkerProcess.start({ ...env, SMTP_URL: sinkA.url });
    const workerB = WorkerProcess.start({ ...env, SMTP_URL: sinkB.url });
    await Promise.all([workerA.waitForLog(/^Worker ready/), workerB.waitForLog(/^Worker ready/)]);

    const pending = await insertPendingEmails(database.url, 100);

    const ids = pending.map((p) => p.id);
    await eventually(
      async () => (await notificationStates(database.url, ids)).every((r) => r.status === 'sent') || undefined,
      30_000,
      async () => `statuses ${JSON.stringify(tally((await notificationStates(database.url, ids)).map((r) => r.status)))}; A sent ${sinkA.received.length}, B sent ${sinkB.received.length}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    const all = [...sinkA.received, ...sinkB.received];
    expect(all).toHaveLength(100);
    const byMessageId = new Map(all.map((email) => [email.messageId, email]));
    for (const email of pending) {
      expect(byMessageId.get(email.messageId)?.to).toEqual([email.email]);
    }
    expect(byMessageId.size).toBe(100);
    expect(sinkA.received.length).toBeGreaterThan(0);
    expect(sinkB.received.length).toBeGreaterThan(0);
    const states = await notificationStates(database.url, ids);
    expect(states.every((r) => r.attempts === 1 && r.last_error === null)).toBe(true);
    expect(new Set(states.map((r) => r.provider_message_id)).size).toBe(100);

    // Both shut down cleanly afterwards.
    const [exitA, exitB] = await Promise.all([workerA.stop(), workerB.stop()]);
    expect(exitA).toEqual({ code: 0, signal: null });
    expect(exitB).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('keeps running when PostgreSQL terminates the connection a send is using (as in a failover), and still sends the email once', async () => {
    const sink = await ControlledSmtpSink.start();
    sinks.push(sink);
    const worker = WorkerProcess.start({ NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix, SMTP_URL: sink.url, MAIL_RETRY_BASE_MS: '50' });
    await worker.waitForLog(/^Worker ready/);
    const queue = new Queue(EMAIL_QUEUE, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    const locker = new Client({ connectionString: database.url });
    await locker.connect();
    let row: Awaited<ReturnType<typeof insertPendingEmails>>[number];
    try {
      // The row is relayed while the queue is paused, then locked, so the send waits on the lock with its transaction open.
      await queue.pause();
      [row] = (await insertPendingEmails(database.url, 1)) as [typeof row];
      await eventually(async () => (await notificationStates(database.url, [row.id]))[0]?.status === 'queued' || undefined, 10_000, () => 'the row was not relayed');
      await locker.query('begin');
      await locker.query('select id from notification where id = $1 for update', [row.id]);
      await queue.resume();
      const waitingOnLock = `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`;
      // pg_stat_activity is a snapshot taken once per transaction unless cleared.
      const waiting = async () => (await locker.query('select pg_stat_clear_snapshot()'), (await locker.query(waitingOnLock)).rowCount!);
      await eventually(async () => (await waiting()) > 0 || undefined, 10_000, () => 'the send never waited on the row lock');

      await locker.query(`select pg_terminate_backend(pid) from (${waitingOnLock}) as waiting`);
      await locker.query('rollback');
    } finally {
      await queue.resume();
      await queue.close();
      await locker.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect({ alive: worker.alive, stderr: worker.alive ? '' : worker.stderr.slice(0, 400) }).toEqual({ alive: true, stderr: '' });
    await eventually(
      async () => (await notificationStates(database.url, [row.id]))[0]?.status === 'sent' || undefined,
      10_000,
      async () => JSON.stringify(await notificationStates(database.url, [row.id])),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.received.map((m) => m.messageId)).toEqual([messageIdOf(row.id)]);
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
  }, 40_000);
});
