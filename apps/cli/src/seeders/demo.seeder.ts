import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { Organisation, Place, Region, System } from '@slp/directory';
import { Account, Grade, Person, StaffGroup } from '@slp/identity';
import { Cohort, LeadershipLevel, Programme, Session } from '@slp/learning';
import { TalentPool } from '@slp/talent';
import { AuditEntry, PasswordHasher } from '@slp/platform';
import { seedNeighbourhoodDemo } from './neighbourhood-demo';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_PROGRAMMES, DEMO_TALENT_POOLS, REGIONS, SYSTEM_DETAIL, SYSTEMS } from './demo-directory.data';

/**
 * Demo data: the regions, the 42 ICSs, Places and organisations in five systems, one account
 * per role, three programmes with an open cohort and sessions each, two talent pools, a
 * pipeline of nominated, enrolled and appointed staff in five systems (so reports have numbers),
 * and the neighbourhood health demo set (see neighbourhood-demo.ts).
 * Safe to run again: existing rows are kept, missing ones added.
 */
export class DemoSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    for (const region of REGIONS) await em.upsert(Region, { ...region });
    const regions = new Map((await em.find(Region, {})).map((r) => [r.code, r]));

    const systems = new Map<string, System>();
    for (const s of SYSTEMS) {
      const system = (await em.findOne(System, { odsCode: s.odsCode })) ?? em.create(System, { odsCode: s.odsCode, name: s.name, kind: 'ICS', region: regions.get(s.region)!, population: s.population, createdAt: new Date() });
      systems.set(s.odsCode, system);
    }
    await em.flush();

    const organisations = new Map<string, Organisation>();
    for (const [odsCode, detail] of Object.entries(SYSTEM_DETAIL)) {
      const system = systems.get(odsCode)!;
      const places = new Map<string, Place>();
      for (const p of detail.places) {
        const place = (await em.findOne(Place, { system, name: p.name })) ?? em.create(Place, { system, name: p.name, wave: p.wave, maturityLevel: p.maturityLevel, createdAt: new Date() });
        places.set(p.name, place);
      }
      for (const o of detail.organisations) {
        const organisation =
          (await em.findOne(Organisation, { odsCode: o.odsCode })) ??
          em.create(Organisation, { odsCode: o.odsCode, name: o.name, type: o.type, system, place: o.place ? places.get(o.place)! : null, createdAt: new Date() });
        organisations.set(o.odsCode, organisation);
      }
    }
    await em.flush();

    const hasher = new PasswordHasher();
    const passwordHash = await hasher.hash(DEMO_PASSWORD);
    for (const demo of DEMO_ACCOUNTS) {
      if (await em.count(Person, { email: demo.email })) continue;
      const person = em.create(Person, {
        email: demo.email,
        givenName: demo.givenName,
        familyName: demo.familyName,
        organisation: organisations.get(demo.organisation)!,
        jobTitle: demo.jobTitle,
        staffGroup: demo.staffGroup as StaffGroup,
        grade: demo.grade as Grade,
        profession: demo.profession,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      const account = em.create(Account, { person, passwordHash, roles: demo.roles, systemIds: demo.systems.map((code) => systems.get(code)!.id), status: 'active', createdAt: new Date(), emailVerifiedAt: new Date() });
      em.create(AuditEntry, { at: new Date(), actorAccountId: null, action: 'account.create', objectType: 'account', objectId: account.id, details: { via: 'demo-seed' } });
    }
    await em.flush();

    const day = 86_400_000;
    const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
    for (const demo of DEMO_PROGRAMMES) {
      if (await em.count(Programme, { title: demo.title })) continue;
      const programme = em.create(Programme, {
        title: demo.title,
        description: demo.description,
        level: demo.level as LeadershipLevel,
        system: demo.system ? systems.get(demo.system)! : null,
        eligibleStaffGroups: demo.staffGroups as StaffGroup[],
        minGrade: (demo.minGrade as Grade | null) ?? null,
        maxGrade: null,
        eligibleGrades: [],
        fundingPence: demo.fundingPence,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      const cohort = em.create(Cohort, {
        programme,
        name: demo.cohort.name,
        capacity: demo.cohort.capacity,
        seatsTaken: 0,
        waitlistTickets: 0,
        enrolmentOpensAt: new Date(today - day),
        enrolmentClosesAt: new Date(today + 60 * day),
        startsAt: new Date(today + 75 * day),
        endsAt: new Date(today + 250 * day),
        status: 'open',
        requiresApproval: demo.cohort.requiresApproval,
        waitlistEnabled: true,
        offerWindowHours: demo.cohort.offerWindowHours,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      for (const session of demo.sessions) {
        // Hours are UTC here; the API shows them in Europe/London.
        const startsAt = new Date(today + session.dayOffset * day + session.startHour * 3_600_000);
        em.create(Session, {
          cohort,
          title: session.title,
          kind: session.kind,
          startsAt,
          endsAt: new Date(startsAt.getTime() + session.hours * 3_600_000),
          location: session.location ?? null,
          onlineUrl: session.onlineUrl ?? null,
          status: 'scheduled',
          sequence: 0,
          createdAt: new Date(),
          updatedAt: new Date(),
        });
      }
    }
    await em.flush();

    for (const pool of DEMO_TALENT_POOLS) {
      const system = systems.get(pool.system)!;
      if (!(await em.count(TalentPool, { system, name: pool.name }))) em.create(TalentPool, { system, name: pool.name, purpose: pool.purpose, createdAt: new Date() });
    }
    await em.flush();

    await this.seedPipeline(em, systems, organisations, today, day);
    await seedNeighbourhoodDemo(em, systems);
  }

  /**
   * A leadership pipeline to report on: in each system with detail, 30 staff nominated to the
   * national programme, 24 of them consented, 16 in last year's cohort (12 completed), 8 rated
   * ready now and appointed. Every count is above the disclosure threshold, so the funnel shows
   * numbers. The pipeline summary picks these up in this transaction (its triggers): the funnel is
   * full the moment seeding ends. Added once, with the past cohort.
   */
  private async seedPipeline(em: EntityManager, systems: Map<string, System>, organisations: Map<string, Organisation>, today: number, day: number): Promise<void> {
    const programme = await em.findOneOrFail(Programme, { title: DEMO_PROGRAMMES[0]!.title });
    const cohortName = 'Previous cohort (completed)';
    if (await em.count(Cohort, { programme, name: cohortName })) return;
    const lead = await em.findOneOrFail(Account, { person: { email: DEMO_PIPELINE_NOMINATOR } }, { populate: ['person'] });
    const systemCodes = Object.keys(SYSTEM_DETAIL);
    const cohort = em.create(Cohort, {
      programme,
      name: cohortName,
      capacity: 20 * systemCodes.length,
      seatsTaken: 0,
      waitlistTickets: 0,
      enrolmentOpensAt: new Date(today - 330 * day),
      enrolmentClosesAt: new Date(today - 300 * day),
      startsAt: new Date(today - 270 * day),
      endsAt: new Date(today - 20 * day),
      status: 'completed',
      requiresApproval: false,
      waitlistEnabled: false,
      offerWindowHours: 0,
      createdAt: new Date(today - 340 * day),
      updatedAt: new Date(),
    });
    await em.flush();
    for (const code of systemCodes) {
      const organisation = organisations.get(SYSTEM_DETAIL[code]!.organisations[0]!.odsCode)!;
      await em.execute(
        `with staff as materialized (
           select gen_random_uuid() as id, gen_random_uuid() as nomination_id, n from generate_series(1, 30) n),
         people as (
           insert into person (id, email, given_name, family_name, organisation_id, staff_group, grade, job_title, created_at, updated_at)
           select id, format('pipeline.%s.%s@demo.leadership.example', lower(?), n), 'Demo', format('Colleague %s', n), ?,
                  (array['nursing_midwifery_registered', 'medical_dental', 'allied_health_professionals', 'administrative_clerical'])[1 + n % 4],
                  (array['band_8a', 'band_8b', 'band_8c', 'band_8d'])[1 + n % 4], 'Service lead', now() - interval '400 days', now()
             from staff returning id),
         nominations as (
           insert into nomination (id, nominee_id, nominator_account_id, nominator_id, programme_id, target_system_id, status, readiness, performance, potential, rationale, grid_shared_with_nominee, line_manager_notified, created_at, updated_at)
           select nomination_id, id, ?, ?, ?, ?, case when n <= 16 then 'enrolled' when n <= 24 then 'accepted' else 'awaiting_consent' end,
                  case when n <= 8 then 'ready_now' else 'ready_1_2_years' end, 2 + n % 2, 2 + (n + 1) % 2, 'Demo nomination: leads improvement across teams.', false, false, now() - interval '360 days', now()
             from staff returning id),
         consents as (
           insert into nomination_event (id, nomination_id, from_status, to_status, actor_role, at)
           select gen_random_uuid(), nomination_id, 'awaiting_consent', 'consented', 'nominee', now() - interval '350 days' from staff where n <= 24 returning id),
         enrolments as (
           insert into enrolment (id, cohort_id, person_id, status, source, enrolled_at, ended_at, created_at, updated_at)
           select gen_random_uuid(), ?, id, case when n <= 12 then 'completed' else 'not_completed' end, 'nomination', now() - interval '320 days', now() - interval '20 days', now() - interval '320 days', now()
             from staff where n <= 16 returning id)
         insert into appointment (id, person_id, post, organisation_id, appointed_on, recorded_by_account_id, created_at)
         select gen_random_uuid(), id, 'Associate Director of Transformation', ?, current_date - 10, ?, now() from staff where n <= 8`,
        [code, organisation.id, lead.id, lead.person.id, programme.id, systems.get(code)!.id, cohort.id, organisation.id, lead.id],
      );
    }
  }
}

/** The programme lead recorded as nominating the demo pipeline. */
const DEMO_PIPELINE_NOMINATOR = 'lsc.lead@demo.leadership.example';
