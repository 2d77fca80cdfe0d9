import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { EMAIL_QUEUE } from '@slp/notifications';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { deleteRedisKeys, eventually, insertPendingEmails, messageIdOf, notificationStates, tally, withClient } from './support/outbox-fixtures';
import { TcpProxy } from './support/tcp-proxy';
import { createTestDatabase } from './support/test-database';
import { killAllStartedWorkers, WorkerProcess } from './support/worker-process';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** Other sessions on this database inside a transaction (the killed worker's, until PostgreSQL notices it is gone). */
function backendsHoldingLocks(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`);
    return rows[0]!.n;
  });
}

/**
 * A worker process is killed with SIGKILL in the middle of a batch and another takes over. BullMQ
 * hands the killed worker's active jobs to the survivor once their locks lapse (stalled-job
 * recovery, 30 to 60 s with BullMQ's defaults; see below), so this file takes about 40 s.
 *
 * The kill is arranged so that its outcome is known exactly: the SMTP server answers slowly
 * (200 ms a message); once a few messages have arrived, the server accepts one more message and,
 * at that moment, the worker's database connections are frozen and every later message is left
 * unanswered; then the worker is killed. So the killed worker dies with
 *  - messages in flight that the server never accepted (these must be sent once, by the survivor),
 *  - one message (perhaps a few) the server accepted but whose row the worker could not mark sent:
 *    the window between SMTP's 250 and the database commit, which no SMTP sender can close. The
 *    survivor sends these again, with the same Message-ID, so a receiver can tell the copy;
 *  - rows queued but not yet started, and rows the survivor's relay has never seen.
 */
describe('a worker killed (SIGKILL) mid-batch, another taking over (e2e: built worker, real SMTP server)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let prefix: string;
  let sink: ControlledSmtpSink | undefined;
  let databaseProxy: TcpProxy | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = `test-${randomBytes(4).toString('hex')}`;
  });

  afterAll(async () => {
    await killAllStartedWorkers();
    await sink?.close();
    await databaseProxy?.close();
    await deleteRedisKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  it('sends every email: once each, except any the SMTP server accepted in the instant before the kill (sent again with the same Message-ID)', async () => {
    sink = await ControlledSmtpSink.start({ delayMs: 200 });
    databaseProxy = await TcpProxy.forUrl(database.url);
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'info', REDIS_URL, REDIS_PREFIX: prefix, SMTP_URL: sink.url, MAIL_RETRY_BASE_MS: '50', MAIL_CONCURRENCY: String(CONCURRENCY) };
    const doomed = WorkerProcess.start({ ...env, DATABASE_URL: databaseProxy.urlFor(database.url) });
    await doomed.waitForLog(/^Worker ready/);

    const pending = await insertPendingEmails(database.url, 40);
    const ids = pending.map((p) => p.id);

    await sink.waitFor(5, 20_000);
    let acceptedAtKill: string | undefined;
    const frozen = new Promise<void>((resolve) =>
      sink!.beforeNextAccept(({ messageId }) => {
        sink!.hold();
        databaseProxy!.stall();
        acceptedAtKill = messageId;
        resolve();
      }),
    );
    await frozen;
    // Let the 250 reach the worker and its UPDATE … 'sent' hang on the frozen connection.
    await sleep(300);
    const exit = await doomed.kill9();
    expect(exit.signal).toBe('SIGKILL');
    // A dead process's connections close: the proxy, frozen, would otherwise keep them open for it.
    await databaseProxy.close();
    // Answer the held messages only once the server has seen their client go: none of them was accepted.
    await sink.waitForNoConnections();
    sink.release();
    // The killed worker's transactions roll back once PostgreSQL sees its connections go.
    await eventually(
      async () => (await backendsHoldingLocks(database.url)) === 0 || undefined,
      10_000,
      () => 'the killed worker still holds row locks',
    );

    const accepted = new Set(sink.received.map((email) => email.messageId));
    const sentInDatabase = new Set((await notificationStates(database.url, ids)).filter((r) => r.status === 'sent').map((r) => r.id));
    const acceptedNotMarked = pending.filter((p) => accepted.has(p.messageId) && !sentInDatabase.has(p.id)).map((p) => p.messageId);
    const droppedInFlight = sink.attempts.filter((a) => a.outcome === 'dropped').map((a) => a.messageId);
    // The kill landed mid-batch: the accepted-but-unmarked message, messages in flight, and rows still to send.
    expect(acceptedNotMarked).toContain(acceptedAtKill);
    expect(acceptedNotMarked.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(droppedInFlight.length).toBeGreaterThanOrEqual(1);
    expect(droppedInFlight.every((id) => !accepted.has(id))).toBe(true);
    expect(sentInDatabase.size).toBeLessThan(30);
    // Every row the database has as sent was accepted by the server (nothing marked sent unsent).
    for (const id of sentInDatabase) expect(accepted.has(messageIdOf(id))).toBe(true);

    const describeUnsent = async () => {
      const unsent = (await notificationStates(database.url, ids)).filter((r) => r.status !== 'sent');
      const queue = new Queue(EMAIL_QUEUE, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
      try {
        return await Promise.all(
          unsent.map(async (row) => {
            const job = await queue.getJob(row.id);
            return {
              row,
              acceptedNotMarked: acceptedNotMarked.includes(messageIdOf(row.id)),
              dropped: droppedInFlight.includes(messageIdOf(row.id)),
              job: job && { state: await job.getState(), attemptsMade: job.attemptsMade, stalledCounter: job.stalledCounter, failedReason: job.failedReason, returnvalue: job.returnvalue, finishedOn: job.finishedOn },
            };
          }),
        );
      } finally {
        await queue.close();
      }
    };

    // BullMQ runs its stalled-job check at most once per 30 s per queue (a key with a 30 s expiry,
    // set by the killed worker when it started a few seconds ago). A worker fleet that has been up
    // for a while has no such recent check; clearing the key stands in for that, so the survivor's
    // first check (at its start) marks the orphaned jobs and its next one, 30 s later, once their
    // locks have lapsed, hands them over.
    await withRedis((redis) => redis.del(`${prefix}:bull:email:stalled-check`));
    const survivor = WorkerProcess.start({ ...env, DATABASE_URL: database.url });
    await survivor.waitForLog(/^Worker ready/);

    await eventually(
      async () => (await notificationStates(database.url, ids)).every((r) => r.status === 'sent') || undefined,
      50_000,
      async () => `statuses ${JSON.stringify(tally((await notificationStates(database.url, ids)).map((r) => r.status)))}, ${sink!.received.length} accepted; unsent: ${JSON.stringify(await describeUnsent())}`,
      250,
    );
    await sleep(500);

    const counts = sink.acceptedCounts();
    for (const email of pending) {
      const expected = acceptedNotMarked.includes(email.messageId) ? 2 : 1;
      expect({ messageId: email.messageId, copies: counts.get(email.messageId) ?? 0 }).toEqual({ messageId: email.messageId, copies: expected });
      expect(sink.to(email.email).every((m) => m.messageId === email.messageId)).toBe(true);
    }
    expect(sink.received).toHaveLength(40 + acceptedNotMarked.length);
    const states = await notificationStates(database.url, ids);
    expect(states.filter((r) => r.provider_message_id === null || r.last_error !== null)).toEqual([]);

    expect(await survivor.stop()).toEqual({ code: 0, signal: null });
  }, 80_000);
});
