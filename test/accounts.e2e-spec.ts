import type { Response } from 'supertest';
import { Organisation, System } from '@slp/directory';
import { Account, EqualityMonitoring, Person } from '@slp/identity';
import { account, AccountFixture, forkEm, signIn } from './support/factories';
import { auditRows, expectNotAudited, expectProblem } from './support/assertions';
import { staffAccounts, twoSystems } from './support/callers';
import { startTestApi, TestApi } from './support/test-api';

type Caller = 'nationalAdmin' | 'adminA' | 'leadA' | 'participant' | 'neighbour';

const NEW_PASSWORD = 'a brand new long password';
let emailSequence = 0;
/** A fresh email address for an account this file creates. */
const newEmail = (name: string) => `${name}.${Date.now().toString(36)}${emailSequence++}@nhs.example`;

describe('accounts and me (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let orgA: Organisation;
  let orgB: Organisation;
  const fixtures = {} as Record<Caller, AccountFixture>;
  const token = {} as Record<Caller, string>;

  const auth = (as: Caller | string) => ({ Authorization: `Bearer ${as in token ? token[as as Caller] : as}` });
  const createAccount = (as: Caller, body: object) => api.http().post('/api/v1/accounts').set(auth(as)).send(body);

  async function accountsFor(email: string): Promise<number> {
    return forkEm(api).count(Account, { person: { email } });
  }

  /** A create request that was refused left no account, no person and no audit row behind. */
  async function expectRefused(response: Response, status: number, email: string, fields?: string[]): Promise<void> {
    expectProblem(response, status, fields);
    await expectNotAudited(api, response);
    expect(await accountsFor(email)).toBe(0);
    expect(await forkEm(api).count(Person, { email })).toBe(0);
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    Object.assign(fixtures, await staffAccounts(em, { systemA, orgA }));
    fixtures.participant = await account(em, { organisation: orgA });
    fixtures.neighbour = await account(em, { organisation: orgA });
    await Promise.all((Object.keys(fixtures) as Caller[]).map(async (caller) => (token[caller] = await signIn(api, fixtures[caller]))));
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /accounts', () => {
    it('lets a national admin create a national admin, audited without personal data', async () => {
      const email = newEmail('Nadia.Hussain');
      const response = await createAccount('nationalAdmin', { email, givenName: 'Nadia', familyName: 'Hussain', roles: ['admin'], systemIds: [], password: NEW_PASSWORD }).expect(201);
      expect(response.body).toEqual({ id: expect.any(String), email, roles: ['admin'], systemIds: [], status: 'active', personId: expect.any(String) });

      const rows = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
      expect(rows).toEqual([{ actor_account_id: fixtures.nationalAdmin.account.id, action: 'account.create', object_type: 'account', object_id: response.body.id, request_id: response.headers['x-request-id'], details: { roles: ['admin'], systemIds: [] } }]);
      const details = JSON.stringify(rows[0]!.details);
      for (const value of [email, 'Nadia', 'Hussain', NEW_PASSWORD]) expect(details).not.toContain(value);
    });

    it('creates an account that can sign in with the password it was given, and whose /me shows its roles and systems', async () => {
      const email = newEmail('Tom.Whitfield');
      const response = await createAccount('nationalAdmin', { email, givenName: ' Tom ', familyName: 'Whitfield', roles: ['programme_lead', 'coach'], systemIds: [systemA.id, systemB.id], password: NEW_PASSWORD, organisationId: orgB.id }).expect(201);
      expect(response.body).toMatchObject({ email, roles: ['programme_lead', 'coach'], systemIds: [systemA.id, systemB.id], status: 'active' });

      const login = await api.http().post('/api/v1/auth/login').send({ email, password: NEW_PASSWORD }).expect(200);
      expect(login.body.account).toMatchObject({ id: response.body.id, email, roles: ['programme_lead', 'coach'], systemIds: [systemA.id, systemB.id] });
      const me = await api.http().get('/api/v1/me').set(auth(login.body.accessToken as string)).expect(200);
      expect(me.body).toEqual({
        id: response.body.id,
        email,
        roles: ['programme_lead', 'coach'],
        systemIds: [systemA.id, systemB.id],
        // An admin vouched for the address: nothing to verify.
        emailVerified: true,
        // Programme leads and coaches need no second factor by default.
        mfa: { enabled: false, required: false },
        person: expect.objectContaining({ id: response.body.personId, email, givenName: 'Tom', familyName: 'Whitfield', organisationId: orgB.id, systemId: systemB.id }),
      });
      // The new lead works for both systems.
      await api.http().get(`/api/v1/systems/${systemB.id}`).set(auth(login.body.accessToken as string)).expect(200);
    });

    it('creates an account without a password that cannot sign in yet (401)', async () => {
      const email = newEmail('No.Password');
      await createAccount('nationalAdmin', { email, givenName: 'No', familyName: 'Password', roles: ['participant'], systemIds: [] }).expect(201);
      expectProblem(await api.http().post('/api/v1/auth/login').send({ email, password: NEW_PASSWORD }), 401);
    });

    it('emails an account created without a password an invitation to choose one; the account keeps its roles', async () => {
      const email = newEmail('Invited.Lead');
      const response = await createAccount('adminA', { email, givenName: 'Invited', familyName: 'Lead', roles: ['programme_lead'], systemIds: [systemA.id], organisationId: orgA.id }).expect(201);
      const invitations = await forkEm(api)
        .getConnection()
        .execute<{ recipient_email: string; data: Record<string, string> }[]>(`select recipient_email, data from notification where kind = 'account_invitation' and recipient_person_id = ?`, [response.body.personId]);
      expect(invitations).toEqual([{ recipient_email: email, data: expect.objectContaining({ givenName: 'Invited', acceptUrl: expect.stringMatching(/\/invitation\?token=/) }) }]);
      const invitationToken = new URL(invitations[0]!.data.acceptUrl!).searchParams.get('token')!;
      expect(response.text).not.toContain(invitationToken);
      expect(await auditRows(api, { requestId: response.headers['x-request-id'] as string })).toEqual([expect.objectContaining({ action: 'account.create', details: { roles: ['programme_lead'], systemIds: [systemA.id], invited: true } })]);

      const accepted = await api.http().post('/api/v1/auth/accept-invitation').send({ token: invitationToken, password: NEW_PASSWORD });
      expect(accepted.status).toBe(201);
      expect(accepted.body).toMatchObject({ id: response.body.id, email, roles: ['programme_lead'] });
      expect(await accountsFor(email)).toBe(1);
      const login = await api.http().post('/api/v1/auth/login').send({ email, password: NEW_PASSWORD }).expect(200);
      await api.http().get(`/api/v1/systems/${systemA.id}`).set(auth(login.body.accessToken as string)).expect(200);
      // Used once; an account that has a password is never reset through an invitation.
      expectProblem(await api.http().post('/api/v1/auth/accept-invitation').send({ token: invitationToken, password: 'yet another long password' }), 400, ['token']);

      // Given a password, no invitation is sent.
      const withPassword = await createAccount('adminA', { email: newEmail('Has.Password'), givenName: 'Has', familyName: 'Password', roles: ['participant'], systemIds: [], password: NEW_PASSWORD }).expect(201);
      expect(Number((await forkEm(api).getConnection().execute<{ n: string }[]>(`select count(*) as n from notification where kind = 'account_invitation' and recipient_person_id = ?`, [withPassword.body.personId]))[0]!.n)).toBe(0);
    });

    it('lets a system admin create a programme lead for their own system', async () => {
      const email = newEmail('Priya.Patel');
      const response = await createAccount('adminA', { email, givenName: 'Priya', familyName: 'Patel', roles: ['programme_lead'], systemIds: [systemA.id], organisationId: orgA.id }).expect(201);
      expect(response.body).toMatchObject({ email, roles: ['programme_lead'], systemIds: [systemA.id] });
      const rows = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
      expect(rows).toEqual([expect.objectContaining({ actor_account_id: fixtures.adminA.account.id, action: 'account.create', object_id: response.body.id })]);
      const person = await forkEm(api).findOneOrFail(Person, { id: response.body.personId });
      expect(person.organisation?.id).toBe(orgA.id);
    });

    it('lets a system admin create another admin of their own system, and a participant', async () => {
      await createAccount('adminA', { email: newEmail('Sys.Admin'), givenName: 'Sys', familyName: 'Admin', roles: ['admin'], systemIds: [systemA.id] }).expect(201);
      const participant = await createAccount('adminA', { email: newEmail('Just.Participant'), givenName: 'Just', familyName: 'Participant', roles: ['participant'], systemIds: [] }).expect(201);
      expect(participant.body).toMatchObject({ roles: ['participant'], systemIds: [] });
    });

    it('forbids a system admin from granting another system (403), creating nothing', async () => {
      for (const systemIds of [[systemB.id], [systemA.id, systemB.id]]) {
        const email = newEmail('Other.System');
        await expectRefused(await createAccount('adminA', { email, givenName: 'Other', familyName: 'System', roles: ['programme_lead'], systemIds }), 403, email);
      }
    });

    it('forbids a system admin from creating a national admin (403)', async () => {
      const email = newEmail('Would.Be.National');
      await expectRefused(await createAccount('adminA', { email, givenName: 'Would', familyName: 'Be', roles: ['admin'], systemIds: [] }), 403, email);
    });

    it('forbids programme leads and participants from creating accounts (403)', async () => {
      for (const caller of ['leadA', 'participant'] as const) {
        const email = newEmail('Not.Allowed');
        await expectRefused(await createAccount(caller, { email, givenName: 'Not', familyName: 'Allowed', roles: ['participant'], systemIds: [] }), 403, email);
      }
      expectProblem(await api.http().post('/api/v1/accounts').send({ email: newEmail('Anon'), givenName: 'A', familyName: 'B', roles: ['participant'], systemIds: [] }), 401);
    });

    it('requires programme leads and coaches to have at least one system (400 on systemIds)', async () => {
      for (const roles of [['programme_lead'], ['coach'], ['participant', 'coach']]) {
        const email = newEmail('No.System');
        await expectRefused(await createAccount('nationalAdmin', { email, givenName: 'No', familyName: 'System', roles, systemIds: [] }), 400, email, ['systemIds']);
      }
    });

    it('requires a participant-only account to have no systems (400 on systemIds)', async () => {
      const email = newEmail('Participant.With.System');
      await expectRefused(await createAccount('nationalAdmin', { email, givenName: 'P', familyName: 'S', roles: ['participant'], systemIds: [systemA.id] }), 400, email, ['systemIds']);
    });

    it('rejects systems that do not exist (400 on systemIds)', async () => {
      const email = newEmail('Ghost.System');
      await expectRefused(await createAccount('nationalAdmin', { email, givenName: 'G', familyName: 'S', roles: ['coach'], systemIds: ['00000000-0000-4000-8000-000000000000'] }), 400, email, ['systemIds']);
    });

    it("refuses a system admin placing the person in an organisation outside their systems (400 on organisationId)", async () => {
      const email = newEmail('Wrong.Org');
      await expectRefused(await createAccount('adminA', { email, givenName: 'W', familyName: 'O', roles: ['programme_lead'], systemIds: [systemA.id], organisationId: orgB.id }), 400, email, ['organisationId']);
    });

    it('refuses a second account for the same email, ignoring case (409), leaving the first unchanged', async () => {
      const response = await createAccount('nationalAdmin', { email: fixtures.participant.email.toUpperCase(), givenName: 'Dup', familyName: 'Licate', roles: ['admin'], systemIds: [] });
      expectProblem(response, 409);
      await expectNotAudited(api, response);
      const existing = await forkEm(api).findOneOrFail(Account, { id: fixtures.participant.account.id }, { populate: ['person'] });
      expect(existing.roles).toEqual(['participant']);
      expect(existing.person.givenName).toBe('Test');
      expect(await forkEm(api).count(Account, { person: { email: fixtures.participant.email } })).toBe(1);
    });

    it('gives an account to someone already known by email (e.g. a nominee), keeping their person record', async () => {
      const em = forkEm(api);
      const email = newEmail('Known.Nominee');
      const nominee = em.create(Person, { email, givenName: 'Known', familyName: 'Nominee', organisation: orgA, createdAt: new Date(), updatedAt: new Date() });
      await em.flush();
      const response = await createAccount('nationalAdmin', { email: email.toUpperCase(), givenName: 'Other', familyName: 'Name', roles: ['participant'], systemIds: [] }).expect(201);
      expect(response.body.personId).toBe(nominee.id);
      expect(await forkEm(api).count(Person, { email })).toBe(1);
    });

    it("forbids a system admin from giving an account to someone already known who works in another system (403), so they cannot sign in as them", async () => {
      const em = forkEm(api);
      const email = newEmail('Other.System.Nominee');
      const nominee = em.create(Person, { email, givenName: 'Known', familyName: 'Elsewhere', organisation: orgB, createdAt: new Date(), updatedAt: new Date() });
      await em.flush();
      const response = await createAccount('adminA', { email, givenName: 'Known', familyName: 'Elsewhere', roles: ['participant'], systemIds: [], password: 'a password the admin chose' });
      expectProblem(response, 403);
      await expectNotAudited(api, response);
      expect(await accountsFor(email)).toBe(0);
      // Their own system's admin (here the national admin) still can.
      const allowed = await createAccount('nationalAdmin', { email, givenName: 'Known', familyName: 'Elsewhere', roles: ['participant'], systemIds: [] }).expect(201);
      expect(allowed.body.personId).toBe(nominee.id);
    });

    it('lets a system admin give an account to someone already known who works in their own system', async () => {
      const em = forkEm(api);
      const email = newEmail('Own.System.Nominee');
      const nominee = em.create(Person, { email, givenName: 'Known', familyName: 'Here', organisation: orgA, createdAt: new Date(), updatedAt: new Date() });
      await em.flush();
      const response = await createAccount('adminA', { email, givenName: 'Known', familyName: 'Here', roles: ['participant'], systemIds: [] }).expect(201);
      expect(response.body.personId).toBe(nominee.id);
    });

    it('rejects malformed input (400 listing each field) and unknown fields', async () => {
      const valid = { email: newEmail('Valid'), givenName: 'V', familyName: 'A', roles: ['participant'], systemIds: [] };
      expectProblem(await createAccount('nationalAdmin', { ...valid, email: 'not an email' }), 400, ['email']);
      expectProblem(await createAccount('nationalAdmin', { ...valid, roles: ['superuser'] }), 400, ['roles']);
      expectProblem(await createAccount('nationalAdmin', { ...valid, roles: [] }), 400, ['roles']);
      expectProblem(await createAccount('nationalAdmin', { ...valid, systemIds: ['system-a'] }), 400, ['systemIds']);
      expectProblem(await createAccount('nationalAdmin', { ...valid, password: 'short' }), 400, ['password']);
      expectProblem(await createAccount('nationalAdmin', { ...valid, givenName: '  ' }), 400, ['givenName']);
      expectProblem(await createAccount('nationalAdmin', { ...valid, status: 'active' }), 400, ['status']);
      const { systemIds: _omitted, ...withoutSystems } = valid;
      expectProblem(await createAccount('nationalAdmin', withoutSystems), 400, ['systemIds']);
      expect(await accountsFor(valid.email)).toBe(0);
    });
  });

  describe('GET /me', () => {
    it('returns the signed-in account with its person record', async () => {
      const response = await api.http().get('/api/v1/me').set(auth('adminA')).expect(200);
      expect(response.body).toEqual({
        id: fixtures.adminA.account.id,
        email: fixtures.adminA.email,
        roles: ['admin'],
        systemIds: [systemA.id],
        emailVerified: true,
        mfa: { enabled: true, required: true },
        person: {
          id: fixtures.adminA.person.id,
          email: fixtures.adminA.email,
          givenName: 'Test',
          familyName: fixtures.adminA.person.familyName,
          organisationId: orgA.id,
          systemId: systemA.id,
          staffGroup: null,
          profession: null,
          jobTitle: null,
          grade: null,
          lineManagerEmail: null,
          pendingEmployment: null,
        },
      });
    });

    it('needs a valid access token (401)', async () => {
      expectProblem(await api.http().get('/api/v1/me'), 401);
      expectProblem(await api.http().get('/api/v1/me').set('Authorization', 'Bearer x.y.z'), 401);
    });
  });

  describe('equality monitoring (/me/equality)', () => {
    const full = { consent: true, ethnicity: 'A', sex: 'female', disability: 'no', sexualOrientation: 'bisexual', religion: 'hindu', ageBand: '35_44' };

    async function storedFor(fixture: AccountFixture): Promise<EqualityMonitoring | null> {
      return forkEm(api).findOne(EqualityMonitoring, { person: fixture.person.id });
    }

    it('answers 404 when nothing has been recorded', async () => {
      expectProblem(await api.http().get('/api/v1/me/equality').set(auth('participant')), 404);
    });

    it('refuses to record anything without consent: true (400 on consent), storing nothing', async () => {
      for (const consent of [false, 'true', 1, undefined]) {
        const response = await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ ...full, consent });
        expectProblem(response, 400, ['consent']);
        await expectNotAudited(api, response);
      }
      expect(await storedFor(fixtures.participant)).toBeNull();
      expectProblem(await api.http().get('/api/v1/me/equality').set(auth('participant')), 404);
    });

    it('rejects values outside the code lists and unknown fields (400), storing nothing', async () => {
      expectProblem(await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ ...full, ethnicity: 'X' }), 400, ['ethnicity']);
      expectProblem(await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ ...full, sex: 'unknown' }), 400, ['sex']);
      expectProblem(await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ ...full, ageBand: '30' }), 400, ['ageBand']);
      expectProblem(await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ ...full, personId: fixtures.neighbour.person.id }), 400, ['personId']);
      expect(await storedFor(fixtures.participant)).toBeNull();
      expect(await storedFor(fixtures.neighbour)).toBeNull();
    });

    it('records it with consent and gives it back to its owner only', async () => {
      const put = await api.http().put('/api/v1/me/equality').set(auth('participant')).send(full).expect(200);
      const expected = { consent: true, consentedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/), ethnicity: 'A', sex: 'female', disability: 'no', sexualOrientation: 'bisexual', religion: 'hindu', ageBand: '35_44' };
      expect(put.body).toEqual(expected);
      expect((await api.http().get('/api/v1/me/equality').set(auth('participant')).expect(200)).body).toEqual({ ...expected, consentedAt: put.body.consentedAt });
      expect(await storedFor(fixtures.participant)).toMatchObject({ ethnicity: 'A', sex: 'female', religion: 'hindu' });

      // Nobody else gets it: not a neighbour through /me, nor an admin through the person record.
      expectProblem(await api.http().get('/api/v1/me/equality').set(auth('neighbour')), 404);
      const asAdmin = await api.http().get(`/api/v1/people/${fixtures.participant.person.id}`).set(auth('nationalAdmin')).expect(200);
      for (const key of ['ethnicity', 'sex', 'disability', 'sexualOrientation', 'religion', 'ageBand']) expect(asAdmin.body).not.toHaveProperty(key);
    });

    it('audits recording it without any of the values', async () => {
      const put = await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ consent: true, ethnicity: 'M', disability: 'yes', religion: 'muslim' }).expect(200);
      const rows = await auditRows(api, { requestId: put.headers['x-request-id'] as string });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_account_id: fixtures.participant.account.id, action: 'equality_monitoring.put', object_type: 'person', object_id: fixtures.participant.person.id });
      const row = JSON.stringify(rows[0]);
      for (const value of ['muslim', '"M"', '"yes"', 'ethnicity', 'religion', 'disability']) expect(row).not.toContain(value);
    });

    it('replaces the whole record on a second PUT, keeping the original consent time', async () => {
      const first = await api.http().get('/api/v1/me/equality').set(auth('participant')).expect(200);
      const second = await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ consent: true, sex: 'prefer_not_to_say' }).expect(200);
      expect(second.body).toEqual({ consent: true, consentedAt: first.body.consentedAt, ethnicity: null, sex: 'prefer_not_to_say', disability: null, sexualOrientation: null, religion: null, ageBand: null });
      expect(await storedFor(fixtures.participant)).toMatchObject({ ethnicity: null, sex: 'prefer_not_to_say', religion: null });
    });

    it('deletes it on DELETE (204), audited, after which it is gone (404)', async () => {
      const response = await api.http().delete('/api/v1/me/equality').set(auth('participant')).expect(204);
      expect(response.text).toBe('');
      expect(await storedFor(fixtures.participant)).toBeNull();
      expectProblem(await api.http().get('/api/v1/me/equality').set(auth('participant')), 404);
      const rows = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
      expect(rows).toEqual([{ actor_account_id: fixtures.participant.account.id, action: 'equality_monitoring.delete', object_type: 'person', object_id: fixtures.participant.person.id, request_id: response.headers['x-request-id'], details: null }]);
    });

    it("deleting one person's record leaves everyone else's alone", async () => {
      await api.http().put('/api/v1/me/equality').set(auth('neighbour')).send({ consent: true, ageBand: '25_34' }).expect(200);
      await api.http().put('/api/v1/me/equality').set(auth('participant')).send({ consent: true, ageBand: '55_64' }).expect(200);
      await api.http().delete('/api/v1/me/equality').set(auth('participant')).expect(204);
      expect((await api.http().get('/api/v1/me/equality').set(auth('neighbour')).expect(200)).body).toMatchObject({ ageBand: '25_34' });
      expect(await storedFor(fixtures.neighbour)).not.toBeNull();
    });

    it('needs a signed-in caller (401)', async () => {
      expectProblem(await api.http().get('/api/v1/me/equality'), 401);
      expectProblem(await api.http().put('/api/v1/me/equality').send(full), 401);
      expectProblem(await api.http().delete('/api/v1/me/equality'), 401);
    });
  });
});
