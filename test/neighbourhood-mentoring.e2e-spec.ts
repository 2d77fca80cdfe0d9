import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Place, System, type Organisation } from '@slp/directory';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { auditRows, expectProblem } from './support/assertions';
import { staffAccounts, twoSystems } from './support/callers';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { accessTokenFor, account, AccountFixture, forkEm, organisation, region } from './support/factories';
import { startTestApi, TestApi, testConfig } from './support/test-api';

type Caller = Pick<AccountFixture, 'account'>;

interface OutboxRow {
  kind: string;
  recipient_email: string;
  data: Record<string, unknown>;
}

describe('neighbourhood health: mentor suggestions and the mentoring flow, emailed to both Places’ staff (e2e: worker and SMTP sink)', () => {
  let sink: ControlledSmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;
  let systemA: System;
  let systemB: System;
  let systemC: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let nationalAdmin: AccountFixture;
  let adminA: AccountFixture;
  let leadA: AccountFixture;
  let leadB: AccountFixture;
  let leadC: AccountFixture;
  let coachA: AccountFixture;
  let participant: AccountFixture;
  const place: Record<'A1' | 'A2' | 'B1' | 'C1', Place> = {} as never;

  const auth = (as: Caller) => ({ Authorization: `Bearer ${accessTokenFor(api, as)}` });
  const get = (path: string, as: Caller) => api.http().get(`/api/v1${path}`).set(auth(as));
  const post = (path: string, as: Caller, body: object = {}) => api.http().post(`/api/v1${path}`).set(auth(as)).send(body);
  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const outbox = (mentoringId: string, kind: string) =>
    sql<OutboxRow>(`select kind, lower(recipient_email) as recipient_email, data from notification where subject_type = 'mentoring' and subject_id = ? and kind = ? order by recipient_email`, [mentoringId, kind]);
  const recipients = async (mentoringId: string, kind: string) => (await outbox(mentoringId, kind)).map((r) => `${r.recipient_email} (${r.data.audience as string})`);
  const lower = (fixture: AccountFixture) => fixture.email.toLowerCase();
  const sorted = (...items: string[]) => [...items].sort();
  const assess = (placeId: string, level: number, as: Caller = nationalAdmin) =>
    post(`/neighbourhood/places/${placeId}/assessments`, as, { assessedOn: '2026-01-15', components: { intermediate_care: { level, evidence: `Level ${level} evidence.` } } }).expect(201);

  beforeAll(async () => {
    sink = await ControlledSmtpSink.start();
    api = await startTestApi({ SMTP_URL: sink.url });
    const overrides = { SMTP_URL: sink.url, MAIL_RETRY_BASE_MS: '50', REDIS_PREFIX: api.config.redis.prefix };
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(api.config.database.url, overrides)), { logger: false });

    const em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    systemC = em.create(System, { name: `Test ICS North East ${Date.now()}`, odsCode: `QC${Date.now().toString(36).slice(-4).toUpperCase()}`, kind: 'ICS', region: await region(em, 'Y63', 'North East and Yorkshire'), population: 900_000, createdAt: new Date() });
    await em.flush();
    const orgC = await organisation(em, systemC);
    ({ nationalAdmin, adminA, leadA } = await staffAccounts(em, { systemA, orgA }));
    leadB = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
    leadC = await account(em, { roles: ['programme_lead'], systems: [systemC], organisation: orgC });
    coachA = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA });
    participant = await account(em, { organisation: orgA });
    // A lead who is not active receives nothing.
    const departed = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
    await sql(`update account set status = 'disabled' where id = ?`, [departed.account.id]);

    const names = { A1: 'Blackburn with Darwen', A2: 'Morecambe Bay', B1: 'Wakefield', C1: 'Gateshead' } as const;
    const systems = { A1: systemA, A2: systemA, B1: systemB, C1: systemC };
    for (const key of ['A1', 'A2', 'B1', 'C1'] as const) {
      place[key] = em.create(Place, { system: systems[key], name: names[key], wave: null, maturityLevel: null, createdAt: new Date() });
    }
    await em.flush();
    for (const key of ['A1', 'A2', 'B1', 'C1'] as const) {
      await post('/neighbourhood/places', nationalAdmin, { placeId: place[key].id, wave: 1, joinedOn: '2025-09-01', population: 300_000, coachPersonIds: key === 'A1' ? [coachA.person.id] : [] }).expect(201);
    }
    // Intermediate care: Blackburn is at 1 (after a first 2 …), Morecambe Bay at 3, Wakefield and Gateshead at 4.
    await post(`/neighbourhood/places/${place.A1.id}/assessments`, leadA, { assessedOn: '2025-09-15', components: { intermediate_care: { level: 2, evidence: 'First look.' } } }).expect(201);
    await assess(place.A1.id, 1, leadA);
    await assess(place.A2.id, 3);
    await assess(place.B1.id, 4);
    await assess(place.C1.id, 4);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  describe('mentor suggestions', () => {
    it('ranks Places at level 3–4 for a Place at 1–2: level first, then the same region, then the lightest mentoring load', async () => {
      const response = await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions?component=intermediate_care`, leadA).expect(200);
      expect(response.body.items.map((s: { name: string }) => s.name)).toEqual(['Wakefield', 'Gateshead', 'Morecambe Bay']);
      expect(response.body.items[0]).toEqual({ placeId: place.B1.id, name: 'Wakefield', systemName: systemB.name, regionName: 'North West', level: 4, assessedOn: '2026-01-15', sameRegion: true, openMentoring: 0, practices: 0 });
      expect(response.body.items[1]).toMatchObject({ name: 'Gateshead', regionName: 'North East and Yorkshire', sameRegion: false });
      // The Place's coach asks too.
      expect((await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions?component=intermediate_care`, coachA).expect(200)).body.items).toHaveLength(3);
    });

    it('refuses a Place already at 3–4, a component not yet assessed, a missing component and callers outside the Place', async () => {
      expectProblem(await get(`/neighbourhood/places/${place.B1.id}/mentor-suggestions?component=intermediate_care`, leadB), 409);
      expectProblem(await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions?component=neighbourhood_mdts`, leadA), 409);
      expectProblem(await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions`, leadA), 400, ['component']);
      expectProblem(await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions?component=intermediate_care`, leadB), 404);
      expectProblem(await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions?component=intermediate_care`, participant), 403);
    });
  });

  describe('the mentoring flow', () => {
    let mentoringId: string;
    const goal = 'Bring step-up and step-down beds under one team.';

    it('proposes: the mentee Place’s staff ask, both Places’ staff are emailed (not coaches, national admins or anyone disabled)', async () => {
      const response = await post('/neighbourhood/mentoring', leadA, { menteePlaceId: place.A1.id, mentorPlaceId: place.B1.id, component: 'intermediate_care', goal });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ menteePlaceId: place.A1.id, menteePlaceName: 'Blackburn with Darwen', mentorPlaceId: place.B1.id, mentorPlaceName: 'Wakefield', component: 'intermediate_care', goal, status: 'proposed', reflection: null, decidedAt: null });
      mentoringId = response.body.id;
      expect(await recipients(mentoringId, 'mentoring_proposed')).toEqual(sorted(`${lower(leadA)} (mentee)`, `${lower(adminA)} (mentee)`, `${lower(leadB)} (mentor)`));
      const [row] = await outbox(mentoringId, 'mentoring_proposed');
      expect(row!.data).toMatchObject({ menteePlace: 'Blackburn with Darwen', mentorPlace: 'Wakefield', component: 'Integrated intermediate care', goal });
      expect(await auditRows(api, { objectId: mentoringId, action: 'mentoring.propose' })).toEqual([expect.objectContaining({ actor_account_id: leadA.account.id })]);
      // The mentor Place now carries one open relationship.
      expect((await get(`/neighbourhood/places/${place.A1.id}/mentor-suggestions?component=intermediate_care`, leadA).expect(200)).body.items[0]).toMatchObject({ name: 'Wakefield', openMentoring: 1 });
    });

    it('refuses a second open proposal for the same pair, a Place mentoring itself, a mentor below level 3 and outsiders, changing nothing', async () => {
      const before = Number((await sql<{ n: string }>(`select count(*) as n from nh_mentoring`))[0]!.n);
      const outboxBefore = Number((await sql<{ n: string }>(`select count(*) as n from notification`))[0]!.n);
      const body = { menteePlaceId: place.A1.id, mentorPlaceId: place.B1.id, component: 'intermediate_care', goal };
      expectProblem(await post('/neighbourhood/mentoring', leadA, body), 409);
      expectProblem(await post('/neighbourhood/mentoring', leadA, { ...body, mentorPlaceId: place.A1.id }), 400, ['mentorPlaceId']);
      expectProblem(await post('/neighbourhood/mentoring', leadB, { ...body, menteePlaceId: place.A2.id, mentorPlaceId: place.A1.id }), 404);
      expectProblem(await post('/neighbourhood/mentoring', leadA, { ...body, menteePlaceId: place.A2.id, mentorPlaceId: place.C1.id }), 409);
      expectProblem(await post('/neighbourhood/mentoring', leadA, { ...body, mentorPlaceId: '00000000-0000-4000-8000-000000000000' }), 400, ['mentorPlaceId']);
      expectProblem(await post('/neighbourhood/mentoring', leadA, { ...body, goal: '', component: 'gardening' }), 400, ['goal', 'component']);
      expectProblem(await post('/neighbourhood/mentoring', participant, body), 403);
      expect(Number((await sql<{ n: string }>(`select count(*) as n from nh_mentoring`))[0]!.n)).toBe(before);
      expect(Number((await sql<{ n: string }>(`select count(*) as n from notification`))[0]!.n)).toBe(outboxBefore);
    });

    it('is answered only by the mentor Place’s staff, once', async () => {
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/accept`, leadA), 403);
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/accept`, coachA), 403);
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/accept`, leadC), 404);
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/close`, leadB, { reflection: 'Too early.' }), 409);
      expect((await get(`/neighbourhood/mentoring/${mentoringId}`, leadA).expect(200)).body.status).toBe('proposed');

      const accepted = await post(`/neighbourhood/mentoring/${mentoringId}/accept`, leadB, { note: 'Our frailty MDT meets on Tuesdays.' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: 'accepted', decisionNote: 'Our frailty MDT meets on Tuesdays.', decidedAt: expect.any(String) });
      expect(await recipients(mentoringId, 'mentoring_accepted')).toEqual(sorted(`${lower(leadA)} (mentee)`, `${lower(adminA)} (mentee)`, `${lower(leadB)} (mentor)`));
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/accept`, leadB), 409);
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/decline`, leadB), 409);
      expect(await auditRows(api, { objectId: mentoringId, action: 'mentoring.accept' })).toEqual([expect.objectContaining({ actor_account_id: leadB.account.id })]);
    });

    it('closes with a reflection, by either Place’s staff', async () => {
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/close`, leadA, { reflection: '  ' }), 400, ['reflection']);
      const closed = await post(`/neighbourhood/mentoring/${mentoringId}/close`, leadA, { reflection: 'Daily huddles cut the wait for a bed from four days to one.' });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', reflection: 'Daily huddles cut the wait for a bed from four days to one.', closedAt: expect.any(String) });
      expect(await recipients(mentoringId, 'mentoring_closed')).toHaveLength(3);
      expectProblem(await post(`/neighbourhood/mentoring/${mentoringId}/close`, leadB, { reflection: 'Again.' }), 409);
      // Closed, the pair may start again.
      expect((await get(`/neighbourhood/places/${place.A1.id}/mentoring`, leadA).expect(200)).body.items.map((m: { status: string }) => m.status)).toEqual(['closed']);
      expect((await get(`/neighbourhood/places/${place.B1.id}/mentoring`, leadB).expect(200)).body.items).toHaveLength(1);
      expectProblem(await get(`/neighbourhood/mentoring/${mentoringId}`, leadC), 404);
    });

    it('lets a coach propose and the mentor Place decline; the emails reach the SMTP server', async () => {
      const proposed = await post('/neighbourhood/mentoring', coachA, { menteePlaceId: place.A1.id, mentorPlaceId: place.C1.id, component: 'intermediate_care', goal: 'Learn how Gateshead runs its rapid response.' }).expect(201);
      const declined = await post(`/neighbourhood/mentoring/${proposed.body.id}/decline`, leadC, { note: 'We are mentoring two Places already.' }).expect(200);
      expect(declined.body.status).toBe('declined');
      expect(await recipients(proposed.body.id, 'mentoring_declined')).toEqual(sorted(`${lower(leadA)} (mentee)`, `${lower(adminA)} (mentee)`, `${lower(leadC)} (mentor)`));

      // 3 people × (proposed, accepted, closed) for the first; 3 × (proposed, declined) for the second.
      const emails = await sink.waitFor(15, 30_000);
      const toLeadC = emails.filter((e) => e.to.map((t) => t.toLowerCase()).includes(lower(leadC))).map((e) => e.header('subject'));
      expect(toLeadC.sort()).toEqual(['Blackburn with Darwen has asked Gateshead for mentoring', 'Gateshead cannot mentor Blackburn with Darwen this time']);
      const toLeadB = emails.filter((e) => e.to.map((t) => t.toLowerCase()).includes(lower(leadB)));
      expect(toLeadB).toHaveLength(3);
      const closedEmail = toLeadB.find((e) => e.header('subject') === 'Mentoring between Wakefield and Blackburn with Darwen has closed');
      expect(closedEmail).toBeDefined();
      expect(closedEmail!.raw.replace(/=\r?\n/g, '')).toContain('from four days to one');
      expect(emails.some((e) => e.to.map((t) => t.toLowerCase()).includes(lower(coachA)) || e.to.map((t) => t.toLowerCase()).includes(lower(nationalAdmin)))).toBe(false);
    });
  });
});
