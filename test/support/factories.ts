import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Organisation, OrganisationType, Region, System } from '@slp/directory';
import { JwtService } from '@nestjs/jwt';
import { Account, AccountMfa, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, MfaService, PASSWORD_AND_TOTP, PASSWORD_ONLY, Person, SecretBox, TOTP_PERIOD_SECONDS } from '@slp/identity';
import { Cohort, CohortStatus, Programme } from '@slp/learning';
import { loadConfig, PasswordHasher, Role } from '@slp/platform';
import { Secret, TOTP } from 'otpauth';
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
  /** Whether the account has a confirmed TOTP authenticator (then `totpSecret` is its base32 key). */
  readonly mfa: boolean;
  readonly totpSecret?: string;
}

/**
 * The roles the default configuration (MFA_REQUIRED_ROLES unset) requires MFA for. Accounts with
 * one of them get an authenticator unless a test asks for `mfa: false`, as a real deployment's
 * would have: the MFA rule stays on in every test, and admins sign in with a code.
 */
export const MFA_REQUIRED_BY_DEFAULT: readonly Role[] = loadConfig({ NODE_ENV: 'test' }).auth.mfaRequiredRoles;
/** Test APIs run on the default keys (testConfig sets neither JWT_SECRET nor MFA_ENCRYPTION_KEY), so fixtures seal with the same key. */
const testSecretBox = new SecretBox(loadConfig({ NODE_ENV: 'test' }).auth.mfaEncryptionKey);

/**
 * An account with {@link TEST_PASSWORD}, for any role and systems; its email is verified unless
 * told otherwise. A role that needs MFA gets a confirmed TOTP authenticator unless `mfa: false`
 * (an admin who has not set it up yet); any account can ask for one with `mfa: true`.
 */
export async function account(em: EntityManager, options: { roles?: Role[]; systems?: System[]; organisation?: Organisation | null; email?: string; emailVerified?: boolean; mfa?: boolean } = {}): Promise<AccountFixture> {
  passwordHash ??= hasher.hash(TEST_PASSWORD);
  const email = options.email ?? `person.${unique()}@nhs.example`;
  const roles = options.roles ?? ['participant'];
  const person = em.create(Person, { email, givenName: 'Test', familyName: `Person ${unique()}`, organisation: options.organisation ?? null, createdAt: new Date(), updatedAt: new Date() });
  const created = em.create(Account, { person, passwordHash: await passwordHash, roles, systemIds: (options.systems ?? []).map((s) => s.id), status: 'active', createdAt: new Date(), emailVerifiedAt: options.emailVerified === false ? null : new Date() });
  const mfa = options.mfa ?? roles.some((role) => MFA_REQUIRED_BY_DEFAULT.includes(role));
  const totpSecret = mfa ? new Secret({ size: 20 }).base32 : undefined;
  if (totpSecret) em.create(AccountMfa, { account: created, totpSecret: testSecretBox.seal(totpSecret, created.id), confirmedAt: new Date(), lastUsedStep: null, createdAt: new Date(), updatedAt: new Date() });
  await em.flush();
  return { account: created, person, email, password: TEST_PASSWORD, mfa, totpSecret };
}

/**
 * A TOTP for the account that it has not used yet, as a person would read the next code off their
 * app: the current step's, or, when that was used already (signed in moments ago), the next
 * step's, waiting for it to come round if need be (a code works once, so it cannot be reused).
 */
export async function unusedTotpCode(api: Pick<TestApi, 'app' | 'orm'>, accountId: string): Promise<string> {
  const current = await api.app.get(MfaService).currentCode(accountId);
  if (!current) throw new Error(`Account ${accountId} has no confirmed authenticator`);
  const [row] = await forkEm(api).getConnection().execute<{ last_used_step: string | null }[]>(`select last_used_step from account_mfa where account_id = ?`, [accountId]);
  const period = TOTP_PERIOD_SECONDS * 1000;
  const nowStep = Math.floor(Date.now() / period);
  // The earliest step still accepted first (one step of drift either side), so several sign-ins in a row rarely wait.
  const step = Math.max(nowStep - 1, row?.last_used_step == null ? nowStep - 1 : Number(row.last_used_step) + 1);
  // A step ahead of the next one is not accepted yet (one step of drift either side): wait until it is.
  const wait = (step - 1) * period - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
  return totpAt(current.secret, step * period);
}

/** The TOTP of a base32 key at a time (default now). */
export function totpAt(base32Secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(base32Secret), digits: 6, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' }).generate({ timestamp });
}

/** Signs in through the API and returns the access token; an account with MFA on answers the second step with an unused code. */
export async function signIn(api: TestApi, fixture: { email: string; password?: string }): Promise<string> {
  return (await signInFully(api, fixture)).accessToken;
}

/** Signs in through the API (both steps when MFA is on) and returns the token pair. */
export async function signInFully(api: TestApi, fixture: { email: string; password?: string }): Promise<{ accessToken: string; refreshToken: string; account: { id: string } }> {
  const response = await api.http().post('/api/v1/auth/login').send({ email: fixture.email, password: fixture.password ?? TEST_PASSWORD }).expect(200);
  const body = response.body as { accessToken: string; refreshToken: string; account: { id: string } } | { mfaRequired: true; challengeToken: string };
  if (!('mfaRequired' in body)) return body;
  const [row] = await forkEm(api).getConnection().execute<{ id: string }[]>(`select a.id from account a join person p on p.id = a.person_id where p.email = ?`, [fixture.email]);
  const code = await unusedTotpCode(api, row!.id);
  return (await api.http().post('/api/v1/auth/login/mfa').send({ challengeToken: body.challengeToken, code }).expect(200)).body;
}

/**
 * A first sign-in for an account whose role needs MFA and that has none yet (a freshly created
 * admin): sign in, set up and confirm an authenticator through the API, and sign in again with a
 * code, as the person would. Returns the full session's access token and the key.
 */
export async function signInSettingUpMfa(api: TestApi, fixture: { email: string; password?: string }): Promise<{ accessToken: string; totpSecret: string; recoveryCodes: string[] }> {
  const limited = (await api.http().post('/api/v1/auth/login').send({ email: fixture.email, password: fixture.password ?? TEST_PASSWORD }).expect(200)).body as { accessToken: string };
  const auth = { Authorization: `Bearer ${limited.accessToken}` };
  const setup = (await api.http().post('/api/v1/me/mfa/totp').set(auth).expect(201)).body as { secret: string };
  // The previous step's code (still accepted), leaving the current and next for the sign-ins that follow.
  const confirmed = (await api.http().post('/api/v1/me/mfa/totp/confirm').set(auth).send({ code: totpAt(setup.secret, Date.now() - TOTP_PERIOD_SECONDS * 1000) }).expect(200)).body as { recoveryCodes: string[] };
  return { accessToken: await signIn(api, fixture), totpSecret: setup.secret, recoveryCodes: confirmed.recoveryCodes };
}

export function forkEm(api: Pick<TestApi, 'orm'>): EntityManager {
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
export function accessTokenFor(api: TestApi, fixture: { account: Account; mfa?: boolean }): string {
  // As the session would be after signing in: with the second factor when the account has one.
  const amr = fixture.mfa ? PASSWORD_AND_TOTP : PASSWORD_ONLY;
  return api.app.get(JwtService).sign({ sub: fixture.account.id, sid: randomUUID(), amr: [...amr] }, { algorithm: JWT_ALGORITHM, expiresIn: 900, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, secret: api.config.auth.jwtSecret });
}
