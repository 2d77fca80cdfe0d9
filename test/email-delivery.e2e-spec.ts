import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { accessTokenFor, account, cohort, forkEm, organisation, programme, system } from './support/factories';
import { SmtpSink } from './support/smtp-sink';
import { startTestApi, TestApi, testConfig } from './support/test-api';

describe('email delivery through the worker (e2e)', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    api = await startTestApi({ SMTP_URL: sink.url });
    const overrides = { SMTP_URL: sink.url, MAIL_RETRY_BASE_MS: '50', MAIL_MAX_ATTEMPTS: '4', REDIS_PREFIX: api.config.redis.prefix };
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(api.config.database.url, overrides)), { logger: false });
  });

  afterAll(async () => {
    await worker.close();
    await api.close();
    await sink.close();
  });

  it('sends exactly one enrolment confirmation, to the right person, with the right subject and content', async () => {
    const em = forkEm(api);
    const sys = await system(em);
    const org = await organisation(em, sys);
    const target = await cohort(em, await programme(em, sys, { title: 'Leading Across Boundaries' }), { name: 'Spring cohort' });
    const nurse = await account(em, { organisation: org, email: 'grace.mensah@trust.nhs.example' });
    const before = sink.received.length;

    await api.http().post(`/api/v1/cohorts/${target.id}/enrolments`).set('Authorization', `Bearer ${accessTokenFor(api, nurse)}`).send({}).expect(201);

    const [email] = (await sink.waitFor(before + 1)).slice(before);
    expect(email!.to).toEqual(['grace.mensah@trust.nhs.example']);
    expect(email!.header('subject')).toMatch(/Leading Across Boundaries/);
    expect(email!.raw).toContain('Spring cohort');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.received.length).toBe(before + 1);
    const [row] = await forkEm(api).getConnection().execute<{ status: string; provider_message_id: string }[]>(`select status, provider_message_id from notification where recipient_email = ?`, ['grace.mensah@trust.nhs.example']);
    expect(row).toEqual({ status: 'sent', provider_message_id: expect.stringMatching(/@system-leadership-platform>$/) });
  });
});
