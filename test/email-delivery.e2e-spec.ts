import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { accessTokenFor, account, cohort, forkEm, organisation, programme, system } from './support/factories';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { startTestApi, TestApi, testConfig } from './support/test-api';

describe('email delivery through the worker (e2e)', () => {
  let sink: ControlledSmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    sink = await ControlledSmtpSink.start();
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

  it('emails the nominee a working consent link, then removes the link from the outbox', async () => {
    const em = forkEm(api);
    const sys = await system(em);
    const org = await organisation(em, sys);
    const target = await programme(em, sys, { title: 'Aspiring Directors Programme' });
    const lead = await account(em, { roles: ['programme_lead'], systems: [sys], organisation: org });
    const before = sink.received.length;

    const created = await api
      .http()
      .post('/api/v1/nominations')
      .set('Authorization', `Bearer ${accessTokenFor(api, lead)}`)
      .send({ nominee: { email: 'owen.price@council.example', givenName: 'Owen', familyName: 'Price', organisationId: org.id }, programmeId: target.id, readiness: 'ready_1_2_years', performance: 2, potential: 3, rationale: 'Leads the reablement team.' })
      .expect(201);

    const [email] = (await sink.waitFor(before + 1)).slice(before);
    expect(email!.to).toEqual(['owen.price@council.example']);
    // The body is quoted-printable: undo soft line breaks and =XX escapes before reading the link.
    const body = email!.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const token = /respond\?token=([\w%-]+)/.exec(body)?.[1];
    expect(token).toBeDefined();
    const deadline = Date.now() + 5_000;
    let data: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      [{ data }] = await forkEm(api).getConnection().execute<{ data: Record<string, unknown> }[]>(`select data from notification where subject_id = ? and kind = 'nomination_consent_request' and status = 'sent'`, [created.body.id]).then((rows) => (rows.length ? rows : [{ data: { consentToken: 'pending' } }]));
      if (!('consentToken' in data)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(data).not.toHaveProperty('consentToken');
    expect(data).not.toHaveProperty('consentUrl');
    await api.http().post('/api/v1/nominations/consent').send({ token: decodeURIComponent(token!), decision: 'consent' }).expect(200);
  });

  it('emails a nominee without an account a working invitation link (never in the API answer), then removes the link from the outbox', async () => {
    const em = forkEm(api);
    const sys = await system(em);
    const org = await organisation(em, sys);
    const target = await programme(em, sys, { title: 'Aspiring Chief Executives' });
    const lead = await account(em, { roles: ['programme_lead'], systems: [sys], organisation: org });
    const created = await api
      .http()
      .post('/api/v1/nominations')
      .set('Authorization', `Bearer ${accessTokenFor(api, lead)}`)
      .send({ nominee: { email: 'rhian.evans@hospice.example', givenName: 'Rhian', familyName: 'Evans', organisationId: org.id }, programmeId: target.id, readiness: 'ready_now', performance: 3, potential: 3, rationale: 'Runs the hospice at home service.' })
      .expect(201);
    const unquote = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const inbox = async (subject: RegExp) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = sink.received.find((email) => email.to.includes('rhian.evans@hospice.example') && subject.test(email.header('subject') ?? ''));
        if (found || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const consentEmail = await inbox(/nominated you/);
    const consentToken = decodeURIComponent(/respond\?token=([\w%-]+)/.exec(unquote(consentEmail!.raw))![1]!);

    const answer = await api.http().post('/api/v1/nominations/consent').send({ token: consentToken, decision: 'consent' }).expect(200);
    expect(answer.body).toMatchObject({ invitationSent: true });

    const invitation = await inbox(/Set up your System Leadership Platform account/);
    expect(invitation).toBeDefined();
    const link = /(\S+\/invitation\?token=)([\w%-]+)/.exec(unquote(invitation!.raw));
    expect(link?.[1]).toBe(`${api.config.publicUrl}/invitation?token=`);
    const invitationToken = decodeURIComponent(link![2]!);
    expect(answer.text).not.toContain(invitationToken);
    const deadline = Date.now() + 5_000;
    let rows: { data: Record<string, unknown> }[] = [];
    while (Date.now() < deadline) {
      rows = await forkEm(api).getConnection().execute<{ data: Record<string, unknown> }[]>(`select data from notification where kind = 'account_invitation' and recipient_email = ? and status = 'sent'`, ['rhian.evans@hospice.example']);
      if (rows.length && !('acceptUrl' in rows[0]!.data)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).not.toHaveProperty('acceptUrl');
    await api.http().post('/api/v1/auth/accept-invitation').send({ token: invitationToken, password: 'a long enough password' }).expect(201);
    await api.http().post('/api/v1/auth/login').send({ email: 'rhian.evans@hospice.example', password: 'a long enough password' }).expect(200);
  });
});

