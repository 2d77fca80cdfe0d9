import type { EntityManager } from '@mikro-orm/postgresql';
import { Organisation, OrganisationType, Region, System } from '@slp/directory';
import { Account, Person } from '@slp/identity';
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

/** An account with {@link TEST_PASSWORD}, for any role and systems. */
export async function account(em: EntityManager, options: { roles?: Role[]; systems?: System[]; organisation?: Organisation | null; email?: string } = {}): Promise<AccountFixture> {
  passwordHash ??= hasher.hash(TEST_PASSWORD);
  const email = options.email ?? `person.${unique()}@nhs.example`;
  const person = em.create(Person, { email, givenName: 'Test', familyName: `Person ${unique()}`, organisation: options.organisation ?? null, createdAt: new Date(), updatedAt: new Date() });
  const created = em.create(Account, { person, passwordHash: await passwordHash, roles: options.roles ?? ['participant'], systemIds: (options.systems ?? []).map((s) => s.id), status: 'active', createdAt: new Date() });
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
