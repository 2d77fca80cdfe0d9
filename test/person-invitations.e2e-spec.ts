import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { PROBLEM_JSON } from './support/assertions';
import { staffAccounts, twoSystems, TwoSystems } from './support/callers';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { accessTokenFor, account, forkEm, people } from './support/factories';
import { startTestApi, TestApi, testConfig } from './support/test-api';

interface InvitationResults {
  results: { personId: string; status: string }[];
  invited: number;
}

describe('inviting people without accounts (e2e: API, worker, SMTP sink)', () => {
  let sink: ControlledSmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;
  let world: TwoSystems;
  const token = {} as Record<'nationalAdmin' | 'adminA' | 'leadA', string>;

  beforeAll(async () => {
    sink = await ControlledSmtpSink.start();
    api = await startTestApi({ SMTP_URL: sink.url });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(api.config.database.url, { SMTP_URL: sink.url, REDIS_PREFIX: api.config.redis.prefix })), { logger: false });
    const em = forkEm(api);
    world = await twoSystems(em);
    const staff = await staffAccounts(em, world);
    token.nationalAdmin = accessTokenFor(api, staff.nationalAdmin);
    token.adminA = accessTokenFor(api, staff.adminA);
    token.leadA = accessTokenFor(api, staff.leadA);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  const invite = (personIds: unknown, as: keyof typeof token = 'adminA') => api.http().post('/api/v1/people/invitations').set('Authorization', `Bearer ${token[as]}`).send({ personIds });

  const invitationEmails = async (personId: string) =>
    forkEm(api).getConnection().execute<{ n: string }[]>(`select count(*) as n from notification where kind = 'account_invitation' and recipient_person_id = ?`, [personId]).then(([row]) => Number(row!.n));

  const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  it('emails each chosen person without an account a working invitation, once, and only within the admin’s systems', async () => {
    const em = forkEm(api);
    const [first, second] = await people(em, 2, world.orgA);
    const [elsewhere] = await people(em, 1, world.orgB);
    const withAccount = await account(em, { organisation: world.orgA });
    const unknown = randomUUID();
    const before = sink.received.length;

    const response = await invite([first!.id, second!.id, withAccount.person.id, elsewhere!.id, unknown, first!.id]);
    expect(response.status).toBe(200);
    expect(response.body as InvitationResults).toEqual({
      results: [
        { personId: first!.id, status: 'invited' },
        { personId: second!.id, status: 'invited' },
        { personId: withAccount.person.id, status: 'has_account' },
        { personId: elsewhere!.id, status: 'not_found' },
        { personId: unknown, status: 'not_found' },
      ],
      invited: 2,
    });
    // The token travels only in the email.
    expect(JSON.stringify(response.body)).not.toMatch(/token/i);

    const emails = (await sink.waitFor(before + 2)).slice(before);
    expect(emails.flatMap((e) => e.to).sort()).toEqual([first!.email, second!.email].sort());
    const toFirst = emails.find((e) => e.to.includes(first!.email))!;
    const token = /invitation\?token=([\w%-]+)/.exec(decoded(toFirst.raw))?.[1];
    expect(token).toBeDefined();

    // Asked again (and concurrently): nobody is emailed a second time.
    // (An id in capitals is the same person.)
    const again = await Promise.all([invite([first!.id.toUpperCase(), second!.id]), invite([second!.id, first!.id])]);
    for (const r of again) expect((r.body as InvitationResults).results.map((x) => x.status)).toEqual(['already_invited', 'already_invited']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sink.received.length).toBe(before + 2);
    expect(await invitationEmails(first!.id)).toBe(1);
    expect(await invitationEmails(elsewhere!.id)).toBe(0);

    // The link sets up the account; the person then has one.
    await api.http().post('/api/v1/auth/accept-invitation').send({ token: decodeURIComponent(token!), password: 'a long enough password' }).expect(201);
    expect((await invite([first!.id])).body).toEqual({ results: [{ personId: first!.id, status: 'has_account' }], invited: 0 });
    expect(await forkEm(api).getConnection().execute(`select actor_account_id from audit_log where action = 'person.invite' and object_id = ?`, [second!.id])).toHaveLength(1);
  });

  it('invites once when two admins ask for the same new person at the same moment', async () => {
    const [person] = await people(forkEm(api), 1, world.orgA);
    const before = sink.received.length;
    const answers = await Promise.all([invite([person!.id], 'adminA'), invite([person!.id], 'nationalAdmin'), invite([person!.id], 'adminA')]);
    const statuses = answers.map((r) => (r.body as InvitationResults).results[0]!.status).sort();
    expect(statuses).toEqual(['already_invited', 'already_invited', 'invited']);
    await sink.waitFor(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.received.length).toBe(before + 1);
    expect(await invitationEmails(person!.id)).toBe(1);
  });

  it('lets national admins invite anyone, refuses non-admins, and refuses a malformed list with 400', async () => {
    const [elsewhere] = await people(forkEm(api), 1, world.orgB);
    expect((await invite([elsewhere!.id], 'leadA')).status).toBe(403);
    for (const bad of [[], ['not-a-uuid'], 'x', Array.from({ length: 501 }, () => randomUUID()), null]) {
      const response = await invite(bad);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    }
    expect(await invitationEmails(elsewhere!.id)).toBe(0);
    expect(((await invite([elsewhere!.id], 'nationalAdmin')).body as InvitationResults).results).toEqual([{ personId: elsewhere!.id, status: 'invited' }]);
  });
});
