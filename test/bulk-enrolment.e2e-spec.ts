import type { Response } from 'supertest';
import { Person } from '@slp/identity';
import { MAX_ENROLMENT_LIST_BYTES } from '@slp/imports';
import { PROBLEM_JSON } from './support/assertions';
import { staffAccounts, twoSystems, TwoSystems } from './support/callers';
import { accessTokenFor, account, cohort, forkEm, people, programme } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

interface BulkRow {
  row: number;
  email: string;
  status: string;
  waitlistPosition: number | null;
  error: string | null;
  personId: string | null;
  enrolmentId: string | null;
  personCreated: boolean;
}

describe('bulk enrolment from a CSV list (e2e)', () => {
  let api: TestApi;
  let replica: TestApi;
  let world: TwoSystems;
  const token = {} as Record<'nationalAdmin' | 'adminA' | 'leadA' | 'leadB' | 'participant', string>;

  beforeAll(async () => {
    api = await startTestApi();
    // A second API instance on the same database: single enrolments race the list from another process's pool.
    replica = await startTestApi({}, api.config.database.url);
    const em = forkEm(api);
    world = await twoSystems(em);
    const staff = await staffAccounts(em, world);
    token.nationalAdmin = accessTokenFor(api, staff.nationalAdmin);
    token.adminA = accessTokenFor(api, staff.adminA);
    token.leadA = accessTokenFor(api, staff.leadA);
    token.leadB = accessTokenFor(api, await account(em, { roles: ['programme_lead'], systems: [world.systemB], organisation: world.orgB }));
    token.participant = accessTokenFor(api, await account(em, { organisation: world.orgA }));
  });

  afterAll(async () => {
    await replica?.close();
    await api?.close();
  });

  const upload = (cohortId: string, csv: string | Buffer, as: keyof typeof token = 'leadA', target: TestApi = api) =>
    target
      .http()
      .post(`/api/v1/cohorts/${cohortId}/enrolments/bulk`)
      .set('Authorization', `Bearer ${token[as]}`)
      .set('Content-Type', 'text/csv')
      .send(typeof csv === 'string' ? Buffer.from(csv) : csv);

  const rowsOf = (response: Response) => (response.body as { results: BulkRow[] }).results;

  async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return forkEm(api).getConnection().execute<T[]>(query, params);
  }

  async function tableCounts(): Promise<Record<string, string>> {
    const [row] = await sql<Record<string, string>>(`select (select count(*) from person) as people, (select count(*) from enrolment) as enrolments, (select count(*) from notification) as emails`);
    return row!;
  }

  it('enrols known people, adds unknown ones without accounts, and says per row what happened', async () => {
    const em = forkEm(api);
    const target = await cohort(em, await programme(em, world.systemA), { capacity: 2 });
    const [known, alreadyIn] = await people(em, 2, world.orgA);
    const outside = (await people(em, 1, world.orgB))[0]!;
    await api.http().post(`/api/v1/cohorts/${target.id}/enrolments`).set('Authorization', `Bearer ${token.leadA}`).send({ personId: alreadyIn!.id }).expect(201);

    const csv = [
      'Email,Given Name,Family Name,Organisation ODS Code,Notes',
      `${known!.email.toUpperCase()},,,,already on the platform`,
      `${alreadyIn!.email},,,,`,
      `new.starter@nhs.example,Nia,Starter,${world.orgA.odsCode.toLowerCase()},joins in January`,
      `no.names@nhs.example,,,${world.orgA.odsCode},`,
      `${outside.email},,,,`,
      `wrong.org@nhs.example,Wyn,Org,${world.orgB.odsCode},`,
    ].join('\r\n');
    const response = await upload(target.id, csv);
    expect(response.status).toBe(200);
    const rows = rowsOf(response);
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      [2, 'enrolled'],
      [3, 'already_enrolled'],
      [4, 'waitlisted'],
      [5, 'error'],
      [6, 'error'],
      [7, 'error'],
    ]);
    expect(rows[0]).toMatchObject({ personId: known!.id, personCreated: false, enrolmentId: expect.any(String), error: null });
    expect(rows[2]).toMatchObject({ waitlistPosition: 1, personCreated: true });
    expect(rows[3]!.error).toMatch(/not on the platform: give givenName, familyName and organisationOdsCode/);
    expect(rows[4]).toMatchObject({ personId: null, error: expect.stringMatching(/outside your systems/) });
    expect(rows[5]!.error).toBe(`${world.orgB.odsCode} is not an organisation in your systems.`);
    expect((response.body as { summary: unknown }).summary).toEqual({ rows: 6, enrolled: 1, waitlisted: 1, alreadyEnrolled: 1, errors: 3, peopleCreated: 1 });

    const [created] = await sql<{ given_name: string; organisation_id: string; accounts: number }>(
      `select p.given_name, p.organisation_id, (select count(*) from account a where a.person_id = p.id)::int as accounts from person p where p.email = 'new.starter@nhs.example'`,
    );
    expect(created).toEqual({ given_name: 'Nia', organisation_id: world.orgA.id, accounts: 0 });
    // A refused row adds nobody.
    expect(await sql(`select 1 from person where email in ('no.names@nhs.example', 'wrong.org@nhs.example')`)).toHaveLength(0);
    expect(await sql(`select status from enrolment where person_id = ?`, [outside.id])).toHaveLength(0);
    // Each placement emailed the person, as a single enrolment does.
    expect(await sql(`select kind from notification where recipient_email in (?, 'new.starter@nhs.example') order by kind`, [known!.email])).toEqual([{ kind: 'enrolment_confirmed' }, { kind: 'waitlisted' }]);
    expect(await sql(`select details->>'via' as via from audit_log where action = 'person.create' and object_id = ?`, [rows[2]!.personId])).toEqual([{ via: 'bulk_enrolment' }]);
    expect(await sql(`select details->>'enrolled' as enrolled, details->>'error' as errors from audit_log where action = 'enrolment.bulk' and object_id = ?`, [target.id])).toEqual([{ enrolled: '1', errors: '3' }]);
  });

  it('refuses a broken file with 400 problem+json listing the rows, and writes nothing', async () => {
    const em = forkEm(api);
    const target = await cohort(em, await programme(em, world.systemA));
    const [someone] = await people(em, 1, world.orgA);
    const before = await tableCounts();
    const cases: [string | Buffer, RegExp][] = [
      ['', /empty/],
      ['givenName,familyName\nAda,Lovelace\n', /header naming the columns: email/],
      ['email\n', /no data rows/],
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x10]), /not text/],
      [Buffer.concat([Buffer.from('email,givenName\nx@nhs.example,Jos'), Buffer.from([0xe9]), Buffer.from('\n')]), /not UTF-8/],
      ['email\n"unterminated@nhs.example\n', /not valid CSV/],
      [`email,givenName\n${someone!.email},Sam\nnot-an-email,Bad\n${someone!.email.toUpperCase()},Again\nshort@nhs.example\n`, /3 problems; nobody was enrolled/],
      [`email\n${someone!.email}\n`.padEnd(MAX_ENROLMENT_LIST_BYTES + 1, ' '), /larger than the 1 MB/],
      ['email\n' + Array.from({ length: 2_001 }, (_, i) => `too.many.${i}@nhs.example`).join('\n'), /2001 rows; an enrolment list may have at most 2000/],
    ];
    for (const [csv, detail] of cases) {
      const response = await upload(target.id, csv);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect((response.body as { detail: string }).detail).toMatch(detail);
    }
    const listed = await upload(target.id, cases[6]![0]);
    expect((listed.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['rows[3].email', 'rows[4].email', 'rows[5].row']);
    expect(await tableCounts()).toEqual(before);
  });

  it('is for leads and admins of the programme’s system only', async () => {
    const em = forkEm(api);
    const target = await cohort(em, await programme(em, world.systemA));
    const [someone] = await people(em, 1, world.orgA);
    const csv = `email\n${someone!.email}\n`;
    expect((await upload(target.id, csv, 'participant')).status).toBe(403);
    const otherSystem = await upload(target.id, csv, 'leadB');
    expect([403, 404]).toContain(otherSystem.status);
    expect(otherSystem.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(await sql(`select 1 from enrolment where cohort_id = ?`, [target.id])).toHaveLength(0);
    const admin = await upload(target.id, csv, 'adminA');
    expect(rowsOf(admin).map((r) => r.status)).toEqual(['enrolled']);
  });

  it('refuses a cohort that is not taking enrolments with 409, enrolling nobody', async () => {
    const em = forkEm(api);
    const target = await cohort(em, await programme(em, world.systemA), { status: 'draft' });
    const [someone] = await people(em, 1, world.orgA);
    const response = await upload(target.id, `email\n${someone!.email}\n`);
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(await sql(`select 1 from enrolment where cohort_id = ?`, [target.id])).toHaveLength(0);
  });

  it('keeps the seat invariant when lists race single enrolments: enrolled ≤ capacity, waitlist positions 1..n without gaps', async () => {
    const em = forkEm(api);
    const target = await cohort(em, await programme(em, world.systemA), { capacity: 15 });
    const singles = await people(em, 40, world.orgA);
    const listA = Array.from({ length: 40 }, (_, i) => `race.a.${i}@nhs.example,Race,A${i},${world.orgA.odsCode}`);
    const listB = Array.from({ length: 40 }, (_, i) => `race.b.${i}@nhs.example,Race,B${i},${world.orgA.odsCode}`);
    // One person is in a list and enrolled singly at the same time: exactly one of the two wins.
    const both = singles[0]!;
    listA.splice(20, 0, `${both.email},,,`);

    const [bulkA, bulkB, ...single] = await Promise.all([
      upload(target.id, ['email,givenName,familyName,organisationOdsCode', ...listA].join('\n')),
      upload(target.id, ['email,givenName,familyName,organisationOdsCode', ...listB].join('\n'), 'adminA', replica),
      ...singles.map((person, i) =>
        (i % 2 ? replica : api).http().post(`/api/v1/cohorts/${target.id}/enrolments`).set('Authorization', `Bearer ${token.leadA}`).send({ personId: person.id }),
      ),
    ]);
    expect([bulkA!.status, bulkB!.status]).toEqual([200, 200]);
    const listed = [...rowsOf(bulkA!), ...rowsOf(bulkB!)];
    const singleBodies = single.map((r) => ({ status: r.status === 201 ? (r.body as { status: string }).status : r.status === 409 ? 'already_enrolled' : `http ${r.status}`, waitlistPosition: (r.body as { waitlistPosition?: number | null }).waitlistPosition ?? null }));
    const outcomes = [...listed.map((r) => ({ status: r.status, waitlistPosition: r.waitlistPosition })), ...singleBodies];
    expect(outcomes.filter((o) => !['enrolled', 'waitlisted', 'already_enrolled'].includes(o.status))).toEqual([]);
    expect(outcomes.filter((o) => o.status === 'already_enrolled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'enrolled')).toHaveLength(15);
    const positions = outcomes.filter((o) => o.status === 'waitlisted').map((o) => o.waitlistPosition!);
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 120 - 15 }, (_, i) => i + 1));

    const [seats] = await sql<{ seats_taken: number; capacity: number; enrolled: number }>(
      `select c.seats_taken, c.capacity, (select count(*) from enrolment e where e.cohort_id = c.id and e.status = 'enrolled')::int as enrolled from cohort c where c.id = ?`,
      [target.id],
    );
    expect(seats).toEqual({ seats_taken: 15, capacity: 15, enrolled: 15 });
    const tickets = await sql<{ waitlist_ticket: number }>(`select waitlist_ticket from enrolment where cohort_id = ? and status = 'waitlisted' order by waitlist_ticket`, [target.id]);
    expect(new Set(tickets.map((t) => t.waitlist_ticket)).size).toBe(105);
    expect(await forkEm(api).count(Person, { email: { $like: 'race.%' } })).toBe(80);
  });
});
