import { randomUUID } from 'node:crypto';
import { PipelineReportService } from '@slp/reports';
import { PipelineService } from '@slp/talent';
import { AccessScope } from '@slp/platform';
import { accessTokenFor, account, cohort, forkEm, organisation, people, programme, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

/** Pipeline facts written straight to the tables, so counts can be worked out by hand. */
async function pipelineFacts(api: TestApi, personIds: string[], facts: { consented?: number; enrolled?: number; completed?: number; appointed?: number }, target: { programmeId: string; cohortId: string; nominatorId: string; nominatorAccountId: string }) {
  const sql = (query: string, params: unknown[]) => forkEm(api).getConnection().execute(query, params);
  for (const [i, personId] of personIds.entries()) {
    const nominationId = randomUUID();
    const consented = i < (facts.consented ?? 0);
    await sql(
      `insert into nomination (id, nominee_id, nominator_account_id, nominator_id, programme_id, target_system_id, status, readiness, performance, potential, rationale, grid_shared_with_nominee, line_manager_notified, created_at, updated_at)
       select ?, ?, ?, ?, ?, system_id, ?, 'ready_now', 2, 2, 'fixture', false, false, now() - interval '30 days', now() from programme where id = ?`,
      [nominationId, personId, target.nominatorAccountId, target.nominatorId, target.programmeId, consented ? 'accepted' : 'awaiting_consent', target.programmeId],
    );
    if (consented) await sql(`insert into nomination_event (id, nomination_id, from_status, to_status, actor_role, at) values (?, ?, 'awaiting_consent', 'consented', 'nominee', now() - interval '20 days')`, [randomUUID(), nominationId]);
    if (i < (facts.enrolled ?? 0)) {
      const completed = i < (facts.completed ?? 0);
      await sql(
        `insert into enrolment (id, cohort_id, person_id, status, source, enrolled_at, ended_at, created_at, updated_at) values (?, ?, ?, ?, 'nomination', now() - interval '10 days', ?, now(), now())`,
        [randomUUID(), target.cohortId, personId, completed ? 'completed' : 'enrolled', completed ? new Date(Date.now() - 5 * 86_400_000) : null],
      );
    }
    if (i < (facts.appointed ?? 0)) {
      await sql(`insert into appointment (id, person_id, post, organisation_id, appointed_on, recorded_by_account_id, created_at) select ?, ?, 'Director', organisation_id, current_date, ?, now() from person where id = ?`, [randomUUID(), personId, target.nominatorAccountId, personId]);
    }
  }
}

describe('pipeline funnel report (e2e)', () => {
  let api: TestApi;
  let national: string;
  let adminA: string;
  let systemA: Awaited<ReturnType<typeof system>>;
  let systemB: Awaited<ReturnType<typeof system>>;
  let peopleA: string[];

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    systemA = await system(em, 'Alpha ICS');
    systemB = await system(em, 'Beta ICS');
    const orgA = await organisation(em, systemA);
    const orgB = await organisation(em, systemB);
    const lead = await account(em, { roles: ['programme_lead'], systems: [systemA, systemB], organisation: orgA });
    national = accessTokenFor(api, await account(em, { roles: ['admin'] }));
    adminA = accessTokenFor(api, await account(em, { roles: ['admin'], systems: [systemA] }));
    const progA = await programme(em, systemA);
    const progB = await programme(em, systemB);
    const target = (p: typeof progA, c: { id: string }) => ({ programmeId: p.id, cohortId: c.id, nominatorId: lead.person.id, nominatorAccountId: lead.account.id });
    const cohortA = await cohort(em, progA, { capacity: 1000 });
    const cohortB = await cohort(em, progB, { capacity: 1000 });
    // System A: 20 identified, 15 nominated (consented), 12 in development, 9 completed (all rated ready now), 3 appointed.
    peopleA = (await people(em, 20, orgA)).map((p) => p.id);
    await pipelineFacts(api, peopleA, { consented: 15, enrolled: 12, completed: 9, appointed: 3 }, target(progA, cohortA));
    // System B: 10 identified, 10 nominated, 8 in development, none completed.
    await pipelineFacts(api, (await people(em, 10, orgB)).map((p) => p.id), { consented: 10, enrolled: 8 }, target(progB, cohortB));
  });

  afterAll(async () => {
    await api.close();
  });

  const funnel = (token: string, query = '') => api.http().get(`/api/v1/reports/pipeline${query}`).set('Authorization', `Bearer ${token}`);

  it('counts people reaching each stage by system, matching the hand-worked numbers, and withholds small counts', async () => {
    const response = await funnel(national, '?groupBy=system').expect(200);

    const rows = response.body.rows as { group: string; identified: number | null; nominated: number | null; inDevelopment: number | null; completed: number | null; ready: number | null; appointed: number | null }[];
    expect(rows.map((r) => r.group)).toEqual(['Alpha ICS', 'Beta ICS']);
    // Alpha's 3 appointed is withheld (1–7); Beta's 0 is published; the total 3 would reveal it, so it is withheld too.
    expect(rows[0]).toMatchObject({ identified: 20, nominated: 15, inDevelopment: 12, completed: 9, ready: 9, appointed: null });
    expect(rows[1]).toMatchObject({ identified: 10, nominated: 10, inDevelopment: 8, completed: 0, ready: 0, appointed: 0 });
    expect(response.body.total).toMatchObject({ identified: 30, nominated: 25, inDevelopment: 20, completed: 9, ready: 9, appointed: null });
    expect(response.body.suppressed).toBe(true);
    expect(response.body.rows[0].conversion).toMatchObject({ identifiedToNominated: 0.75, nominatedToInDevelopment: 0.8, readyToAppointed: null });
  });

  it('counts a stage only for people who reached it within the date range', async () => {
    // Identified 30 days ago, nominated (consented) 20 days ago, enrolled 10 days ago.
    const daysAgo = (days: number) => encodeURIComponent(new Date(Date.now() - days * 86_400_000).toISOString());

    const recent = await funnel(national, `?groupBy=system&from=${daysAgo(15)}`).expect(200);
    expect(recent.body.rows[0]).toMatchObject({ group: 'Alpha ICS', identified: 0, nominated: 0, inDevelopment: 12 });
    expect(recent.body.rows[1]).toMatchObject({ group: 'Beta ICS', identified: 0, nominated: 0, inDevelopment: 8 });

    const early = await funnel(national, `?groupBy=system&to=${daysAgo(25)}`).expect(200);
    expect(early.body.rows[0]).toMatchObject({ identified: 20, nominated: 0, inDevelopment: 0, completed: 0, appointed: 0 });
    expect(early.body.total).toMatchObject({ identified: 30, nominated: 0, inDevelopment: 0 });

    const between = await funnel(national, `?groupBy=system&from=${daysAgo(25)}&to=${daysAgo(15)}`).expect(200);
    expect(between.body.total).toMatchObject({ identified: 0, nominated: 25, inDevelopment: 0 });
  });

  it('gives a system admin their systems only: another system never appears, not even in the totals', async () => {
    const response = await funnel(adminA, '?groupBy=system').expect(200);

    expect(response.body.rows.map((r: { group: string }) => r.group)).toEqual(['Alpha ICS']);
    expect(response.body.total).toMatchObject({ identified: 20, nominated: 15 });
    expect((await funnel(adminA, `?systemId=${systemB.id}`)).status).toBe(404);
  });

  it('refuses participants and programme leads (403) and bad filters (400)', async () => {
    const participant = accessTokenFor(api, await account(forkEm(api)));
    const lead = accessTokenFor(api, await account(forkEm(api), { roles: ['programme_lead'], systems: [systemA] }));
    expect((await funnel(participant)).status).toBe(403);
    expect((await funnel(lead)).status).toBe(403);
    expect((await funnel(national, '?groupBy=shoeSize')).status).toBe(400);
    expect((await funnel(national, '?from=yesterday')).status).toBe(400);
  });

  it('derives the same stage per person as the pipeline rules used for GET /people/:id/pipeline', async () => {
    const rows = await forkEm(api).getConnection().execute<{ person_id: string; stage: string }[]>(`select person_id, stage from person_pipeline where person_id in (${peopleA.map(() => '?').join(',')})`, peopleA);
    const national = AccessScope.of({ accountId: randomUUID(), personId: randomUUID(), roles: ['admin'], systemIds: [] });
    for (const row of rows) {
      const { stage } = await forkEm(api).transactional(() => api.app.get(PipelineService).forPerson(national, row.person_id));
      expect({ person: row.person_id, stage: row.stage }).toEqual({ person: row.person_id, stage });
    }
    expect(rows).toHaveLength(20);
  });
});
