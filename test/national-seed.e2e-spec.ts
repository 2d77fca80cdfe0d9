import { NationalSeedResult, seedNational } from '../apps/cli/src/seeders/national-seed';
import { createTestDatabase } from './support/test-database';
import { withClient } from './support/outbox-fixtures';

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

const SCALE = 0.002;

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql)).rows);
}

/** md5s of ordered dumps of key columns: equal fingerprints mean equal data. */
async function fingerprint(url: string): Promise<Record<string, string>> {
  const [row] = await query<Record<string, string>>(
    url,
    `select
      (select md5(string_agg(email || staff_group || coalesce(grade, ''), ',' order by email)) from person) as people,
      (select md5(string_agg(id::text || coalesce(job_title, '') || coalesce(line_manager_email, '') || created_at::text, ',' order by id)) from person) as person_details,
      (select md5(string_agg(person_id::text || coalesce(ethnicity, '') || coalesce(sex, '') || coalesce(age_band, '') || coalesce(religion, ''), ',' order by person_id)) from equality_monitoring) as equality,
      (select md5(string_agg(id::text || name || ods_code || type, ',' order by id)) from organisation) as organisations,
      (select md5(string_agg(id::text || name || status || seats_taken || '/' || waitlist_tickets, ',' order by id)) from cohort) as cohorts,
      (select md5(string_agg(id::text || person_id::text || status || source || coalesce(waitlist_ticket::text, ''), ',' order by id)) from enrolment) as enrolments,
      (select md5(string_agg(id::text || nominee_id::text || status || readiness, ',' order by id)) from nomination) as nominations,
      (select md5(string_agg(id::text || to_status || at::text, ',' order by id)) from nomination_event) as nomination_events,
      (select md5(string_agg(id::text || person_id::text || post || appointed_on::text, ',' order by id)) from appointment) as appointments`,
  );
  return row;
}

const counts = (result: NationalSeedResult) => {
  const { elapsedMs: _elapsed, ...rest } = result;
  return rest;
};

describe('seedNational (synthetic national dataset)', () => {
  const databases: Database[] = [];
  let first: Database;
  let second: Database;
  let other: Database;
  let firstResult: NationalSeedResult;
  let secondResult: NationalSeedResult;
  let otherResult: NationalSeedResult;

  beforeAll(async () => {
    [first, second, other] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    databases.push(first, second, other);
    firstResult = await seedNational(first.url, { seed: 42, scale: SCALE });
    secondResult = await seedNational(second.url, { seed: 42, scale: SCALE });
    otherResult = await seedNational(other.url, { seed: 7, scale: SCALE });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('gives the same data for the same seed, and different data for another', async () => {
    expect(counts(secondResult)).toEqual(counts(firstResult));
    const [a, b, c] = await Promise.all([fingerprint(first.url), fingerprint(second.url), fingerprint(other.url)]);
    expect(b).toEqual(a);
    for (const key of ['people', 'equality', 'enrolments', 'nominations', 'nomination_events']) expect(c[key]).not.toEqual(a[key]);
    expect(otherResult.people).toBe(firstResult.people);
  });

  it('scales every count', () => {
    expect(firstResult).toMatchObject({ regions: 7, systems: 42, people: 3_000 });
    expect(firstResult.places).toBeGreaterThanOrEqual(42);
    expect(firstResult.organisations).toBeGreaterThan(42);
    expect(firstResult.cohorts).toBe(16);
    expect(firstResult.enrolments).toBeGreaterThan(100);
    expect(firstResult.completions).toBeGreaterThan(20);
    expect(firstResult.nominations).toBeGreaterThan(200);
    expect(firstResult.nominationEvents).toBeGreaterThan(2 * firstResult.nominations);
    expect(firstResult.talentMemberships).toBeGreaterThan(0);
    // Three national admins, and up to five leads per system (tiny systems may have fewer senior staff).
    expect(firstResult.accounts).toBeGreaterThanOrEqual(3 + 42 * 2);
    expect(firstResult.accounts).toBeLessThanOrEqual(3 + 42 * 5);
  });

  it('has realistic proportions', async () => {
    const [row] = await query<Record<string, number>>(
      first.url,
      `select
        (select count(*) from equality_monitoring)::float / (select count(*) from person) as equality_share,
        (select avg((sex = 'female')::int)::float from equality_monitoring) as female,
        (select avg((ethnicity in ('A', 'B', 'C'))::int)::float from equality_monitoring) as white,
        (select avg((disability = 'yes')::int)::float from equality_monitoring) as disabled,
        (select avg((staff_group = 'nursing_midwifery_registered')::int)::float from person) as nursing,
        (select avg((staff_group = 'medical_dental')::int)::float from person) as medical,
        (select avg((grade in ('band_2', 'band_3', 'band_4', 'band_5', 'band_6', 'band_7'))::int)::float from person) as bands_2_to_7,
        (select avg((grade in ('band_8c', 'band_8d', 'band_9', 'vsm'))::int)::float from person) as very_senior,
        (select count(*) from organisation where type = 'gp_practice')::float / (select count(*) from organisation where type <> 'icb') as gp_share`,
    );
    expect(row.equality_share).toBeGreaterThan(0.6);
    expect(row.equality_share).toBeLessThan(0.8);
    expect(row.female).toBeGreaterThan(0.7);
    expect(row.female).toBeLessThan(0.84);
    expect(row.white).toBeGreaterThan(0.62);
    expect(row.white).toBeLessThan(0.78);
    expect(row.disabled).toBeLessThan(0.1);
    expect(row.nursing).toBeGreaterThan(0.18);
    expect(row.nursing).toBeLessThan(0.36);
    expect(row.medical).toBeGreaterThan(0.05);
    expect(row.medical).toBeLessThan(0.16);
    expect(row.bands_2_to_7).toBeGreaterThan(0.6);
    expect(row.very_senior).toBeLessThan(0.04);
    expect(row.gp_share).toBeGreaterThan(0.4);
  });

  it('keeps the rules the application keeps (beyond the database constraints)', async () => {
    const [row] = await query<Record<string, string>>(
      first.url,
      `select
        -- seats_taken counts exactly the seat-holding enrolments; tickets never exceed the counter
        (select count(*) from cohort c where c.seats_taken <> (select count(*) from enrolment e where e.cohort_id = c.id and e.status in ('enrolled', 'offered', 'completed', 'not_completed'))) as bad_seats,
        (select count(*) from cohort c where c.waitlist_tickets < coalesce((select max(waitlist_ticket) from enrolment e where e.cohort_id = c.id), 0)) as bad_tickets,
        (select count(*) from enrolment e join cohort c on c.id = e.cohort_id where e.status = 'waitlisted' and c.seats_taken < c.capacity and c.status = 'open') as waiting_with_free_seats,
        (select count(*) from enrolment e join cohort c on c.id = e.cohort_id where e.status in ('completed', 'not_completed') and c.status <> 'completed') as completed_in_unfinished_cohort,
        (select count(*) from enrolment where status = 'completed' and (ended_at is null or enrolled_at is null or ended_at < enrolled_at)) as bad_completion_dates,
        (select count(*) from enrolment where updated_at < created_at or (ended_at is not null and ended_at < created_at)) as bad_enrolment_dates,
        -- nominations: the nominee works in the target's system; consent recorded for every consented-or-later one
        (select count(*) from nomination n join person p on p.id = n.nominee_id join organisation o on o.id = p.organisation_id
          where n.target_system_id is not null and o.system_id <> n.target_system_id) as nominee_outside_system,
        (select count(*) from nomination n where n.status in ('consented', 'accepted', 'enrolled', 'rejected')
          and not exists (select 1 from nomination_event e where e.nomination_id = n.id and e.to_status = 'consented')) as missing_consent_event,
        (select count(*) from nomination n where n.status <> (select e.to_status from nomination_event e where e.nomination_id = n.id order by e.at desc, e.id desc limit 1)) as last_event_mismatch,
        (select count(*) from nomination n where (n.status = 'awaiting_consent') <> (n.consent_token_hash is not null) and n.status <> 'submitted') as bad_tokens,
        (select count(*) from nomination n join enrolment e on e.id = n.enrolment_id where e.person_id <> n.nominee_id or e.cohort_id <> n.cohort_id) as bad_nomination_enrolment,
        (select count(*) from talent_membership m join nomination n on n.id = m.nomination_id where n.status <> 'accepted' or n.nominee_id <> m.person_id) as bad_memberships,
        (select count(*) from appointment a join account ac on ac.id = a.recorded_by_account_id) as appointments_recorded_by_accounts,
        (select count(*) from appointment) as appointments,
        (select count(*) from appointment a where not exists (select 1 from enrolment e where e.person_id = a.person_id and e.status = 'completed' and e.ended_at::date <= a.appointed_on)) as appointed_without_completion,
        (select count(*) from nomination n where not exists (select 1 from account a where a.id = n.nominator_account_id and a.person_id = n.nominator_id)) as unknown_nominators,
        (select count(*) from person where email not like '%@%.synthetic.example') as real_looking_emails`,
    );
    expect(row).toMatchObject({
      bad_seats: '0',
      bad_tickets: '0',
      waiting_with_free_seats: '0',
      completed_in_unfinished_cohort: '0',
      bad_completion_dates: '0',
      bad_enrolment_dates: '0',
      nominee_outside_system: '0',
      missing_consent_event: '0',
      last_event_mismatch: '0',
      bad_tokens: '0',
      bad_nomination_enrolment: '0',
      bad_memberships: '0',
      appointments_recorded_by_accounts: row.appointments,
      appointed_without_completion: '0',
      unknown_nominators: '0',
      real_looking_emails: '0',
    });
  });

  it('refuses a database that already has people, and never loads a second national dataset', async () => {
    await expect(seedNational(first.url, { seed: 1, scale: SCALE })).rejects.toThrow(/already/);
    await expect(seedNational(first.url, { seed: 1, scale: SCALE, force: true })).rejects.toThrow(/already loaded/);
  });

  it('loads alongside the demo seed with force', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    await query(database.url, `insert into region (code, name) values ('Y62', 'North West') on conflict do nothing`);
    await query(database.url, `insert into system (id, name, ods_code, kind, region_code, population, created_at) values (gen_random_uuid(), 'Lancashire and South Cumbria', 'QE1', 'ICS', 'Y62', 1, now())`);
    await query(
      database.url,
      `insert into organisation (id, name, ods_code, type, system_id, created_at) select gen_random_uuid(), 'NHS Lancashire and South Cumbria Integrated Care Board', 'QE1', 'icb', id, now() from system`,
    );
    await query(database.url, `insert into person (id, email, given_name, family_name, created_at, updated_at) values (gen_random_uuid(), 'someone@demo.example', 'Some', 'One', now(), now())`);
    await expect(seedNational(database.url, { seed: 3, scale: SCALE })).rejects.toThrow(/already has 1 people/);
    const result = await seedNational(database.url, { seed: 3, scale: SCALE, force: true });
    expect(result).toMatchObject({ systems: 42, people: 3_001 });
    const [row] = await query<{ people: string }>(database.url, `select count(*) as people from person p join organisation o on o.id = p.organisation_id where o.ods_code = 'QE1'`);
    expect(Number(row.people)).toBeGreaterThan(0);
  }, 60_000);

  // SEED_SCALE=1 npx jest test/national-seed -t 'full scale': times a full national load.
  (process.env.SEED_SCALE ? it : it.skip)(
    'full scale (SEED_SCALE)',
    async () => {
      const database = await createTestDatabase();
      databases.push(database);
      const result = await seedNational(database.url, { seed: 2026, scale: Number(process.env.SEED_SCALE), log: (line) => process.stdout.write(`${line}\n`) });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      expect(result.people).toBe(Math.round(1_500_000 * Number(process.env.SEED_SCALE)));
    },
    1_800_000,
  );
});
