import type { Organisation, System } from '@slp/directory';
import type { Cohort } from '@slp/learning';
import { expectProblem } from './support/assertions';
import { staffAccounts, twoSystems } from './support/callers';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, people, programme, TEST_PASSWORD } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

const PASSWORD = 'a long enough password';
let sequence = 0;
const newEmail = (name: string) => `${name}.${Date.now().toString(36)}${(sequence++).toString(36)}@nhs.example`;

describe('self-registration: email verification, no oracle, employment as a proposal (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let orgA: Organisation;
  let leadA: AccountFixture;
  let open: Cohort;
  /** Each test registers from its own address, so the per-IP limit stays out of the way. */
  let ipCounter = 0;

  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const count = async (query: string, params: unknown[] = []) => Number((await sql<{ n: string }>(query, params))[0]!.n);
  const register = (body: object, ip = `198.51.100.${++ipCounter}`) => api.http().post('/api/v1/auth/register').set('X-Forwarded-For', ip).send(body);
  const login = (email: string, password: string) => api.http().post('/api/v1/auth/login').send({ email, password });
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const emails = (email: string) => sql<{ kind: string; data: Record<string, unknown> }>(`select kind, data from notification where recipient_email = ? order by created_at, id`, [email]);
  const tokenIn = (url: unknown) => new URL(url as string).searchParams.get('token')!;

  /** Registers `email` and returns its access token and the emailed verification token. */
  async function registered(email = newEmail('new.starter')): Promise<{ email: string; accessToken: string; verifyToken: string }> {
    await register({ email, password: PASSWORD, givenName: 'Nell', familyName: 'Starter' }).expect(201);
    const [verification] = (await emails(email)).filter((e) => e.kind === 'email_verification');
    const signedIn = await login(email, PASSWORD).expect(200);
    return { email, accessToken: signedIn.body.accessToken as string, verifyToken: tokenIn(verification!.data.verifyUrl) };
  }

  beforeAll(async () => {
    api = await startTestApi({ TRUST_PROXY: 'true', EMAIL_VERIFICATION_RESEND_MAX_PER_HOUR: '2' });
    const em = forkEm(api);
    ({ systemA, orgA } = await twoSystems(em));
    ({ leadA } = await staffAccounts(em, { systemA, orgA }));
    open = await cohort(em, await programme(em, null));
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('email verification', () => {
    it('emails a single-use link; until it is followed the account signs in and browses but cannot enrol (409 saying why)', async () => {
      const { email, accessToken, verifyToken } = await registered();
      const [verification] = (await emails(email)).filter((e) => e.kind === 'email_verification');
      expect(verification!.data.verifyUrl).toMatch(new RegExp(`^${api.config.publicUrl}/verify-email\\?token=`));
      // Stored hashed: the token is nowhere in the database but the email.
      expect(await count(`select count(*) as n from email_verification where token_hash = ?`, [verifyToken])).toBe(0);

      expect((await api.http().get('/api/v1/me').set(bearer(accessToken)).expect(200)).body.emailVerified).toBe(false);
      await api.http().get(`/api/v1/cohorts/${open.id}`).set(bearer(accessToken)).expect(200);
      const refused = await api.http().post(`/api/v1/cohorts/${open.id}/enrolments`).set(bearer(accessToken)).send({});
      expectProblem(refused, 409);
      expect(refused.body.type).toMatch(/\/email-not-verified$/);
      expect(refused.body.detail).toMatch(/verify your email/i);
      expect(await count(`select count(*) as n from enrolment where cohort_id = ?`, [open.id])).toBe(0);

      await api.http().post('/api/v1/auth/verify-email').send({ token: verifyToken }).expect(204);

      expect((await api.http().get('/api/v1/me').set(bearer(accessToken)).expect(200)).body.emailVerified).toBe(true);
      await api.http().post(`/api/v1/cohorts/${open.id}/enrolments`).set(bearer(accessToken)).send({}).expect(201);
    });

    it('says which way a link failed: used (409), expired (400), or not one we sent (404)', async () => {
      const used = await registered();
      await api.http().post('/api/v1/auth/verify-email').send({ token: used.verifyToken }).expect(204);
      expectProblem(await api.http().post('/api/v1/auth/verify-email').send({ token: used.verifyToken }), 409);

      const expired = await registered();
      await sql(`update email_verification set expires_at = now() - interval '1 minute' where account_id = (select a.id from account a join person p on p.id = a.person_id where p.email = ?)`, [expired.email]);
      const answer = await api.http().post('/api/v1/auth/verify-email').send({ token: expired.verifyToken });
      expectProblem(answer, 400, ['token']);
      expect(answer.body.detail).toMatch(/expired/);
      expect((await api.http().get('/api/v1/me').set(bearer(expired.accessToken))).body.emailVerified).toBe(false);

      expectProblem(await api.http().post('/api/v1/auth/verify-email').send({ token: 'made-up-token' }), 404);
      expectProblem(await api.http().post('/api/v1/auth/verify-email').send({}), 400, ['token']);
    });

    it('re-sends a link on request (202), rate limited per account, and not to a verified account', async () => {
      const { email, accessToken, verifyToken } = await registered();
      const resend = () => api.http().post('/api/v1/auth/verify-email/resend').set(bearer(accessToken)).send({});

      expect((await resend().expect(202)).body).toEqual({});
      await resend().expect(202);
      const limited = await resend();
      expectProblem(limited, 429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await emails(email)).filter((e) => e.kind === 'email_verification')).toHaveLength(3);

      await api.http().post('/api/v1/auth/verify-email').send({ token: verifyToken }).expect(204);
      expectProblem(await api.http().post('/api/v1/auth/verify-email/resend').set(bearer(accessToken)).send({}), 409);
      expectProblem(await api.http().post('/api/v1/auth/verify-email/resend').send({}), 401);
    });

    it('treats accounts made by an admin as verified', async () => {
      const email = newEmail('made.by.admin');
      const { nationalAdmin } = await staffAccounts(forkEm(api), { systemA, orgA });
      await api.http().post('/api/v1/accounts').set(bearer(accessTokenFor(api, nationalAdmin))).send({ email, givenName: 'Ada', familyName: 'Min', roles: ['participant'], systemIds: [], password: PASSWORD }).expect(201);
      const signedIn = await login(email, PASSWORD).expect(200);
      expect((await api.http().get('/api/v1/me').set(bearer(signedIn.body.accessToken as string))).body.emailVerified).toBe(true);
    });
  });

  describe('no oracle for who is known', () => {
    it('answers a known person without an account exactly as a new email, and emails them an invitation instead', async () => {
      const [known] = await people(forkEm(api), 1, orgA);
      const fresh = await register({ email: newEmail('brand.new'), password: PASSWORD, givenName: 'Bran', familyName: 'New' });
      const answer = await register({ email: known!.email, password: PASSWORD, givenName: 'Someone', familyName: 'Else' });

      expect([fresh.status, answer.status]).toEqual([201, 201]);
      expect(answer.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: known!.email, roles: ['participant'] });
      expect(Object.keys(answer.body).sort()).toEqual(Object.keys(fresh.body).sort());
      // Nothing created or changed; the owner of the address chooses their password from the link.
      expect(await count(`select count(*) as n from account where person_id = ?`, [known!.id])).toBe(0);
      expect((await sql<{ given_name: string }>(`select given_name from person where id = ?`, [known!.id]))[0]!.given_name).toBe(known!.givenName);
      const sent = await emails(known!.email);
      expect(sent.map((e) => e.kind)).toEqual(['registration_known_person']);
      await api.http().post('/api/v1/auth/accept-invitation').send({ token: tokenIn(sent[0]!.data.acceptUrl), password: 'the person’s own password' }).expect(201);
      await login(known!.email, 'the person’s own password').expect(200);
    });

    it('answers an existing account exactly as a new email (whatever the letter case), changes nothing, and tells its owner', async () => {
      const existing = await account(forkEm(api), { email: newEmail('existing.holder') });
      const answer = await register({ email: existing.email.toUpperCase(), password: PASSWORD, givenName: 'Imp', familyName: 'Ostor' });

      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ id: expect.any(String), email: existing.email.toUpperCase(), roles: ['participant'] });
      expect(answer.body.id).not.toBe(existing.account.id);
      expect(await count(`select count(*) as n from person where email = ?`, [existing.email])).toBe(1);
      await login(existing.email, TEST_PASSWORD).expect(200);
      expectProblem(await login(existing.email, PASSWORD), 401);
      expect((await emails(existing.email)).map((e) => e.kind)).toEqual(['registration_existing_account']);

      // Tried again within the hour: no second note.
      await register({ email: existing.email, password: PASSWORD, givenName: 'Imp', familyName: 'Ostor' }).expect(201);
      expect((await emails(existing.email)).map((e) => e.kind)).toEqual(['registration_existing_account']);
    });

    it('lets the owner of an address take back an account someone else registered with it but never verified', async () => {
      const email = newEmail('squatted');
      await register({ email, password: 'the squatter’s password', givenName: 'Not', familyName: 'Them' }).expect(201);
      const squatter = await login(email, 'the squatter’s password').expect(200);

      await register({ email, password: PASSWORD, givenName: 'Real', familyName: 'Owner' }).expect(201);
      const invitation = (await emails(email)).find((e) => e.kind === 'registration_known_person');
      await api.http().post('/api/v1/auth/accept-invitation').send({ token: tokenIn(invitation!.data.acceptUrl), password: 'the owner’s own password' }).expect(201);

      expectProblem(await login(email, 'the squatter’s password'), 401);
      expectProblem(await api.http().post('/api/v1/auth/refresh').send({ refreshToken: squatter.body.refreshToken }), 401);
      // The squatter's access token ends with their session, not 15 minutes later.
      expectProblem(await api.http().get('/api/v1/me').set(bearer(squatter.body.accessToken as string)), 401);
      const owner = await login(email, 'the owner’s own password').expect(200);
      expect((await api.http().get('/api/v1/me').set(bearer(owner.body.accessToken as string))).body.emailVerified).toBe(true);
    });
  });

  describe('employment from registration', () => {
    it('proposes the organisation given, so the person is not that organisation’s until a lead or admin confirms', async () => {
      const email = newEmail('claims.org');
      const answer = await register({ email, password: PASSWORD, givenName: 'Cla', familyName: 'Im', organisationId: orgA.id }).expect(201);
      const [person] = await sql<{ id: string; organisation_id: string | null; pending_organisation_id: string | null }>(
        `select p.id, p.organisation_id, p.pending_organisation_id from account a join person p on p.id = a.person_id where a.id = ?`,
        [answer.body.id],
      );
      expect(person).toMatchObject({ organisation_id: null, pending_organisation_id: orgA.id });

      const lead = bearer(accessTokenFor(api, leadA));
      const inSystem = await api.http().get(`/api/v1/people?systemId=${systemA.id}&email=${encodeURIComponent(email)}`).set(lead).expect(200);
      expect(inSystem.body.items).toEqual([]);
      expectProblem(await api.http().get(`/api/v1/people/${person!.id}`).set(lead), 404);
      const pending = await api.http().get(`/api/v1/people?employmentPending=true&email=${encodeURIComponent(email)}`).set(lead).expect(200);
      expect(pending.body.items.map((p: { id: string }) => p.id)).toEqual([person!.id]);

      await api.http().post(`/api/v1/people/${person!.id}/employment/confirm`).set(lead).expect(200);
      const confirmed = await api.http().get(`/api/v1/people?systemId=${systemA.id}&email=${encodeURIComponent(email)}`).set(lead).expect(200);
      expect(confirmed.body.items.map((p: { id: string }) => p.id)).toEqual([person!.id]);
    });
  });
});

describe('registration rate limits (e2e)', () => {
  let api: TestApi;
  const register = (email: string, ip: string) => api.http().post('/api/v1/auth/register').set('X-Forwarded-For', ip).send({ email, password: PASSWORD, givenName: 'Rate', familyName: 'Limit' });
  const personCount = async (email: string) => Number((await forkEm(api).getConnection().execute<{ n: string }[]>(`select count(*) as n from person where email = ?`, [email]))[0]!.n);

  beforeAll(async () => {
    api = await startTestApi({ TRUST_PROXY: 'true', REGISTER_MAX_PER_IP: '2', REGISTER_MAX_GLOBAL: '3', REGISTER_WINDOW_SECONDS: '600' });
    // Until Redis is connected the in-memory stand-in counts instead; start counting in Redis.
    await api.http().get('/health/ready').expect(200);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('limits each address, then everyone together, with a 429 and Retry-After that creates nothing', async () => {
    await register(newEmail('first'), '192.0.2.1').expect(201);
    await register(newEmail('second'), '192.0.2.1').expect(201);
    const third = newEmail('third');
    const perIp = await register(third, '192.0.2.1');
    expectProblem(perIp, 429);
    expect(Number(perIp.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(perIp.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(await personCount(third)).toBe(0);

    await register(newEmail('other.address'), '192.0.2.2').expect(201);
    // Three registrations in the window from anyone: the next address waits too.
    const fourth = newEmail('fourth');
    expectProblem(await register(fourth, '192.0.2.3'), 429);
    expect(await personCount(fourth)).toBe(0);
  });
});
