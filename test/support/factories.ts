import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organisation, OrganisationType, Region, System } from '@slp/directory';
import { JwtService } from '@nestjs/jwt';
import { Account, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, Person } from '@slp/identity';
import { Cohort, CohortStatus, Programme } from '@slp/learning';
import { PasswordHasher, Role } from '@slp/platform';
import type { TestApi } from './test-api';

export const TEST_PASSWORD = 'correct horse battery staple';
let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`;
const hasher = new PasswordHasher();
let passwordHash: Promise<string> | undefined;

export async function region(em: EntityManager, code = 'Y62', name = 'North West'): Promise<Region> {
  await em.upsert(Region, { code, name });
  return em.findOneOrFail(Region, { code });
}

export async function system(em: EntityManager, name = `Test ICS ${unique()}`): Promise<System> {
  const created = em.create(System, { name, odsCode: `Q${unique().slice(-4).toUpperCase()}`, kind: 'ICS', region: await region(em), population: 1_000_000, createdAt: new Date() });
  await em.flush();
  return created;
}

export async function organisation(em: EntityManager, inSystem: System, type: OrganisationType = 'acute_trust'): Promise<Organisation> {
  const created = em.create(Organisation, { name: `Test Trust ${unique()}`, odsCode: `T${unique().slice(-6).toUpperCase()}`, type, system: inSystem, createdAt: new Date() });
  await em.flush();
  return created;
}

export interface AccountFixture {
  readonly account: Account;
  readonly person: Person;
  readonly email: string;
  readonly password: string;
}

/** An account with {@link TEST_PASSWORD}, for any role and systems; its email is verified unless told otherwise. */
export async function account(em: EntityManager, options: { roles?: Role[]; systems?: System[]; organisation?: Organisation | null; email?: string; emailVerified?: boolean } = {}): Promise<AccountFixture> {
  passwordHash ??= hasher.hash(TEST_PASSWORD);
  const email = options.email ?? `person.${unique()}@nhs.example`;
  const person = em.create(Person, { email, givenName: 'Test', familyName: `Person ${unique()}`, organisation: options.organisation ?? null, createdAt: new Date(), updatedAt: new Date() });
  const created = em.create(Account, { person, passwordHash: await passwordHash, roles: options.roles ?? ['participant'], systemIds: (options.systems ?? []).map((s) => s.id), status: 'active', createdAt: new Date(), emailVerifiedAt: options.emailVerified === false ? null : new Date() });
  await em.flush();
  return { account: created, person, email, password: TEST_PASSWORD };
}

/** Signs in through the API and returns the access token. */
export async function signIn(api: TestApi, fixture: { email: string; password?: string }): Promise<string> {
  const response = await api.http().post('/api/v1/auth/login').send({ email: fixture.email, password: fixture.password ?? TEST_PASSWORD }).expect(200);
  return (response.body as { accessToken: string }).accessToken;
}

export function forkEm(api: TestApi): EntityManager {
  return api.orm.em.fork() as EntityManager;
}

export interface CohortOptions {
  readonly capacity?: number;
  readonly status?: CohortStatus;
  readonly requiresApproval?: boolean;
  readonly waitlistEnabled?: boolean;
  readonly offerWindowHours?: number;
  readonly name?: string;
}

/** A programme of `inSystem` (or national with null), open to everyone unless eligibility is given. */
export async function programme(em: EntityManager, inSystem: System | null, options: Partial<Pick<Programme, 'eligibleStaffGroups' | 'minGrade' | 'maxGrade' | 'eligibleGrades' | 'title'>> = {}): Promise<Programme> {
  const created = em.create(Programme, {
    title: options.title ?? `Leading Across Systems ${unique()}`,
    description: 'A system leadership programme',
    level: 'system',
    system: inSystem,
    eligibleStaffGroups: options.eligibleStaffGroups ?? [],
    minGrade: options.minGrade ?? null,
    maxGrade: options.maxGrade ?? null,
    eligibleGrades: options.eligibleGrades ?? [],
    fundingPence: 5_000_000,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.flush();
  return created;
}

/** A cohort taking enrolments now (open, window from yesterday to next month) unless told otherwise. */
export async function cohort(em: EntityManager, ofProgramme: Programme, options: CohortOptions = {}): Promise<Cohort> {
  const day = 86_400_000;
  const now = Date.now();
  const created = em.create(Cohort, {
    programme: ofProgramme,
    name: options.name ?? `Cohort ${unique()}`,
    capacity: options.capacity ?? 20,
    seatsTaken: 0,
    waitlistTickets: 0,
    enrolmentOpensAt: new Date(now - day),
    enrolmentClosesAt: new Date(now + 30 * day),
    startsAt: new Date(now + 40 * day),
    endsAt: new Date(now + 200 * day),
    status: options.status ?? 'open',
    requiresApproval: options.requiresApproval ?? false,
    waitlistEnabled: options.waitlistEnabled ?? true,
    offerWindowHours: options.offerWindowHours ?? 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.flush();
  return created;
}

/** People (without accounts) working for `organisation`, for leads to enrol in bulk. */
export async function people(em: EntityManager, count: number, organisation: Organisation): Promise<Person[]> {
  const created = Array.from({ length: count }, (_, i) =>
    em.create(Person, { email: `member.${unique()}.${i}@nhs.example`, givenName: 'Member', familyName: `${i}`, organisation, createdAt: new Date(), updatedAt: new Date() }),
  );
  await em.flush();
  return created;
}

/** An access token for an account without going through sign-in (fast, for tests that need many callers), in a session of its own. */
export function accessTokenFor(api: TestApi, fixture: { account: Account }): string {
  return api.app.get(JwtService).sign({ sub: fixture.account.id, sid: randomUUID() }, { algorithm: JWT_ALGORITHM, expiresIn: 900, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, secret: api.config.auth.jwtSecret });
}
