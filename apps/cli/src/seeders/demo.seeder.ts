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
 * per role, three programmes with an open cohort and sessions each, two talent pools, and the
 * neighbourhood health demo set (see neighbourhood-demo.ts). Safe to run again: existing rows are kept, missing ones added.
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

    await seedNeighbourhoodDemo(em, systems);
  }
}
