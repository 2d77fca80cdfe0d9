import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EMAIL_EXAMPLES } from '@slp/notifications/email-examples';

export interface PendingEmail {
  readonly id: string;
  readonly email: string;
  /** The Message-ID the sender gives this row's email. */
  readonly messageId: string;
}

export interface NotificationState {
  readonly id: string;
  readonly recipient_email: string;
  readonly status: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly provider_message_id: string | null;
  readonly queued_at: Date | null;
}

/** The Message-ID EmailSender writes for a notification row. */
export function messageIdOf(notificationId: string): string {
  return `<${notificationId}@system-leadership-platform>`;
}

export async function withClient<T>(databaseUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Writes `count` pending enrolment_confirmed rows to the outbox in one transaction (as the API's
 * state changes do), each to its own recipient, and returns them in creation order.
 */
export async function insertPendingEmails(databaseUrl: string, count: number, label = randomBytes(3).toString('hex')): Promise<PendingEmail[]> {
  const data = JSON.stringify(EMAIL_EXAMPLES.enrolment_confirmed);
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string; recipient_email: string }>(
      `insert into notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at)
       select gen_random_uuid(), 'enrolment_confirmed', null, 'outbox.' || $1 || '.' || n || '@nhs.example', 'Outbox Person ' || n, 'enrolment', gen_random_uuid(),
              $2::jsonb, 'test:' || $1 || ':' || n, 'pending', 0, clock_timestamp()
         from generate_series(1, $3::int) as n
       returning id, recipient_email`,
      [label, data, count],
    );
    return rows.map((row) => ({ id: row.id, email: row.recipient_email, messageId: messageIdOf(row.id) }));
  });
}

/** The delivery state of the given rows (all rows when `ids` is omitted). */
export async function notificationStates(databaseUrl: string, ids?: readonly string[]): Promise<NotificationState[]> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = ids
      ? await client.query<NotificationState>(`select id, recipient_email, status, attempts, last_error, provider_message_id, queued_at from notification where id = any($1::uuid[]) order by created_at`, [ids])
      : await client.query<NotificationState>(`select id, recipient_email, status, attempts, last_error, provider_message_id, queued_at from notification order by created_at`);
    return rows;
  });
}

/** Polls `check` until it returns a truthy value (which it returns), failing with `describe()` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, describe: () => string | Promise<string>, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Counts of `values`, e.g. statuses → { sent: 40 }. */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Deletes every Redis key under `prefix:` (a test's queues), so test runs leave nothing behind. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
