import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PipelineReportService } from '@slp/reports';
import { eventuallyPasses } from './support/assertions';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, organisation, people, programme, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

/** The target: a change made through the API is in the reports within this long, with no rebuild. */
const LIVE_WITHIN_MS = 5_000;
/** People already at every stage before the test's own changes, so no count is small enough to be withheld. */
const BASELINE = 10;

interface Counts {
  identified: number | null;
  nominated: number | null;
  inDevelopment: number | null;
  completed: number | null;
  ready: number | null;
  appointed: number | null;
}

describe('live pipeline reports: the summary is current with each change (e2e)', () => {
  let api: TestApi;
  let systemA: Awaited<ReturnType<typeof system>>;
  let orgA: Awaited<ReturnType<typeof organisation>>;
  let adminA: AccountFixture;
  let cohortA: Awaited<ReturnType<typeof cohort>>;
  let programmeId: string;

  const auth = (as: Pick<AccountFixture, 'account'>) => ({ Authorization: `Bearer ${accessTokenFor(api, as)}` });
  const post = (path: string, as: Pick<AccountFixture, 'account'>, body: object = {}) => api.http().post(`/api/v1${path}`).set(auth(as)).send(body);
  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const funnel = async (): Promise<{ total: Counts; rows: (Counts & { groupId: string })[]; refreshedAt: string; freshness: { source: string; asOf: string; ageSeconds: number } }> =>
    (await api.http().get(`/api/v1/reports/pipeline?groupBy=system&systemId=${systemA.id}`).set(auth(adminA)).expect(200)).body;
  const connect = async () => {
    const client = new Client({ connectionString: api.config.database.url });
    await client.connect();
    return client;
  };
  const summaryOf = async (personId: string) => (await sql<{ stage: string | null; ethnicity: string | null; system_id: string | null }>(`select stage, ethnicity, system_id from person_pipeline where person_id = ?`, [personId]))[0];

  /** Every stage's count rose by `by` (from the baseline) within the target, without any rebuild. */
  const expectFunnel = async (expected: Partial<Counts>) => {
    const started = Date.now();
    await eventuallyPasses(async () => expect((await funnel()).total).toMatchObject(expected), LIVE_WITHIN_MS);
    expect(Date.now() - started).toBeLessThan(LIVE_WITHIN_MS);
  };

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    systemA = await system(em, `Live ICS ${randomUUID().slice(0, 8)}`);
    orgA = await organisation(em, systemA);
    adminA = await account(em, { roles: ['admin'], systems: [systemA] });
    const lead = await account(em, { roles: ['programme_lead'], systems: [systemA], organisation: orgA });
    const prog = await programme(em, systemA);
    programmeId = prog.id;
    cohortA = await cohort(em, prog, { capacity: 100 });
    // The baseline, written straight to the tables (as an import would): each person nominated,
    // consented, enrolled, completed (rated ready now) and appointed.
    for (const person of await people(em, BASELINE, orgA)) {
      const nominationId = randomUUID();
      await sql(
        `insert into nomination (id, nominee_id, nominator_account_id, nominator_id, programme_id, target_system_id, status, readiness, performance, potential, rationale, grid_shared_with_nominee, line_manager_notified, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, 'accepted', 'ready_now', 2, 2, 'baseline', false, false, now() - interval '30 days', now())`,
        [nominationId, person.id, lead.account.id, lead.person.id, prog.id, systemA.id],
      );
      await sql(`insert into nomination_event (id, nomination_id, from_status, to_status, actor_role, at) values (?, ?, 'awaiting_consent', 'consented', 'nominee', now() - interval '20 days')`, [randomUUID(), nominationId]);
      await sql(
        `insert into enrolment (id, cohort_id, person_id, status, source, enrolled_at, ended_at, created_at, updated_at) values (?, ?, ?, 'completed', 'nomination', now() - interval '10 days', now() - interval '5 days', now(), now())`,
        [randomUUID(), cohortA.id, person.id],
      );
      await sql(`insert into appointment (id, person_id, post, organisation_id, appointed_on, recorded_by_account_id, created_at) values (?, ?, 'Director', ?, current_date, ?, now())`, [randomUUID(), person.id, orgA.id, adminA.account.id]);
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  it('shows what was written straight to the tables at once, with freshness saying the report is current', async () => {
    const report = await funnel();

    expect(report.total).toMatchObject({ identified: BASELINE, nominated: BASELINE, inDevelopment: BASELINE, completed: BASELINE, ready: BASELINE, appointed: BASELINE });
    expect(report.freshness).toMatchObject({ source: 'primary' });
    expect(report.freshness.ageSeconds).toBeLessThan(1);
    expect(report.refreshedAt).toBe(report.freshness.asOf);
  });

  it('reflects a nomination, its consent, the enrolment its acceptance makes and an appointment, each recorded through the API, within 5 s', async () => {
    const nominee = await account(forkEm(api), { organisation: orgA });

    const nomination = await post('/nominations', adminA, { nominee: { personId: nominee.person.id }, cohortId: cohortA.id, readiness: 'ready_now', performance: 3, potential: 3, rationale: 'Led the winter plan across the system.' }).expect(201);
    await expectFunnel({ identified: BASELINE + 1, nominated: BASELINE });
    expect(await summaryOf(nominee.person.id)).toMatchObject({ stage: 'identified', system_id: systemA.id });

    await post(`/nominations/${nomination.body.id}/consent`, nominee, { decision: 'consent' }).expect(200);
    await expectFunnel({ identified: BASELINE + 1, nominated: BASELINE + 1, inDevelopment: BASELINE });

    await post(`/nominations/${nomination.body.id}/accept`, adminA).expect(200);
    await expectFunnel({ nominated: BASELINE + 1, inDevelopment: BASELINE + 1, completed: BASELINE });
    expect(await summaryOf(nominee.person.id)).toMatchObject({ stage: 'in_development' });

    await post(`/people/${nominee.person.id}/appointments`, adminA, { post: 'Director of Transformation', organisationId: orgA.id, appointedOn: new Date().toISOString().slice(0, 10) }).expect(201);
    await expectFunnel({ identified: BASELINE + 1, nominated: BASELINE + 1, inDevelopment: BASELINE + 1, completed: BASELINE, appointed: BASELINE + 1 });
    expect(await summaryOf(nominee.person.id)).toMatchObject({ stage: 'appointed' });
  });

  it('follows a person who moves organisation, and an organisation that moves system, in the same transaction', async () => {
    const em = forkEm(api);
    const systemB = await system(em);
    const orgB = await organisation(em, systemB);
    const [mover] = await people(em, 1, orgA);
    await sql(`insert into appointment (id, person_id, post, organisation_id, appointed_on, recorded_by_account_id, created_at) values (?, ?, 'Director', ?, current_date, ?, now())`, [randomUUID(), mover!.id, orgA.id, adminA.account.id]);
    expect(await summaryOf(mover!.id)).toMatchObject({ stage: 'appointed', system_id: systemA.id });

    await sql(`update person set organisation_id = ? where id = ?`, [orgB.id, mover!.id]);
    expect(await summaryOf(mover!.id)).toMatchObject({ system_id: systemB.id });

    const movingOrg = await organisation(em, systemB);
    const [member] = await people(em, 1, movingOrg);
    await sql(`update organisation set system_id = ? where id = ?`, [systemA.id, movingOrg.id]);
    expect(await summaryOf(member!.id)).toMatchObject({ system_id: systemA.id });
    await sql(`update organisation set system_id = ? where id = ?`, [systemB.id, movingOrg.id]);
  });

  it('loses no change when two transactions change the same person at once: the later one reads the earlier one\'s commit', async () => {
    const [person] = await people(forkEm(api), 1, orgA);
    const lead = await account(forkEm(api), { roles: ['programme_lead'], systems: [systemA], organisation: orgA });
    const [first, second] = await Promise.all([connect(), connect()]);
    try {
      // The first holds the person's summary row (as its commit-time sync would) while the second
      // commits an enrolment: the second's sync waits, then must read the first's nomination.
      await first.query('begin');
      await first.query(
        `insert into nomination (id, nominee_id, nominator_account_id, nominator_id, programme_id, target_system_id, status, readiness, performance, potential, rationale, grid_shared_with_nominee, line_manager_notified, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, 'submitted', 'ready_now', 2, 2, 'race', false, false, now(), now())`,
        [randomUUID(), person!.id, lead.account.id, lead.person.id, programmeId, systemA.id],
      );
      await first.query('select 1 from person_pipeline where person_id = $1 for update', [person!.id]);
      await second.query('begin');
      await second.query(`insert into enrolment (id, cohort_id, person_id, status, source, enrolled_at, created_at, updated_at) values ($1, $2, $3, 'enrolled', 'lead', now(), now(), now())`, [randomUUID(), cohortA.id, person!.id]);
      const secondCommit = second.query('commit');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.query('commit');
      await secondCommit;
    } finally {
      await Promise.all([first.end(), second.end()]);
    }

    const [row] = await sql<{ identified_at: Date | null; in_development_at: Date | null; stage: string }>(`select identified_at, in_development_at, stage from person_pipeline where person_id = ?`, [person!.id]);
    expect(row!.identified_at).not.toBeNull();
    expect(row!.in_development_at).not.toBeNull();
    expect(row!.stage).toBe('in_development');
  });

  it('keeps a rebuild for repair: it corrects only rows written around the triggers, and answers how many', async () => {
    const reports = api.app.get(PipelineReportService);
    expect(await reports.rebuild()).toBe(0);
    const [person] = await people(forkEm(api), 1, orgA);
    // A hand edit, and a bulk load that skips the triggers: both are repaired, nothing else is touched.
    await sql(`update person_pipeline set stage = 'appointed', system_id = null where person_id = ?`, [person!.id]);
    const bulk = await connect();
    try {
      await bulk.query('begin');
      await bulk.query(`set local slp.pipeline_bulk = 'on'`);
      await bulk.query(`insert into appointment (id, person_id, post, organisation_id, appointed_on, recorded_by_account_id, created_at) select gen_random_uuid(), id, 'Chief Executive', $1, current_date, $2, now() from person where organisation_id = $1 and id <> $3 and not exists (select 1 from appointment a where a.person_id = person.id) limit 1`, [orgA.id, adminA.account.id, person!.id]);
      await bulk.query('commit');
    } finally {
      await bulk.end();
    }

    expect(await reports.rebuild()).toBeGreaterThanOrEqual(2);
    expect(await summaryOf(person!.id)).toMatchObject({ stage: null, system_id: systemA.id });
    expect(await reports.rebuild()).toBe(0);
    const [{ differing }] = await sql<{ differing: string }>(`select count(*) as differing from person_pipeline_source s full join person_pipeline pp using (person_id) where row(s.*) is distinct from row(pp.*)`);
    expect(Number(differing)).toBe(0);
  });
});
