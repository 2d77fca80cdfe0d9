import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { Organisation } from '@slp/directory';
import type { Cohort } from '@slp/learning';
import { EMAIL_QUEUE } from '@slp/notifications';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { expectProblem } from './support/assertions';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { accessTokenFor, account, cohort, forkEm, organisation, programme, system } from './support/factories';
import { deleteRedisKeys, eventually, messageIdOf, NotificationState, notificationStates, tally, withClient } from './support/outbox-fixtures';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApi, TestApi, testConfig } from './support/test-api';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An API, an in-process worker (same database and Redis prefix), and the SMTP sink they send to. */
interface Stack {
  sink: ControlledSmtpSink;
  api: TestApi;
  worker: INestApplicationContext;
  cohort: Cohort;
  organisation: Organisation;
  adminToken: string;
  participantToken: string;
}

async function startStack(redisUrl?: string): Promise<Stack> {
  const sink = await ControlledSmtpSink.start();
  const shared = { SMTP_URL: sink.url, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
  const api = await startTestApi(shared);
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(testConfig(api.config.database.url, { ...shared, MAIL_RETRY_BASE_MS: '50', MAIL_MAX_ATTEMPTS: '4', REDIS_PREFIX: api.config.redis.prefix })),
    { logger: false },
  );
  const em = forkEm(api);
  const sys = await system(em);
  const target = await cohort(em, await programme(em, sys, { title: 'Leading Across Boundaries' }), { capacity: 100, name: 'Autumn cohort' });
  const admin = await account(em, { roles: ['admin'] });
  const org = await organisation(em, sys);
  const participant = await account(em, { organisation: org });
  return { sink, api, worker, cohort: target, organisation: org, adminToken: accessTokenFor(api, admin), participantToken: accessTokenFor(api, participant) };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  await stack.worker.close();
  await stack.api.close();
  await stack.sink.close();
  await deleteRedisKeys(REDIS_URL, stack.api.config.redis.prefix);
}

/** A new participant enrols themself through the API (201); returns their address and the outbox row it wrote. */
async function enrolSomeone(stack: Stack): Promise<{ email: string; notificationId: string }> {
  const em = forkEm(stack.api);
  const person = await account(em, { organisation: stack.organisation });
  await stack.api.http().post(`/api/v1/cohorts/${stack.cohort.id}/enrolments`).set('Authorization', `Bearer ${accessTokenFor(stack.api, person)}`).send({}).expect(201);
  const rows = await em.getConnection().execute<{ id: string }[]>(`select id from notification where recipient_email = ?`, [person.email]);
  expect(rows).toHaveLength(1);
  return { email: person.email, notificationId: rows[0]!.id };
}

async function stateOf(stack: Stack, id: string): Promise<NotificationState> {
  const [row] = await notificationStates(stack.api.config.database.url, [id]);
  return row!;
}

function waitForStatus(stack: Stack, id: string, status: string, timeoutMs = 10_000): Promise<NotificationState> {
  return eventually(
    async () => {
      const row = await stateOf(stack, id);
      return row.status === status ? row : undefined;
    },
    timeoutMs,
    async () => `notification ${id} is ${JSON.stringify(await stateOf(stack, id))}, not ${status}`,
  );
}

describe('email delivery faults (e2e: real SMTP server, PostgreSQL and Redis)', () => {
  describe('SMTP refusals', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack();
    });

    afterAll(async () => {
      await stopStack(stack);
    });

    it('retries a 451 (try again later) with backoff and delivers the email exactly once, recording the attempts', async () => {
      stack.sink.failNext(2, 451);

      const { email, notificationId } = await enrolSomeone(stack);

      const row = await waitForStatus(stack, notificationId, 'sent');
      expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null, provider_message_id: messageIdOf(notificationId) });
      const tries = stack.sink.attempts.filter((a) => a.messageId === messageIdOf(notificationId));
      expect(tries.map((a) => [a.outcome, a.code])).toEqual([
        ['refused', 451],
        ['refused', 451],
        ['accepted', undefined],
      ]);
      // Exponential backoff from MAIL_RETRY_BASE_MS=50: at least 50 ms, then at least 100 ms.
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(50);
      expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(100);
      await sleep(500);
      expect(stack.sink.to(email).map((m) => m.messageId)).toEqual([messageIdOf(notificationId)]);
    });

    it('records the 451 as the last error (status failed) while the email waits for its retry', async () => {
      stack.sink.failNext(1, 451, 'Greylisted, try again later');

      const { email, notificationId } = await enrolSomeone(stack);

      // As soon as the first attempt is refused, hold the sink: the retry (50 ms later) then waits on it.
      await eventually(() => stack.sink.attempts.some((a) => a.messageId === messageIdOf(notificationId)) || undefined, 10_000, () => 'no attempt reached the sink', 2);
      stack.sink.hold();
      await sleep(300);
      expect(await stateOf(stack, notificationId)).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/^451 .*Greylisted/) });
      expect(stack.sink.to(email)).toEqual([]);

      stack.sink.release();
      const sent = await waitForStatus(stack, notificationId, 'sent');
      expect(sent).toMatchObject({ attempts: 2, last_error: null });
      expect(stack.sink.to(email)).toHaveLength(1);
    });

    it('gives up after MAIL_MAX_ATTEMPTS temporary failures: the row is dead with the last error and nothing was delivered', async () => {
      stack.sink.failNext(4, 451);

      const { email, notificationId } = await enrolSomeone(stack);

      const row = await waitForStatus(stack, notificationId, 'dead');
      expect(row).toMatchObject({ attempts: 4, last_error: expect.stringMatching(/^451 /), provider_message_id: null });
      await sleep(600);
      expect(stack.sink.attempts.filter((a) => a.messageId === messageIdOf(notificationId)).map((a) => a.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
      expect(stack.sink.to(email)).toEqual([]);
    });

    it('stops at once on a permanent failure (550): the row is dead with the error, and national admins see it in the dead list', async () => {
      stack.sink.failNext(1, 550);

      const { email, notificationId } = await enrolSomeone(stack);

      const dead = await waitForStatus(stack, notificationId, 'dead');
      expect(dead).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/^550 .*Mailbox unavailable$/), provider_message_id: null });
      await sleep(500); // ten times the retry base: no retry follows a permanent failure
      expect(stack.sink.attempts.filter((a) => a.messageId === messageIdOf(notificationId)).map((a) => [a.outcome, a.code])).toEqual([['refused', 550]]);
      expect(stack.sink.to(email)).toEqual([]);

      const listed = await stack.api.http().get('/api/v1/notifications').query({ status: 'dead' }).set('Authorization', `Bearer ${stack.adminToken}`).expect(200);
      const items = (listed.body as { items: { id: string; status: string; lastError: string | null; attempts: number; recipientEmail: string; kind: string }[] }).items;
      expect(items.length).toBeGreaterThanOrEqual(1);
      expect(items.every((item) => item.status === 'dead')).toBe(true);
      expect(items.find((item) => item.id === notificationId)).toMatchObject({ status: 'dead', attempts: 1, kind: 'enrolment_confirmed', recipientEmail: email, lastError: expect.stringMatching(/^550 /) });
      expectProblem(await stack.api.http().get('/api/v1/notifications').query({ status: 'dead' }).set('Authorization', `Bearer ${stack.participantToken}`), 403);
    });

    it("records the SMTP server's reply as the last error with its code once ('550 No such user here')", async () => {
      stack.sink.failNext(1, 550, 'No such user here');

      const { notificationId } = await enrolSomeone(stack);

      const dead = await waitForStatus(stack, notificationId, 'dead');
      expect(dead.last_error).toBe('550 No such user here');
    });

    it('sends a dead email exactly once when a national admin requeues it (POST /notifications/:id/requeue) and the server now accepts', async () => {
      stack.sink.failNext(1, 550);
      const { email, notificationId } = await enrolSomeone(stack);
      await waitForStatus(stack, notificationId, 'dead');
      expectProblem(await stack.api.http().post(`/api/v1/notifications/${notificationId}/requeue`).set('Authorization', `Bearer ${stack.participantToken}`), 403);

      const requeued = await stack.api.http().post(`/api/v1/notifications/${notificationId}/requeue`).set('Authorization', `Bearer ${stack.adminToken}`).expect(200);

      expect(requeued.body).toMatchObject({ id: notificationId, status: 'pending' });
      const sent = await waitForStatus(stack, notificationId, 'sent', 8_000);
      expect(sent).toMatchObject({ last_error: null, provider_message_id: messageIdOf(notificationId) });
      await sleep(300);
      expect(stack.sink.to(email).map((m) => m.messageId)).toEqual([messageIdOf(notificationId)]);
      expectProblem(await stack.api.http().post(`/api/v1/notifications/${notificationId}/requeue`).set('Authorization', `Bearer ${stack.adminToken}`), 409);
    });

    it('hands a row whose job failed without recording an attempt (status writes refused) to the queue again after 10 minutes, and sends it once', async () => {
      const queue = stack.worker.get<Queue>(getQueueToken(EMAIL_QUEUE));
      const em = forkEm(stack.api);
      const person = await account(em, { organisation: stack.organisation, email: `refused.${Date.now()}@nhs.example` });
      // Injected fault: PostgreSQL refuses to record this row's failures (as during a failover to a read-only standby).
      await withClient(stack.api.config.database.url, async (client) => {
        await client.query(`create or replace function test_refuse_status() returns trigger language plpgsql as $$ begin raise exception 'cannot execute UPDATE in a read-only transaction (injected)'; end $$`);
        await client.query(`create trigger test_refuse_status before update on notification for each row when (new.recipient_email = '${person.email}' and new.status in ('failed', 'dead')) execute function test_refuse_status()`);
      });
      stack.sink.failNext(4, 451);
      let notificationId: string;
      try {
        await stack.api.http().post(`/api/v1/cohorts/${stack.cohort.id}/enrolments`).set('Authorization', `Bearer ${accessTokenFor(stack.api, person)}`).send({}).expect(201);
        [{ id: notificationId }] = await em.getConnection().execute<{ id: string }[]>(`select id from notification where recipient_email = ?`, [person.email]);
        // Every attempt is refused by SMTP (451) and its failure cannot be written, so the job fails after MAIL_MAX_ATTEMPTS.
        await eventually(
          async () => (await (await queue.getJob(notificationId))?.getState()) === 'failed' || undefined,
          10_000,
          async () => `job ${notificationId} is ${await (await queue.getJob(notificationId))?.getState()}`,
        );
      } finally {
        await withClient(stack.api.config.database.url, (client) => client.query(`drop trigger if exists test_refuse_status on notification`));
      }
      expect(await stateOf(stack, notificationId)).toMatchObject({ status: 'queued', attempts: 0, last_error: null });
      expect(stack.sink.attempts.filter((a) => a.messageId === messageIdOf(notificationId)).map((a) => a.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);

      // Ten minutes pass: the relay hands rows queued that long ago to the queue again.
      await withClient(stack.api.config.database.url, (client) => client.query(`update notification set queued_at = now() - interval '11 minutes' where id = $1`, [notificationId]));

      const sent = await waitForStatus(stack, notificationId, 'sent', 8_000);
      expect(sent).toMatchObject({ attempts: 1, last_error: null, provider_message_id: messageIdOf(notificationId) });
      await sleep(300);
      expect(stack.sink.to(person.email).map((m) => m.messageId)).toEqual([messageIdOf(notificationId)]);
    });

    it('reports outbox counts by status and the email queue counts to national admins (GET /notifications/metrics)', async () => {
      // Let everything in flight settle first: nothing pending or awaiting a retry, nothing waiting or running in the queue.
      const queue = stack.worker.get<Queue>(getQueueToken(EMAIL_QUEUE));
      await eventually(
        async () => {
          const statuses = tally((await notificationStates(stack.api.config.database.url)).map((r) => r.status));
          const jobs = await queue.getJobCounts('waiting', 'active', 'delayed');
          return !statuses.pending && !statuses.failed && !jobs.waiting && !jobs.active && !jobs.delayed;
        },
        10_000,
        async () => JSON.stringify(tally((await notificationStates(stack.api.config.database.url)).map((r) => r.status))),
      );

      const response = await stack.api.http().get('/api/v1/notifications/metrics').set('Authorization', `Bearer ${stack.adminToken}`).expect(200);

      const statuses = tally((await notificationStates(stack.api.config.database.url)).map((r) => r.status));
      expect(response.body).toEqual({
        outbox: { pending: 0, queued: statuses.queued ?? 0, sent: statuses.sent ?? 0, failed: 0, dead: statuses.dead ?? 0 },
        queue: await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
      });
      const body = response.body as { outbox: Record<string, number>; queue: Record<string, number> };
      expect(body.outbox.sent).toBeGreaterThanOrEqual(2);
      expect(body.queue).toEqual({ waiting: 0, active: 0, delayed: 0, failed: expect.any(Number), completed: expect.any(Number) });
      expect(body.queue.completed).toBeGreaterThanOrEqual(body.outbox.sent);
      expectProblem(await stack.api.http().get('/api/v1/notifications/metrics').set('Authorization', `Bearer ${stack.participantToken}`), 403);
    });
  });

  describe('Redis unavailable', () => {
    let proxy: TcpProxy;
    let redisUp = true;
    let stack: Stack;

    beforeAll(async () => {
      proxy = await TcpProxy.forUrl(REDIS_URL);
      stack = await startStack(proxy.urlFor(REDIS_URL));
    });

    afterAll(async () => {
      // Make sure Redis is reachable again (if a failure left it down) so the worker and API close cleanly.
      if (proxy && !redisUp) proxy = await TcpProxy.forUrl(REDIS_URL, proxy.port);
      await stopStack(stack);
      await proxy?.close();
    });

    it('keeps accepting enrolments (201, pending outbox rows) while Redis is down, then delivers each email once when it returns', async () => {
      const baseline = await enrolSomeone(stack);
      await waitForStatus(stack, baseline.notificationId, 'sent');
      expect(stack.sink.to(baseline.email)).toHaveLength(1);

      await proxy.close();
      redisUp = false;
      await sleep(300);
      const during = [];
      for (let i = 0; i < 5; i++) during.push(await enrolSomeone(stack));
      const ids = during.map((d) => d.notificationId);

      // The metrics still answer, from PostgreSQL alone, with no queue counts.
      const metrics = await stack.api.http().get('/api/v1/notifications/metrics').set('Authorization', `Bearer ${stack.adminToken}`).expect(200);
      expect(metrics.body).toEqual({ outbox: { pending: 5, queued: 0, sent: 1, failed: 0, dead: 0 }, queue: null });
      await sleep(1_500);
      expect((await notificationStates(stack.api.config.database.url, ids)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
      expect(stack.sink.received).toHaveLength(1);

      proxy = await TcpProxy.forUrl(REDIS_URL, proxy.port);
      redisUp = true;

      await eventually(
        async () => (await notificationStates(stack.api.config.database.url, ids)).every((r) => r.status === 'sent') || undefined,
        25_000,
        async () => `statuses ${JSON.stringify(tally((await notificationStates(stack.api.config.database.url, ids)).map((r) => r.status)))}, ${stack.sink.received.length} received`,
      );
      await sleep(500);
      for (const { email, notificationId } of during) expect(stack.sink.to(email).map((m) => m.messageId)).toEqual([messageIdOf(notificationId)]);
      expect(stack.sink.received).toHaveLength(6);
      const after = await stack.api.http().get('/api/v1/notifications/metrics').set('Authorization', `Bearer ${stack.adminToken}`).expect(200);
      expect(after.body).toMatchObject({ outbox: { pending: 0, queued: 0, sent: 6, failed: 0, dead: 0 }, queue: expect.objectContaining({ waiting: 0, active: 0 }) });
      await withClient(stack.api.config.database.url, async (client) => {
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from notification where sent_at is null`);
        expect(rows[0]!.n).toBe(0);
      });
    });
  });
});
