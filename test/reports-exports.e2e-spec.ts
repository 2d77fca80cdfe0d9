import { randomUUID } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessTokenFor, account, cohort, forkEm, organisation, people, programme, system } from './support/factories';
import { auditRows } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

describe('equality report, cohort report and CSV exports (e2e)', () => {
  let api: TestApi;
  let national: string;
  let adminA: string;
  let adminAAccountId: string;
  let cohortId: string;
  let systemB: Awaited<ReturnType<typeof system>>;

  const sql = (query: string, params: unknown[] = []) => forkEm(api).getConnection().execute(query, params);

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const systemA = await system(em, 'Gamma ICS');
    systemB = await system(em, 'Delta ICS');
    const orgA = await organisation(em, systemA);
    const orgB = await organisation(em, systemB);
    const lead = await account(em, { roles: ['programme_lead'], systems: [systemA], organisation: orgA });
    national = accessTokenFor(api, await account(em, { roles: ['admin'] }));
    const adminAAccount = await account(em, { roles: ['admin'], systems: [systemA] });
    adminAAccountId = adminAAccount.account.id;
    adminA = accessTokenFor(api, adminAAccount);
    const prog = await programme(em, systemA);
    const target = await cohort(em, prog, { capacity: 100 });
    cohortId = target.id;
    // Equality fixture, system A: 40 White (12 nominated), 20 Black (10), 15 Mixed (9), 12 Asian (2), 9 without consent.
    const groups: [string | null, number, number][] = [['A', 40, 12], ['M', 20, 10], ['D', 15, 9], ['H', 12, 2], [null, 9, 9]];
    for (const [ethnicity, size, nominated] of groups) {
      const members = await people(em, size, orgA);
      for (const [i, person] of members.entries()) {
        if (ethnicity) await sql(`insert into equality_monitoring (person_id, consented_at, ethnicity, sex, disability, updated_at) values (?, now(), ?, 'female', 'no', now())`, [person.id, ethnicity]);
        if (i < nominated) {
          await sql(
            `insert into nomination (id, nominee_id, nominator_account_id, nominator_id, programme_id, target_system_id, status, readiness, performance, potential, rationale, grid_shared_with_nominee, line_manager_notified, created_at, updated_at)
             values (?, ?, ?, ?, ?, ?, 'awaiting_consent', 'ready_1_2_years', 2, 2, 'fixture', false, false, now(), now())`,
            [randomUUID(), person.id, lead.account.id, lead.person.id, prog.id, systemA.id],
          );
        }
      }
    }
    // The first person of A (the lead, created first) gets a name a spreadsheet would run as a formula and a cohort place:
    // 42 nominated people plus them are in the pipeline.
    await sql(`update person set given_name = '=HYPERLINK("http://evil.example")', family_name = '+SUM(A1)' where id = (select id from person where organisation_id = ? order by id limit 1)`, [orgA.id]);
    await sql(`update organisation set name = E'\\t-2+3 Trust' where id = ?`, [orgA.id]);
    await sql(`insert into enrolment (id, cohort_id, person_id, status, source, enrolled_at, created_at, updated_at) select ?, ?, id, 'enrolled', 'lead', now(), now(), now() from person where organisation_id = ? order by id limit 1`, [randomUUID(), cohortId, orgA.id]);
    await sql(`update cohort set seats_taken = 1 where id = ?`, [cohortId]);
    // System B: someone the system admin of A must never see.
    const [other] = await people(em, 1, orgB);
    await sql(`insert into equality_monitoring (person_id, consented_at, ethnicity, updated_at) values (?, now(), 'A', now())`, [other!.id]);
  });

  afterAll(async () => {
    await api.close();
  });

  const get = (token: string, path: string) => api.http().get(`/api/v1/reports/${path}`).set('Authorization', `Bearer ${token}`);

  it('gives each ethnic group its nomination rate and relative likelihood against White staff, from consented data only', async () => {
    const response = await get(adminA, 'equality?measure=nomination&groupBy=ethnicity').expect(200);

    const byGroup = Object.fromEntries((response.body.rows as { group: string; relativeLikelihood: number | null }[]).map((row) => [row.group, row]));
    expect(response.body.reference).toBe('White');
    expect(byGroup['White']).toMatchObject({ population: 40, count: 12, rate: 0.3, relativeLikelihood: 1 });
    expect(byGroup['Black or Black British']).toMatchObject({ population: 20, count: 10, rate: 0.5 });
    expect(byGroup['Black or Black British'].relativeLikelihood).toBeCloseTo(0.5 / 0.3, 10);
    // 12 Asian staff, 2 nominated: the 2 is withheld, and so are the rate and likelihood built on it.
    expect(byGroup['Asian or Asian British']).toMatchObject({ population: 12, count: null, rate: null, relativeLikelihood: null });
    // Secondary suppression: the smallest other count (Mixed, 9) goes too, so the total cannot give the 2 back.
    expect(byGroup['Mixed']).toMatchObject({ population: 15, count: null, rate: null });
    expect(response.body.suppressed).toBe(true);
    expect(response.body.total).toMatchObject({ population: 87, count: 33 });
  });

  it('streams any report as CSV on ?format=csv or Accept: text/csv', async () => {
    const viaQuery = await get(national, 'pipeline?groupBy=system&format=csv').expect(200);
    expect(viaQuery.headers['content-type']).toMatch(/^text\/csv/);
    expect(viaQuery.text.split('\n')[0]).toBe('system,identified,nominated,inDevelopment,completed,ready,appointed');

    const viaAccept = await get(national, 'equality?groupBy=ethnicity').set('Accept', 'text/csv').expect(200);
    expect(viaAccept.text.split('\n')[0]).toBe('ethnicity,population,nomination,rate,relativeLikelihood');
  });

  it('exports the people behind the funnel as CSV with formula-looking cells neutralised, and audits the export', async () => {
    const response = await get(adminA, 'pipeline/people?format=csv').expect(200);

    const lines = response.text.trim().split('\n');
    expect(lines[0]).toBe('personId,givenName,familyName,organisation,system,place,staffGroup,grade,stage,identifiedAt,nominatedAt,inDevelopmentAt,completedAt,readyAt,appointedAt');
    expect(response.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(response.text).toContain("'+SUM(A1)");
    expect(response.text).toContain("'\t-2+3 Trust");
    expect(response.text).not.toContain('Delta ICS');
    expect(lines.length - 1).toBe(43);
    expect(await auditRows(api, { requestId: response.headers['x-request-id'] as string })).toEqual([
      expect.objectContaining({ actor_account_id: adminAAccountId, action: 'report.export', object_type: 'report', object_id: 'pipeline_people' }),
    ]);
  });

  it('pages the same people as JSON with a keyset cursor, every person once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: { body: { items: { personId: string }[]; nextCursor: string | null } } = await get(adminA, `pipeline/people?limit=10${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...response.body.items.map((p) => p.personId));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(43);
    expect(new Set(seen).size).toBe(43);
  });

  it('reports a cohort’s fill rate, waitlist and completion to admins of its system only', async () => {
    const report = await get(adminA, `cohorts/${cohortId}`).expect(200);
    expect(report.body).toMatchObject({ capacity: 100, seatsTaken: 1, fillRate: 0.01, waitlistLength: 0, completion: { stillEnrolled: 1 } });

    const adminB = accessTokenFor(api, await account(forkEm(api), { roles: ['admin'], systems: [systemB] }));
    expect((await get(adminB, `cohorts/${cohortId}`)).status).toBe(404);
    expect((await get(adminB, `equality?systemId=${randomUUID()}`)).status).toBe(404);
  });
});

describe('pipeline people CSV export at volume (e2e)', () => {
  const PEOPLE = 60_000;
  let api: TestApi;
  let national: string;
  let port: number;

  const sql = <T extends object = Record<string, unknown>>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  /** The export's COPY, as PostgreSQL sees it: running, and what it is waiting for. */
  const copies = () => sql<{ state: string; wait_event: string | null }>(`select state, wait_event from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and query like 'copy (%' and pid <> pg_backend_pid()`);

  async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    let value = await probe();
    for (let i = 0; i < 100 && !done(value); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = await probe();
    }
    return value;
  }

  /** Starts an export and stops reading after the first chunk; resolves with the paused response. */
  function startExport(): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path: '/api/v1/reports/pipeline/people?format=csv', headers: { authorization: `Bearer ${national}` } }, (res) => {
        res.once('data', () => {
          res.pause();
          resolve(res);
        });
      });
      req.on('error', reject);
    });
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const inSystem = await system(em, 'Epsilon ICS');
    const org = await organisation(em, inSystem);
    const admin = await account(em, { roles: ['admin'] });
    national = accessTokenFor(api, admin);
    // 60,000 appointed people with long names: ~20 MB of CSV, far more than socket buffers hold.
    await sql(
      `with made as (
         insert into person (id, email, given_name, family_name, organisation_id, staff_group, grade, created_at, updated_at)
         select gen_random_uuid(), 'volume' || n || '@export.example', 'Given-' || n || repeat(' name', 20), 'Family, "quoted" ' || repeat('surname ', 15), ?, 'Nursing and Midwifery Registered', 'Band 8a', now(), now()
           from generate_series(1, ?) n
         returning id)
       insert into appointment (id, person_id, post, organisation_id, appointed_on, recorded_by_account_id, created_at)
       select gen_random_uuid(), id, 'Director of Nursing', ?, date '2026-10-01', ?, now() from made`,
      [org.id, PEOPLE, org.id, admin.account.id],
    );
    await api.app.listen(0, '127.0.0.1');
    port = (api.server.address() as AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    await api.close();
  });

  it('exports every row as well-formed CSV', async () => {
    const response = await api.http().get('/api/v1/reports/pipeline/people?format=csv').set('Authorization', `Bearer ${national}`).expect(200);

    expect(response.headers['content-disposition']).toBe('attachment; filename="pipeline-people.csv"');
    const lines = response.text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(PEOPLE + 1 + 1);
    expect(lines[1]).toMatch(/^[0-9a-f-]{36},"?Given-\d+ name/);
    expect(lines[1]).toContain('"Family, ""quoted"" surname');
    expect(lines[1]).toMatch(/,appointed,,,,,,2026-10-01T00:00:00\.000Z$/);
  });

  it('streams with backpressure that reaches the database: a reader that stops leaves the query waiting on the socket', async () => {
    const paused = await startExport();

    const running = await until(copies, (rows) => rows.some((row) => row.wait_event === 'ClientWrite'));
    // PostgreSQL is blocked writing to a full socket: the API holds a few buffers, not the export.
    expect(running).toEqual([expect.objectContaining({ state: 'active', wait_event: 'ClientWrite' })]);
    const memory = process.memoryUsage().rss;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await copies()).toHaveLength(1);
    expect(process.memoryUsage().rss - memory).toBeLessThan(50 * 1024 * 1024);

    paused.destroy();
    expect(await until(copies, (rows) => rows.length === 0)).toEqual([]);
  });

  it('ends the query when the reader goes away, and returns no broken connection to the pool', async () => {
    // More abandoned exports than the export pool has connections: a leaked connection would hang the last export.
    for (let i = 0; i < 6; i++) {
      const paused = await startExport();
      paused.destroy();
      expect(await until(copies, (rows) => rows.length === 0)).toEqual([]);
    }
    const response = await api.http().get('/api/v1/reports/pipeline/people?format=csv&stage=appointed').set('Authorization', `Bearer ${national}`).expect(200);
    expect(response.text.split('\n')).toHaveLength(PEOPLE + 2);
  });
});
