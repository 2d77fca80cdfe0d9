import { createHash } from 'node:crypto';
import type { Organisation, System } from '@slp/directory';
import type { Person } from '@slp/identity';
import type { Programme } from '@slp/learning';
import { auditRows, expectNotAudited, expectProblem } from './support/assertions';
import { staffAccounts, twoSystems } from './support/callers';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, people, programme } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

/** A row of the outbox, as these tests read it back. */
interface OutboxRow {
  kind: string;
  recipient_email: string;
  recipient_person_id: string | null;
  data: Record<string, unknown>;
}

interface HistoryEntry {
  from: string | null;
  to: string;
  at: string;
  actorAccountId: string | null;
  actorRole: string;
  reason: string | null;
}

interface NominationBody {
  id: string;
  status: string;
  nominee: { id: string; givenName: string; familyName: string };
  nominator: { id: string };
  programmeId: string | null;
  cohortId: string | null;
  talentPoolId: string | null;
  targetSystemId: string | null;
  readiness: string;
  talentGrid?: { performance: number; potential: number };
  decisionReason: string | null;
  enrolmentId: string | null;
  lineManagerNotified: boolean;
  history?: HistoryEntry[];
}

/** Who is calling: an account fixture (signed in with a fresh access token). */
type Caller = Pick<AccountFixture, 'account'>;

describe('talent pools and nominations: rules, consent, decisions and privacy (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let nationalAdmin: AccountFixture;
  let adminA: AccountFixture;
  let leadA: AccountFixture;
  let leadB: AccountFixture;
  let leadAB: AccountFixture;
  let coachA: AccountFixture;
  let bystander: AccountFixture;
  let programmeA: Programme;
  let programmeB: Programme;
  let poolA: { id: string };
  let poolB: { id: string };

  // --- requests ---------------------------------------------------------------------------------

  const auth = (as: Caller) => ({ Authorization: `Bearer ${accessTokenFor(api, as)}` });
  const get = (path: string, as: Caller) => api.http().get(`/api/v1${path}`).set(auth(as));
  const post = (path: string, as: Caller, body: object = {}) => api.http().post(`/api/v1${path}`).set(auth(as)).send(body);
  const consentByToken = (token: string, decision: 'consent' | 'decline', extra: object = {}) => api.http().post('/api/v1/nominations/consent').send({ token, decision, ...extra });

  const nominationBody = (nominee: object, target: object, extra: object = {}) => ({
    nominee,
    ...target,
    readiness: 'ready_1_2_years',
    performance: 2,
    potential: 3,
    rationale: 'Brought primary and community teams together on frailty.',
    ...extra,
  });

  /** `as` nominates `nominee` (a person, or an inline nominee) into `target`; expects 201. */
  async function nominate(as: Caller, nominee: Person | object, target: object, extra: object = {}): Promise<NominationBody> {
    const nomineeInput = 'id' in nominee ? { personId: nominee.id } : nominee;
    const response = await post('/nominations', as, nominationBody(nomineeInput, target, extra));
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
    return response.body as NominationBody;
  }

  // --- rows -------------------------------------------------------------------------------------

  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const outbox = (subjectId: string) => sql<OutboxRow>(`select kind, recipient_email, recipient_person_id, data from notification where subject_id = ? order by created_at, kind, recipient_email`, [subjectId]);
  const outboxKinds = async (subjectId: string) => (await outbox(subjectId)).map((row) => `${row.kind} → ${row.recipient_email.toLowerCase()}`).sort();
  const consentTokenOf = async (nominationId: string): Promise<string> => {
    const requests = (await outbox(nominationId)).filter((row) => row.kind === 'nomination_consent_request');
    expect(requests).toHaveLength(1);
    return requests[0]!.data.consentToken as string;
  };
  const statusOf = async (nominationId: string) => (await sql<{ status: string }>(`select status from nomination where id = ?`, [nominationId]))[0]?.status;
  const count = async (table: string, where = 'true', params: unknown[] = []) => Number((await sql<{ n: string }>(`select count(*) as n from ${table} where ${where}`, params))[0]!.n);
  const rowCounts = async () => ({ nominations: await count('nomination'), notifications: await count('notification'), people: await count('person'), events: await count('nomination_event') });

  // --- people -----------------------------------------------------------------------------------

  /** Someone with a participant account working for `org` (system A unless told). */
  const staffMember = (org: Organisation = orgA) => account(forkEm(api), { organisation: org });
  /** Someone known to the platform (working for `org`) without an account. */
  const personWithoutAccount = async (org: Organisation = orgA) => (await people(forkEm(api), 1, org))[0]!;
  const withLineManager = async (fixture: AccountFixture, email: string) => {
    await sql(`update person set line_manager_email = ? where id = ?`, [email, fixture.person.id]);
    return fixture;
  };
  const lower = (email: string) => email.toLowerCase();

  /** A nomination of a fresh staff member of system A into `target`, consented through the emailed link. */
  async function consentedNomination(target: object, nominee?: AccountFixture): Promise<{ nomination: NominationBody; nominee: AccountFixture }> {
    const who = nominee ?? (await staffMember());
    const nomination = await nominate(leadA, who.person, target);
    await consentByToken(await consentTokenOf(nomination.id), 'consent').expect(200);
    return { nomination, nominee: who };
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    ({ nationalAdmin, adminA, leadA } = await staffAccounts(em, { systemA, orgA }));
    leadB = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
    leadAB = await account(em, { roles: ['programme_lead'], systems: [systemA, systemB], organisation: orgA });
    coachA = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA });
    bystander = await account(em, { organisation: orgA });
    programmeA = await programme(em, systemA, { title: 'Leading Integrated Care A' });
    programmeB = await programme(em, systemB, { title: 'Leading Integrated Care B' });
    poolA = (await post('/talent-pools', leadA, { systemId: systemA.id, name: 'Aspiring directors A', purpose: 'Directors of the next five years' }).expect(201)).body;
    poolB = (await post('/talent-pools', leadB, { systemId: systemB.id, name: 'Aspiring directors B' }).expect(201)).body;
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('talent pools', () => {
    it('lets leads and admins create pools in their own systems only', async () => {
      const created = await post('/talent-pools', adminA, { systemId: systemA.id, name: 'Clinical leaders for neighbourhood health', purpose: 'Neighbourhood teams' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), systemId: systemA.id, name: 'Clinical leaders for neighbourhood health', purpose: 'Neighbourhood teams' });
      expect(await auditRows(api, { objectId: created.body.id, action: 'talent_pool.create' })).toEqual([expect.objectContaining({ actor_account_id: adminA.account.id, object_type: 'talent_pool' })]);

      const before = await count('talent_pool');
      expectProblem(await post('/talent-pools', leadA, { systemId: systemB.id, name: 'Not my system' }), 403);
      expectProblem(await post('/talent-pools', coachA, { systemId: systemA.id, name: 'Coaches do not run pools' }), 403);
      expectProblem(await post('/talent-pools', bystander, { systemId: systemA.id, name: 'Participants do not run pools' }), 403);
      // Names are unique within a system, whatever the case.
      expectProblem(await post('/talent-pools', leadA, { systemId: systemA.id, name: 'ASPIRING DIRECTORS A' }), 409);
      expectProblem(await post('/talent-pools', nationalAdmin, { systemId: '00000000-0000-4000-8000-000000000000', name: 'Nowhere' }), 400, ['systemId']);
      expectProblem(await post('/talent-pools', leadA, { systemId: systemA.id, name: '   ' }), 400, ['name']);
      expect(await count('talent_pool')).toBe(before);

      // The same name is fine in another system; national admins run every system's pools.
      const elsewhere = await post('/talent-pools', nationalAdmin, { systemId: systemB.id, name: 'Clinical leaders for neighbourhood health' });
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body).toMatchObject({ systemId: systemB.id, purpose: '' });
    });

    it('shows each system’s pools only to its own staff', async () => {
      const listed = await get('/talent-pools?limit=100', leadA).expect(200);
      const ids = (listed.body.items as { id: string; systemId: string }[]).map((p) => p.id);
      expect(ids).toContain(poolA.id);
      expect(ids).not.toContain(poolB.id);
      expect((listed.body.items as { systemId: string }[]).every((p) => p.systemId === systemA.id)).toBe(true);

      const coach = (await get('/talent-pools?limit=100', coachA).expect(200)).body.items as { id: string }[];
      expect(coach.map((p) => p.id)).toContain(poolA.id);
      expect(coach.map((p) => p.id)).not.toContain(poolB.id);

      const all = (await get('/talent-pools?limit=100', nationalAdmin).expect(200)).body.items as { id: string }[];
      expect(all.map((p) => p.id)).toEqual(expect.arrayContaining([poolA.id, poolB.id]));

      expect((await get(`/talent-pools/${poolA.id}`, leadA).expect(200)).body).toMatchObject({ id: poolA.id, systemId: systemA.id, name: 'Aspiring directors A' });
      expectProblem(await get(`/talent-pools/${poolB.id}`, leadA), 404);
      expectProblem(await get(`/talent-pools?systemId=${systemB.id}`, leadA), 404);
      expectProblem(await get('/talent-pools', bystander), 403);
      expect((await get(`/talent-pools/${poolB.id}`, leadB).expect(200)).body.id).toBe(poolB.id);
    });
  });

  describe('nominating', () => {
    it('nominates a known person by personId and emails them a single-use, expiring, unguessable consent link', async () => {
      const nominee = await staffMember();
      const peopleBefore = await count('person');
      const nomination = await nominate(leadA, nominee.person, { talentPoolId: poolA.id }, { readiness: 'ready_now', performance: 3, potential: 2 });
      expect(nomination).toMatchObject({
        status: 'awaiting_consent',
        nominee: { id: nominee.person.id },
        nominator: { id: leadA.person.id },
        talentPoolId: poolA.id,
        programmeId: null,
        cohortId: null,
        targetSystemId: systemA.id,
        readiness: 'ready_now',
        talentGrid: { performance: 3, potential: 2 },
        lineManagerNotified: false,
      });
      expect(await count('person')).toBe(peopleBefore);

      const rows = await outbox(nomination.id);
      expect(rows.map((r) => [r.kind, lower(r.recipient_email)])).toEqual([['nomination_consent_request', lower(nominee.email)]]);
      const data = rows[0]!.data;
      const token = data.consentToken as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(data.consentUrl).toContain(encodeURIComponent(token));
      const expiresIn = new Date(data.consentExpiresAt as string).getTime() - Date.now();
      expect(expiresIn).toBeGreaterThan(13 * 86_400_000);
      expect(expiresIn).toBeLessThanOrEqual(14 * 86_400_000);
      // Only a hash of the token is kept.
      const [stored] = await sql<{ consent_token_hash: string }>(`select consent_token_hash from nomination where id = ?`, [nomination.id]);
      expect(stored!.consent_token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(await sql(`select * from nomination where id = ?`, [nomination.id]))).not.toContain(token);

      // Another nomination gets another token.
      const other = await nominate(leadA, nominee.person, { programmeId: programmeA.id });
      expect(await consentTokenOf(other.id)).not.toBe(token);
      expect(await auditRows(api, { objectId: nomination.id, action: 'nomination.create' })).toEqual([expect.objectContaining({ actor_account_id: leadA.account.id })]);
    });

    it('creates a nominee given by email who is new, without an account, and reuses a person already known by that email', async () => {
      const email = `new.nominee.${Date.now()}@nhs.example`;
      const created = await nominate(leadA, { email, givenName: 'Nia', familyName: 'Okafor', organisationId: orgA.id }, { programmeId: programmeA.id });
      const [person] = await sql<{ id: string; organisation_id: string; given_name: string }>(`select id, organisation_id, given_name from person where email = ?`, [email]);
      expect(person).toEqual({ id: created.nominee.id, organisation_id: orgA.id, given_name: 'Nia' });
      expect(await count('account', 'person_id = ?', [person!.id])).toBe(0);

      const known = await staffMember();
      const peopleBefore = await count('person');
      const again = await nominate(leadA, { email: known.email.toUpperCase(), givenName: 'Someone', familyName: 'Else', organisationId: orgA.id }, { programmeId: programmeA.id });
      expect(again.nominee.id).toBe(known.person.id);
      expect(await count('person')).toBe(peopleBefore);
    });

    const invalid: [string, (personId: string) => object, string[]][] = [
      ['no target', (personId) => nominationBody({ personId }, {}), ['programmeId']],
      ['two targets', (personId) => nominationBody({ personId }, { programmeId: programmeA.id, talentPoolId: poolA.id }), ['programmeId']],
      ['performance 0', (personId) => nominationBody({ personId }, { programmeId: programmeA.id }, { performance: 0 }), ['performance']],
      ['potential 4', (personId) => nominationBody({ personId }, { programmeId: programmeA.id }, { potential: 4 }), ['potential']],
      ['a grid rating that is not a whole number', (personId) => nominationBody({ personId }, { programmeId: programmeA.id }, { performance: 2.5 }), ['performance']],
      ['an unknown readiness', (personId) => nominationBody({ personId }, { programmeId: programmeA.id }, { readiness: 'ready_soon' }), ['readiness']],
      ['no rationale', (personId) => nominationBody({ personId }, { programmeId: programmeA.id }, { rationale: '' }), ['rationale']],
      ['a nominee with both personId and email', (personId) => nominationBody({ personId, email: 'both@nhs.example' }, { programmeId: programmeA.id }), ['nominee.email']],
      [
        'a nominee by email without family name and organisation',
        () => nominationBody({ email: `half.${Date.now()}@nhs.example`, givenName: 'Half' }, { programmeId: programmeA.id }),
        ['nominee.familyName', 'nominee.organisationId'],
      ],
      ['a nominee by email with a malformed email', () => nominationBody({ email: 'not-an-email', givenName: 'A', familyName: 'B', organisationId: orgA.id }, { programmeId: programmeA.id }), ['nominee.email']],
    ];

    it.each(invalid)('refuses a nomination with %s: 400 naming the fields, nothing written', async (_, body, fields) => {
      const nominee = await staffMember();
      const before = await rowCounts();
      const response = await post('/nominations', leadA, body(nominee.person.id));
      expectProblem(response, 400, fields);
      expect(await rowCounts()).toEqual(before);
      await expectNotAudited(api, response);
    });

    it('allows one active nomination per nominee and target (409), and a new one once the last was declined or withdrawn', async () => {
      const nominee = await staffMember();
      const first = await nominate(leadA, nominee.person, { talentPoolId: poolA.id });
      const before = await rowCounts();
      expectProblem(await post('/nominations', adminA, nominationBody({ personId: nominee.person.id }, { talentPoolId: poolA.id })), 409);
      expect(await rowCounts()).toEqual(before);
      // A different target is a different nomination.
      await nominate(leadA, nominee.person, { programmeId: programmeA.id });

      await consentByToken(await consentTokenOf(first.id), 'decline').expect(200);
      const second = await nominate(leadA, nominee.person, { talentPoolId: poolA.id });
      expectProblem(await post('/nominations', leadA, nominationBody({ personId: nominee.person.id }, { talentPoolId: poolA.id })), 409);

      await post(`/nominations/${second.id}/withdraw`, leadA).expect(200);
      const third = await nominate(leadA, nominee.person, { talentPoolId: poolA.id });
      expect(third.status).toBe('awaiting_consent');
      expect(await count('nomination', 'nominee_id = ? and talent_pool_id = ?', [nominee.person.id, poolA.id])).toBe(3);
    });

    it('answers a nomination into another system’s programme, cohort or pool exactly as one into an unknown id (404, same body), writing nothing', async () => {
      const nominee = await staffMember();
      const cohortB = await cohort(forkEm(api), programmeB);
      const before = await rowCounts();
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const [field, otherSystems] of [['programmeId', programmeB.id], ['cohortId', cohortB.id], ['talentPoolId', poolB.id]] as const) {
        const missing = await post('/nominations', leadA, nominationBody({ personId: nominee.person.id }, { [field]: unknown }));
        expectProblem(missing, 404);
        for (const caller of [leadA, adminA]) {
          const foreign = await post('/nominations', caller, nominationBody({ personId: nominee.person.id }, { [field]: otherSystems }));
          expectProblem(foreign, 404);
          expect(foreign.body).toEqual(missing.body);
          expect(JSON.stringify(foreign.body)).not.toContain(otherSystems);
          await expectNotAudited(api, foreign);
        }
      }
      expectProblem(await post('/nominations', leadA, nominationBody({ email: `cross.${Date.now()}@nhs.example`, givenName: 'C', familyName: 'S', organisationId: orgA.id }, { programmeId: programmeB.id })), 404);
      expect(await rowCounts()).toEqual(before);
      // Coaches and participants cannot nominate at all.
      expectProblem(await post('/nominations', coachA, nominationBody({ personId: nominee.person.id }, { programmeId: programmeA.id })), 403);
      expectProblem(await post('/nominations', bystander, nominationBody({ personId: nominee.person.id }, { programmeId: programmeA.id })), 403);
      expect(await rowCounts()).toEqual(before);
    });

    it('refuses a nominee who does not work for an organisation in the target’s system (403), writing nothing', async () => {
      const worksInB = await staffMember(orgB);
      const email = `outsider.${Date.now()}@nhs.example`;
      const before = await rowCounts();
      // By email, working for system B, into system A's pool.
      expectProblem(await post('/nominations', leadA, nominationBody({ email, givenName: 'Out', familyName: 'Sider', organisationId: orgB.id }, { talentPoolId: poolA.id })), 403);
      // By id, by someone who can see both systems.
      expectProblem(await post('/nominations', leadAB, nominationBody({ personId: worksInB.person.id }, { programmeId: programmeA.id })), 403);
      expectProblem(await post('/nominations', nationalAdmin, nominationBody({ personId: worksInB.person.id }, { talentPoolId: poolA.id })), 403);
      // A lead of A cannot even name a person of system B: the same answer as an unknown id.
      expectProblem(await post('/nominations', leadA, nominationBody({ personId: worksInB.person.id }, { programmeId: programmeA.id })), 400, ['nominee.personId']);
      expectProblem(await post('/nominations', leadA, nominationBody({ personId: '00000000-0000-4000-8000-000000000000' }, { programmeId: programmeA.id })), 400, ['nominee.personId']);
      expect(await rowCounts()).toEqual(before);
      expect(await count('person', 'email = ?', [email])).toBe(0);
    });
  });

  describe('nominating by email without an oracle', () => {
    it('answers the same whether or not the address is already someone’s record in another system', async () => {
      const worksInB = await staffMember(orgB);
      const fresh = await post('/nominations', leadA, nominationBody({ email: `fresh.${Date.now()}@nhs.example`, givenName: 'New', familyName: 'Person', organisationId: orgA.id }, { talentPoolId: poolA.id }));
      const known = await post('/nominations', leadA, nominationBody({ email: worksInB.email, givenName: 'B', familyName: 'Person', organisationId: orgA.id }, { talentPoolId: poolA.id }));

      expect([fresh.status, known.status]).toEqual([201, 201]);
      expect(Object.keys(known.body).sort()).toEqual(Object.keys(fresh.body).sort());
      expect(known.body.status).toBe('awaiting_consent');
      // The owner of the address is asked for consent, as any new nominee is.
      expect(await outboxKinds(known.body.id)).toEqual([`nomination_consent_request → ${lower(worksInB.email)}`]);
    });

    it('never moves an existing record into the nominating system, and only proposes an organisation for someone without one', async () => {
      const worksInB = await staffMember(orgB);
      await nominate(leadA, { email: worksInB.email, givenName: 'B', familyName: 'Person', organisationId: orgA.id }, { talentPoolId: poolA.id });
      const [inB] = await sql<{ organisation_id: string; pending_organisation_id: string | null }>(`select organisation_id, pending_organisation_id from person where id = ?`, [worksInB.person.id]);
      expect(inB).toEqual({ organisation_id: orgB.id, pending_organisation_id: null });

      const nowhere = await account(forkEm(api), { organisation: null });
      await nominate(leadA, { email: nowhere.email, givenName: 'No', familyName: 'Where', organisationId: orgA.id }, { talentPoolId: poolA.id });
      const [proposed] = await sql<{ organisation_id: string | null; pending_organisation_id: string | null }>(`select organisation_id, pending_organisation_id from person where id = ?`, [nowhere.person.id]);
      expect(proposed).toEqual({ organisation_id: null, pending_organisation_id: orgA.id });
      // Not system A's until a lead or admin of A confirms it.
      expectProblem(await get(`/people/${nowhere.person.id}`, leadA), 404);
      await post(`/people/${nowhere.person.id}/employment/confirm`, adminA).expect(200);
      await get(`/people/${nowhere.person.id}`, leadA).expect(200);
    });
  });

  describe('a nominee whose account has not proved its email address', () => {
    it('cannot read or answer the nomination while signed in; the emailed link still works, and then lets them take the account over', async () => {
      const unverified = await account(forkEm(api), { organisation: orgA, emailVerified: false });
      // Nominated by email: the address is all that links the nomination to this account.
      const nomination = await nominate(leadA, { email: unverified.email, givenName: 'Un', familyName: 'Verified', organisationId: orgA.id }, { programmeId: programmeA.id });
      expect(nomination.nominee.id).toBe(unverified.person.id);

      const mine = await get('/me/nominations', unverified);
      expectProblem(mine, 409);
      expect(mine.body.type).toMatch(/\/email-not-verified$/);
      expectProblem(await get(`/nominations/${nomination.id}`, unverified), 404);
      expectProblem(await post(`/nominations/${nomination.id}/consent`, unverified, { decision: 'consent' }), 404);
      expect(await statusOf(nomination.id)).toBe('awaiting_consent');

      // Whoever reads the mailbox answers by the link, and is invited to set a password of their own.
      const answered = await consentByToken(await consentTokenOf(nomination.id), 'consent').expect(200);
      expect(answered.body.invitationSent).toBe(true);
      const [invitation] = await sql<OutboxRow>(`select kind, recipient_email, recipient_person_id, data from notification where kind = 'account_invitation' and recipient_person_id = ?`, [unverified.person.id]);
      const token = new URL(invitation!.data.acceptUrl as string).searchParams.get('token')!;
      await api.http().post('/api/v1/auth/accept-invitation').send({ token, password: 'the mailbox owner’s password' }).expect(201);

      await api.http().post('/api/v1/auth/login').send({ email: unverified.email, password: unverified.password }).expect(401);
      const signedIn = await api.http().post('/api/v1/auth/login').send({ email: unverified.email, password: 'the mailbox owner’s password' }).expect(200);
      const listed = await api.http().get('/api/v1/me/nominations').set({ Authorization: `Bearer ${signedIn.body.accessToken}` }).expect(200);
      expect(listed.body.items.map((n: { id: string }) => n.id)).toEqual([nomination.id]);
    });
  });

  describe('consent', () => {
    it('rejects a consent link that was already used or has expired (400 on token)', async () => {
      const used = await nominate(leadA, (await staffMember()).person, { programmeId: programmeA.id });
      const usedToken = await consentTokenOf(used.id);
      await consentByToken(usedToken, 'consent').expect(200);
      expectProblem(await consentByToken(usedToken, 'consent'), 400, ['token']);
      expectProblem(await consentByToken(usedToken, 'decline'), 400, ['token']);
      expect(await statusOf(used.id)).toBe('consented');

      const expired = await nominate(leadA, (await staffMember()).person, { programmeId: programmeA.id });
      const expiredToken = await consentTokenOf(expired.id);
      await sql(`update nomination set consent_token_expires_at = now() - interval '1 minute' where id = ?`, [expired.id]);
      const eventsBefore = await count('nomination_event', 'nomination_id = ?', [expired.id]);
      expectProblem(await consentByToken(expiredToken, 'consent'), 400, ['token']);
      expectProblem(await consentByToken(expiredToken, 'decline'), 400, ['token']);
      expect(await statusOf(expired.id)).toBe('awaiting_consent');
      expect(await count('nomination_event', 'nomination_id = ?', [expired.id])).toBe(eventsBefore);
      expect((await outbox(expired.id)).map((r) => r.kind)).toEqual(['nomination_consent_request']);

      expectProblem(await consentByToken('made-up-token', 'consent'), 400, ['token']);
      expectProblem(await api.http().post('/api/v1/nominations/consent').send({ token: usedToken, decision: 'maybe' }), 400, ['decision']);
    });

    it('stops a declined nomination there: the nominator is told and no decision or second answer is possible', async () => {
      const nominee = await personWithoutAccount();
      const nomination = await nominate(leadA, { email: nominee.email, givenName: nominee.givenName, familyName: nominee.familyName, organisationId: orgA.id }, { programmeId: programmeA.id });
      const declined = await consentByToken(await consentTokenOf(nomination.id), 'decline', { notifyLineManager: true }).expect(200);
      expect(declined.body).toMatchObject({ nomination: { id: nomination.id, status: 'declined', lineManagerNotified: false }, invitationSent: false });
      expect(declined.body).not.toHaveProperty('invitationToken');
      expect(await count('notification', `kind = 'account_invitation' and recipient_person_id = ?`, [nominee.id])).toBe(0);

      expect(await outboxKinds(nomination.id)).toEqual([`nomination_consent_request → ${lower(nominee.email)}`, `nomination_declined → ${lower(leadA.email)}`].sort());

      expectProblem(await post(`/nominations/${nomination.id}/accept`, leadA), 409);
      expectProblem(await post(`/nominations/${nomination.id}/reject`, leadA, { reason: 'Too late' }), 409);
      expectProblem(await post(`/nominations/${nomination.id}/withdraw`, leadA), 409);
      expect(await statusOf(nomination.id)).toBe('declined');
      expect(await count('talent_membership', 'nomination_id = ?', [nomination.id])).toBe(0);

      const history = (await get(`/nominations/${nomination.id}`, leadA).expect(200)).body.history as HistoryEntry[];
      expect(history.map((e) => [e.from, e.to, e.actorRole, e.actorAccountId])).toEqual([
        [null, 'submitted', 'nominator', leadA.account.id],
        ['submitted', 'awaiting_consent', 'nominator', leadA.account.id],
        ['awaiting_consent', 'declined', 'nominee', null],
      ]);
      expect(history.at(-1)!.reason).toEqual(expect.any(String));
      expect(Date.parse(history.at(-1)!.at)).toBeGreaterThanOrEqual(Date.parse(history[0]!.at));
      expect(await auditRows(api, { objectId: nomination.id, action: 'nomination.decline' })).toHaveLength(1);
    });

    it('lets the signed-in nominee consent or decline their own nomination, and no one else', async () => {
      const nominee = await staffMember();
      const nomination = await nominate(leadA, nominee.person, { talentPoolId: poolA.id });
      const token = await consentTokenOf(nomination.id);

      expectProblem(await post(`/nominations/${nomination.id}/consent`, bystander, { decision: 'consent' }), 404);
      expectProblem(await post(`/nominations/${nomination.id}/consent`, leadB, { decision: 'consent' }), 404);
      expectProblem(await post(`/nominations/${nomination.id}/consent`, leadA, { decision: 'consent' }), 403);
      expect(await statusOf(nomination.id)).toBe('awaiting_consent');

      const consented = await post(`/nominations/${nomination.id}/consent`, nominee, { decision: 'consent' }).expect(200);
      expect(consented.body).toMatchObject({ id: nomination.id, status: 'consented' });
      expect(consented.body.history.at(-1)).toMatchObject({ from: 'awaiting_consent', to: 'consented', actorRole: 'nominee', actorAccountId: nominee.account.id });
      expect(await outboxKinds(nomination.id)).toEqual([`nomination_consent_request → ${lower(nominee.email)}`, `nomination_consented → ${lower(leadA.email)}`].sort());
      // The emailed link no longer works, and the answer cannot be given twice.
      expectProblem(await consentByToken(token, 'decline'), 400, ['token']);
      expectProblem(await post(`/nominations/${nomination.id}/consent`, nominee, { decision: 'decline' }), 409);
      expect(await statusOf(nomination.id)).toBe('consented');

      const other = await nominate(leadA, nominee.person, { programmeId: programmeA.id });
      const declined = await post(`/nominations/${other.id}/consent`, nominee, { decision: 'decline' }).expect(200);
      expect(declined.body.status).toBe('declined');
      expect((await outbox(other.id)).filter((r) => r.kind === 'nomination_declined').map((r) => lower(r.recipient_email))).toEqual([lower(leadA.email)]);
    });

    it('tells the line manager only when the nominee consents, agrees to it, and has one', async () => {
      const managerEmail = `manager.one.${Date.now()}@nhs.example`;
      const agrees = await withLineManager(await staffMember(), managerEmail);
      const agreed = await nominate(leadA, agrees.person, { programmeId: programmeA.id });
      const response = await post(`/nominations/${agreed.id}/consent`, agrees, { decision: 'consent', notifyLineManager: true }).expect(200);
      expect(response.body.lineManagerNotified).toBe(true);
      const notices = (await outbox(agreed.id)).filter((r) => r.kind === 'nomination_line_manager_notice');
      expect(notices.map((r) => [lower(r.recipient_email), r.recipient_person_id])).toEqual([[managerEmail, null]]);
      expect(notices[0]!.data).toMatchObject({ nomineeName: `${agrees.person.givenName} ${agrees.person.familyName}` });
      expect(notices[0]!.data).not.toHaveProperty('performance');
      expect(JSON.stringify(notices[0]!.data)).not.toContain('talentGrid');

      // Consents without agreeing.
      const silent = await withLineManager(await staffMember(), `manager.two.${Date.now()}@nhs.example`);
      const notAgreed = await nominate(leadA, silent.person, { programmeId: programmeA.id });
      expect((await post(`/nominations/${notAgreed.id}/consent`, silent, { decision: 'consent' }).expect(200)).body.lineManagerNotified).toBe(false);

      // Agrees through the link, but has no line manager on record.
      const noManager = await staffMember();
      const noneOnRecord = await nominate(leadA, noManager.person, { programmeId: programmeA.id });
      expect((await consentByToken(await consentTokenOf(noneOnRecord.id), 'consent', { notifyLineManager: true }).expect(200)).body.nomination.lineManagerNotified).toBe(false);

      // Asks for it but declines.
      const declines = await withLineManager(await staffMember(), `manager.three.${Date.now()}@nhs.example`);
      const declined = await nominate(leadA, declines.person, { programmeId: programmeA.id });
      await post(`/nominations/${declined.id}/consent`, declines, { decision: 'decline', notifyLineManager: true }).expect(200);

      // Through the link, agreeing, with a line manager.
      const byLinkManager = `manager.four.${Date.now()}@nhs.example`;
      const byLink = await withLineManager(await staffMember(), byLinkManager);
      const linked = await nominate(leadA, byLink.person, { programmeId: programmeA.id });
      await consentByToken(await consentTokenOf(linked.id), 'consent', { notifyLineManager: true }).expect(200);

      const noticesFor = async (id: string) => (await outbox(id)).filter((r) => r.kind === 'nomination_line_manager_notice').map((r) => lower(r.recipient_email));
      expect(await noticesFor(notAgreed.id)).toEqual([]);
      expect(await noticesFor(noneOnRecord.id)).toEqual([]);
      expect(await noticesFor(declined.id)).toEqual([]);
      expect(await noticesFor(linked.id)).toEqual([byLinkManager]);
      expect(await count('notification', `kind = 'nomination_line_manager_notice' and subject_id in (?, ?, ?, ?, ?)`, [agreed.id, notAgreed.id, noneOnRecord.id, declined.id, linked.id])).toBe(2);
    });

    it('emails a nominee without an account a single-use invitation after consenting through the link, and never returns its token', async () => {
      const nominee = await personWithoutAccount();
      const nomination = await nominate(leadA, nominee, { programmeId: programmeA.id });
      const consentToken = await consentTokenOf(nomination.id);
      const consent = await consentByToken(consentToken, 'consent').expect(200);
      expect(consent.body).toMatchObject({ nomination: { id: nomination.id, status: 'consented' }, invitationSent: true });
      expect(consent.body).not.toHaveProperty('invitationToken');

      // The invitation travels only in its own email, to the nominee.
      const invitations = await sql<OutboxRow>(`select kind, recipient_email, recipient_person_id, data from notification where kind = 'account_invitation' and recipient_person_id = ?`, [nominee.id]);
      expect(invitations).toHaveLength(1);
      expect(invitations[0]).toMatchObject({ recipient_email: nominee.email, data: { givenName: nominee.givenName, expiresAtLondon: expect.any(String) } });
      const acceptUrl = new URL(invitations[0]!.data.acceptUrl as string);
      expect(`${acceptUrl.origin}${acceptUrl.pathname}`).toBe(`${api.config.publicUrl}/invitation`);
      const invitationToken = acceptUrl.searchParams.get('token')!;
      expect(invitationToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(consent.text).not.toContain(invitationToken);
      expect(consent.text).not.toContain(consentToken);

      const created = await api.http().post('/api/v1/auth/accept-invitation').send({ token: invitationToken, password: 'a long enough password' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ email: nominee.email, roles: ['participant'] });
      expect(created.text).not.toContain(invitationToken);
      expectProblem(await api.http().post('/api/v1/auth/accept-invitation').send({ token: invitationToken, password: 'another long password' }), 400, ['token']);
      expect(await count('account', 'person_id = ?', [nominee.id])).toBe(1);

      // The first password works; the second attempt changed nothing.
      await api.http().post('/api/v1/auth/login').send({ email: nominee.email, password: 'a long enough password' }).expect(200);
      expect((await api.http().post('/api/v1/auth/login').send({ email: nominee.email, password: 'another long password' })).status).toBe(401);

      // Someone who already has an account gets no invitation.
      const withAccount = await staffMember();
      const second = await nominate(leadA, withAccount.person, { programmeId: programmeA.id });
      expect((await consentByToken(await consentTokenOf(second.id), 'consent').expect(200)).body.invitationSent).toBe(false);
      expect(await count('notification', `kind = 'account_invitation' and recipient_person_id = ?`, [withAccount.person.id])).toBe(0);
    });

    it('lets the nominee withdraw their consent, and the nominator withdraw the nomination, before a decision only', async () => {
      const nominee = await staffMember();
      const beforeConsent = await nominate(leadA, nominee.person, { programmeId: programmeA.id });
      const token = await consentTokenOf(beforeConsent.id);
      expectProblem(await post(`/nominations/${beforeConsent.id}/withdraw`, bystander), 404);
      expectProblem(await post(`/nominations/${beforeConsent.id}/withdraw`, leadB), 404);
      const byNominee = await post(`/nominations/${beforeConsent.id}/withdraw`, nominee).expect(200);
      expect(byNominee.body.status).toBe('withdrawn');
      expect(byNominee.body.history.at(-1)).toMatchObject({ from: 'awaiting_consent', to: 'withdrawn', actorRole: 'nominee', actorAccountId: nominee.account.id, reason: expect.any(String) });
      // The emailed link dies with it.
      expectProblem(await consentByToken(token, 'consent'), 400, ['token']);
      expect(await statusOf(beforeConsent.id)).toBe('withdrawn');

      const { nomination: consented } = await consentedNomination({ talentPoolId: poolA.id }, nominee);
      const withdrawnConsent = await post(`/nominations/${consented.id}/withdraw`, nominee, { reason: 'Caring responsibilities this year' }).expect(200);
      expect(withdrawnConsent.body.history.at(-1)).toMatchObject({ from: 'consented', to: 'withdrawn', actorRole: 'nominee', reason: 'Caring responsibilities this year' });
      expectProblem(await post(`/nominations/${consented.id}/accept`, leadA), 409);

      const { nomination: byNominator } = await consentedNomination({ programmeId: programmeA.id }, nominee);
      const withdrawn = await post(`/nominations/${byNominator.id}/withdraw`, leadA, { reason: 'Nominated into the wrong programme' }).expect(200);
      expect(withdrawn.body).toMatchObject({ status: 'withdrawn', talentGrid: expect.any(Object) });
      expect(withdrawn.body.history.at(-1)).toMatchObject({ from: 'consented', to: 'withdrawn', actorRole: 'nominator', actorAccountId: leadA.account.id, reason: 'Nominated into the wrong programme' });
      expect(await auditRows(api, { objectId: byNominator.id, action: 'nomination.withdraw' })).toEqual([expect.objectContaining({ actor_account_id: leadA.account.id })]);

      // After a decision there is nothing to withdraw.
      const { nomination: decided } = await consentedNomination({ programmeId: programmeA.id }, nominee);
      await post(`/nominations/${decided.id}/accept`, leadA).expect(200);
      expectProblem(await post(`/nominations/${decided.id}/withdraw`, nominee), 409);
      expectProblem(await post(`/nominations/${decided.id}/withdraw`, leadA), 409);
      expect(await statusOf(decided.id)).toBe('accepted');
    });
  });

  describe('decisions', () => {
    it('accepts a consented programme nomination as membership and tells nominee and nominator', async () => {
      const { nomination, nominee } = await consentedNomination({ programmeId: programmeA.id });
      const accepted = await post(`/nominations/${nomination.id}/accept`, adminA).expect(200);
      expect(accepted.body).toMatchObject({ status: 'accepted', enrolmentId: null });
      expect(accepted.body.history.at(-1)).toMatchObject({ from: 'consented', to: 'accepted', actorRole: 'lead', actorAccountId: adminA.account.id });
      expect(await sql(`select person_id, programme_id, talent_pool_id, nomination_id from talent_membership where person_id = ?`, [nominee.person.id])).toEqual([
        { person_id: nominee.person.id, programme_id: programmeA.id, talent_pool_id: null, nomination_id: nomination.id },
      ]);
      const accepts = (await outbox(nomination.id)).filter((r) => r.kind === 'nomination_accepted');
      expect(accepts.map((r) => lower(r.recipient_email)).sort()).toEqual([lower(nominee.email), lower(leadA.email)].sort());
      expect(await auditRows(api, { objectId: nomination.id, action: 'nomination.accept' })).toEqual([expect.objectContaining({ actor_account_id: adminA.account.id })]);

      // Decided once: a second accept or a reject is a conflict, and the person stays a single member.
      expectProblem(await post(`/nominations/${nomination.id}/accept`, leadA), 409);
      expectProblem(await post(`/nominations/${nomination.id}/reject`, leadA, { reason: 'Changed our mind' }), 409);
      // An accepted nomination is still active, so the same target cannot be nominated again.
      expectProblem(await post('/nominations', leadA, nominationBody({ personId: nominee.person.id }, { programmeId: programmeA.id })), 409);
      expect(await count('talent_membership', 'person_id = ?', [nominee.person.id])).toBe(1);
    });

    it('accepts a consented pool nomination as pool membership', async () => {
      const { nomination, nominee } = await consentedNomination({ talentPoolId: poolA.id });
      await post(`/nominations/${nomination.id}/accept`, leadA).expect(200);
      expect(await sql(`select programme_id, talent_pool_id, nomination_id from talent_membership where person_id = ?`, [nominee.person.id])).toEqual([
        { programme_id: null, talent_pool_id: poolA.id, nomination_id: nomination.id },
      ]);
      expect((await get(`/nominations/${nomination.id}`, leadA).expect(200)).body.status).toBe('accepted');
    });

    it('rejects a consented nomination with a reason, telling nominee and nominator', async () => {
      const { nomination, nominee } = await consentedNomination({ talentPoolId: poolA.id });
      expectProblem(await post(`/nominations/${nomination.id}/reject`, leadA, {}), 400, ['reason']);
      expectProblem(await post(`/nominations/${nomination.id}/reject`, leadA, { reason: '   ' }), 400, ['reason']);
      expect(await statusOf(nomination.id)).toBe('consented');

      const reason = 'The pool is for band 8a and above this year.';
      const rejected = await post(`/nominations/${nomination.id}/reject`, leadA, { reason }).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: reason });
      const history = (await get(`/nominations/${nomination.id}`, leadA).expect(200)).body.history as HistoryEntry[];
      expect(history.at(-1)).toMatchObject({ from: 'consented', to: 'rejected', actorRole: 'lead', actorAccountId: leadA.account.id, reason });
      const rejections = (await outbox(nomination.id)).filter((r) => r.kind === 'nomination_rejected');
      expect(rejections.map((r) => [lower(r.recipient_email), r.data.reason]).sort()).toEqual([[lower(nominee.email), reason], [lower(leadA.email), reason]].sort());
      expect(await count('talent_membership', 'person_id = ?', [nominee.person.id])).toBe(0);
      expect(await auditRows(api, { objectId: nomination.id, action: 'nomination.reject' })).toHaveLength(1);
      // A rejected nomination no longer blocks a new one.
      await nominate(leadA, nominee.person, { talentPoolId: poolA.id });
    });

    it('decides consented nominations only, and only by leads and admins of the target’s system', async () => {
      const nominee = await staffMember();
      const awaiting = await nominate(leadA, nominee.person, { talentPoolId: poolA.id });
      expectProblem(await post(`/nominations/${awaiting.id}/accept`, leadA), 409);
      expectProblem(await post(`/nominations/${awaiting.id}/reject`, leadA, { reason: 'No' }), 409);
      expect(await statusOf(awaiting.id)).toBe('awaiting_consent');

      const { nomination } = await consentedNomination({ programmeId: programmeA.id }, nominee);
      expectProblem(await post(`/nominations/${nomination.id}/accept`, leadB), 404);
      expectProblem(await post(`/nominations/${nomination.id}/accept`, coachA), 403);
      expectProblem(await post(`/nominations/${nomination.id}/accept`, nominee), 403);
      expectProblem(await post(`/nominations/${nomination.id}/reject`, leadB, { reason: 'Not mine to decide' }), 404);
      expect(await statusOf(nomination.id)).toBe('consented');
      expect(await count('talent_membership', 'person_id = ?', [nominee.person.id])).toBe(0);
      // A lead of another system who is also a lead of this one may decide.
      await post(`/nominations/${nomination.id}/accept`, leadAB).expect(200);
    });

    it('enrols the nominee when a cohort nomination is accepted and there is a seat', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 2 });
      const { nomination, nominee } = await consentedNomination({ cohortId: target.id });
      const accepted = await post(`/nominations/${nomination.id}/accept`, leadA).expect(200);
      expect(accepted.body).toMatchObject({ status: 'enrolled', cohortId: target.id, enrolmentId: expect.any(String) });
      expect(await sql(`select person_id, status, source from enrolment where id = ?`, [accepted.body.enrolmentId])).toEqual([{ person_id: nominee.person.id, status: 'enrolled', source: 'nomination' }]);
      expect(await count('talent_membership', 'person_id = ?', [nominee.person.id])).toBe(0);
      expect((await outbox(nomination.id)).filter((r) => r.kind === 'nomination_accepted').map((r) => r.data.outcome)).toEqual(['enrolled', 'enrolled']);
    });

    it('invites a nominee accepted into a cohort to each of its sessions still to come', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 2 });
      const session = (await post(`/cohorts/${target.id}/sessions`, leadA, { title: 'Opening workshop', kind: 'workshop', startsAt: '2027-07-01T09:30', endsAt: '2027-07-01T12:30', location: 'Preston' }).expect(201)).body as { id: string };
      const { nomination, nominee } = await consentedNomination({ cohortId: target.id });
      expect(await count('notification', `kind = 'session_scheduled' and subject_id = ?`, [session.id])).toBe(0);

      await post(`/nominations/${nomination.id}/accept`, leadA).expect(200);

      const invitations = await sql<OutboxRow>(`select kind, recipient_email, recipient_person_id, data from notification where kind = 'session_scheduled' and subject_id = ?`, [session.id]);
      expect(invitations).toEqual([expect.objectContaining({ recipient_person_id: nominee.person.id, data: expect.objectContaining({ session: expect.objectContaining({ id: session.id, sequence: 0, title: 'Opening workshop' }) }) })]);
    });

    it('refuses to accept into a full cohort without a waitlist (409) and leaves the nomination consented', async () => {
      const full = await cohort(forkEm(api), programmeA, { capacity: 1, waitlistEnabled: false });
      const seatHolder = await staffMember();
      await post(`/cohorts/${full.id}/enrolments`, seatHolder, {}).expect(201);
      const { nomination, nominee } = await consentedNomination({ cohortId: full.id });

      expectProblem(await post(`/nominations/${nomination.id}/accept`, leadA), 409);
      const after = (await get(`/nominations/${nomination.id}`, leadA).expect(200)).body as NominationBody;
      expect(after).toMatchObject({ status: 'consented', enrolmentId: null });
      expect(after.history!.map((e) => e.to)).toEqual(['submitted', 'awaiting_consent', 'consented']);
      expect(await count('enrolment', 'person_id = ?', [nominee.person.id])).toBe(0);
      expect(await sql(`select seats_taken, waitlist_tickets from cohort where id = ?`, [full.id])).toEqual([{ seats_taken: 1, waitlist_tickets: 0 }]);
      expect((await outbox(nomination.id)).filter((r) => r.kind === 'nomination_accepted')).toEqual([]);
      // It can still be rejected instead.
      await post(`/nominations/${nomination.id}/reject`, leadA, { reason: 'The cohort filled up' }).expect(200);
    });

    it('refuses to accept into a cohort the nominee is not eligible for (403) and leaves the nomination consented', async () => {
      const forDoctors = await programme(forkEm(api), systemA, { eligibleStaffGroups: ['medical_dental'] });
      const target = await cohort(forkEm(api), forDoctors, { capacity: 5 });
      const { nomination, nominee } = await consentedNomination({ cohortId: target.id });

      expectProblem(await post(`/nominations/${nomination.id}/accept`, leadA), 403);
      expect(await statusOf(nomination.id)).toBe('consented');
      expect(await count('enrolment', 'person_id = ?', [nominee.person.id])).toBe(0);
      expect(await sql(`select seats_taken from cohort where id = ?`, [target.id])).toEqual([{ seats_taken: 0 }]);
      expect((await outbox(nomination.id)).map((r) => r.kind).filter((k) => k === 'nomination_accepted')).toEqual([]);

      // Once eligible, the same nomination can be accepted.
      await sql(`update person set staff_group = 'medical_dental' where id = ?`, [nominee.person.id]);
      expect((await post(`/nominations/${nomination.id}/accept`, leadA).expect(200)).body.status).toBe('enrolled');
    });
  });

  describe('privacy and scope', () => {
    it('shows the nominee their talent-grid placement only when the lead chose to share it', async () => {
      const nominee = await staffMember();
      const hidden = await nominate(leadA, nominee.person, { programmeId: programmeA.id }, { performance: 1, potential: 3 });
      const shared = await nominate(leadA, nominee.person, { talentPoolId: poolA.id }, { performance: 3, potential: 1, shareGridWithNominee: true });

      const ownHidden = (await get(`/nominations/${hidden.id}`, nominee).expect(200)).body;
      expect(ownHidden).toMatchObject({ id: hidden.id, status: 'awaiting_consent' });
      expect(ownHidden).not.toHaveProperty('talentGrid');
      expect((await get(`/nominations/${shared.id}`, nominee).expect(200)).body.talentGrid).toEqual({ performance: 3, potential: 1 });

      const mine = (await get('/me/nominations', nominee).expect(200)).body.items as NominationBody[];
      expect(mine.map((n) => n.id).sort()).toEqual([hidden.id, shared.id].sort());
      expect(mine.find((n) => n.id === hidden.id)).not.toHaveProperty('talentGrid');
      expect(mine.find((n) => n.id === shared.id)!.talentGrid).toEqual({ performance: 3, potential: 1 });

      // Answering (signed in or by link) does not reveal it either.
      const answered = await post(`/nominations/${hidden.id}/consent`, nominee, { decision: 'consent' }).expect(200);
      expect(answered.body).not.toHaveProperty('talentGrid');
      const byLink = await consentByToken(await consentTokenOf(shared.id), 'consent').expect(200);
      expect(byLink.body.nomination.talentGrid).toEqual({ performance: 3, potential: 1 });
      const withdrawn = await post(`/nominations/${hidden.id}/withdraw`, nominee).expect(200);
      expect(withdrawn.body).not.toHaveProperty('talentGrid');

      // Staff of the system always see it.
      expect((await get(`/nominations/${hidden.id}`, leadA).expect(200)).body.talentGrid).toEqual({ performance: 1, potential: 3 });
    });

    it('hides a nomination from everyone but the nominee and staff who manage the target’s system (404)', async () => {
      const nominee = await staffMember();
      const nomination = await nominate(leadA, nominee.person, { programmeId: programmeA.id });
      expectProblem(await get(`/nominations/${nomination.id}`, bystander), 404);
      expectProblem(await get(`/nominations/${nomination.id}`, leadB), 404);
      expectProblem(await get(`/nominations/${nomination.id}`, coachA), 404);
      expect((await get('/me/nominations', bystander).expect(200)).body.items.map((n: { id: string }) => n.id)).not.toContain(nomination.id);
      expect((await get(`/nominations/${nomination.id}`, adminA).expect(200)).body.id).toBe(nomination.id);
      expect((await get(`/nominations/${nomination.id}`, nationalAdmin).expect(200)).body.id).toBe(nomination.id);
    });

    it('lists nominations of the caller’s systems only, and audits each bulk read of ratings', async () => {
      const inA = await nominate(leadA, (await staffMember()).person, { talentPoolId: poolA.id });
      const inB = await nominate(leadB, (await staffMember(orgB)).person, { talentPoolId: poolB.id });

      const asLeadA = await get('/nominations?limit=100', leadA).expect(200);
      const seenByA = asLeadA.body.items as NominationBody[];
      expect(seenByA.map((n) => n.id)).toContain(inA.id);
      expect(seenByA.map((n) => n.id)).not.toContain(inB.id);
      expect(seenByA.every((n) => n.targetSystemId === systemA.id)).toBe(true);
      expect(seenByA.find((n) => n.id === inA.id)!.talentGrid).toEqual({ performance: 2, potential: 3 });

      const [audit] = await auditRows(api, { requestId: asLeadA.headers['x-request-id'] as string });
      expect(audit).toMatchObject({ actor_account_id: leadA.account.id, action: 'nomination.read_ratings', object_type: 'nomination' });
      expect((audit!.details as { nominationIds: string[] }).nominationIds.sort()).toEqual(seenByA.map((n) => n.id).sort());

      const seenByB = (await get('/nominations?limit=100', leadB).expect(200)).body.items as NominationBody[];
      expect(seenByB.map((n) => n.id)).toContain(inB.id);
      expect(seenByB.map((n) => n.id)).not.toContain(inA.id);
      expect(seenByB.every((n) => n.targetSystemId === systemB.id)).toBe(true);
      const seenByNational = (await get('/nominations?limit=100', nationalAdmin).expect(200)).body.items as NominationBody[];
      expect(seenByNational.map((n) => n.id)).toEqual(expect.arrayContaining([inA.id, inB.id]));

      const filtered = (await get(`/nominations?limit=100&status=awaiting_consent&systemId=${systemA.id}`, adminA).expect(200)).body.items as NominationBody[];
      expect(filtered.map((n) => n.id)).toContain(inA.id);
      expect(filtered.every((n) => n.status === 'awaiting_consent' && n.targetSystemId === systemA.id)).toBe(true);
      // By programme: nominations into the programme itself or into one of its cohorts.
      const cohortOfA = await cohort(forkEm(api), programmeA);
      const intoProgramme = await nominate(leadA, (await staffMember()).person, { programmeId: programmeA.id });
      const intoCohort = await nominate(leadA, (await staffMember()).person, { cohortId: cohortOfA.id });
      const otherProgramme = await programme(forkEm(api), systemA);
      const intoOtherCohort = await nominate(leadA, (await staffMember()).person, { cohortId: (await cohort(forkEm(api), otherProgramme)).id });
      const byProgramme = ((await get(`/nominations?limit=100&programmeId=${programmeA.id}`, leadA).expect(200)).body.items as NominationBody[]).map((n) => n.id);
      expect(byProgramme).toEqual(expect.arrayContaining([intoProgramme.id, intoCohort.id]));
      expect(byProgramme).not.toContain(intoOtherCohort.id);
      expect(byProgramme).not.toContain(inA.id);
      const outside = await sql<{ id: string }>(
        `select n.id from nomination n left join cohort c on c.id = n.cohort_id
          where n.id in (${byProgramme.map(() => '?').join(', ')}) and coalesce(n.programme_id, c.programme_id) is distinct from ?`,
        [...byProgramme, programmeA.id],
      );
      expect(outside).toEqual([]);

      expectProblem(await get(`/nominations?systemId=${systemB.id}`, leadA), 404);
      expectProblem(await get('/nominations', bystander), 403);
      expectProblem(await get('/nominations', coachA), 403);

      // Nothing read, nothing audited.
      const empty = await get(`/nominations?systemId=${systemB.id}&status=enrolled`, leadB).expect(200);
      expect(empty.body.items).toEqual([]);
      await expectNotAudited(api, empty);
    });

    it('records appointments for people in the lead’s systems only, and shows the pipeline to the person and their system’s staff', async () => {
      const person = await staffMember();
      const appoint = (as: Caller, body: object) => post(`/people/${person.person.id}/appointments`, as, body);
      expectProblem(await appoint(leadA, { post: 'Director of Nursing', organisationId: orgA.id, appointedOn: '01/09/2027' }), 400, ['appointedOn']);
      expectProblem(await appoint(leadA, { post: 'Director of Nursing', organisationId: '00000000-0000-4000-8000-000000000000', appointedOn: '2027-09-01' }), 400, ['organisationId']);
      expectProblem(await appoint(leadB, { post: 'Director of Nursing', organisationId: orgA.id, appointedOn: '2027-09-01' }), 404);
      expectProblem(await appoint(bystander, { post: 'Director of Nursing', organisationId: orgA.id, appointedOn: '2027-09-01' }), 403);
      expect(await count('appointment', 'person_id = ?', [person.person.id])).toBe(0);

      const created = await appoint(leadA, { post: 'Director of Nursing', organisationId: orgA.id, appointedOn: '2027-09-01' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ personId: person.person.id, post: 'Director of Nursing', organisationId: orgA.id, appointedOn: '2027-09-01' });

      const expected = { stage: 'appointed', history: [{ stage: 'appointed', at: '2027-09-01T00:00:00.000Z', reason: expect.any(String) }] };
      expect((await get(`/people/${person.person.id}/pipeline`, person).expect(200)).body).toEqual(expected);
      expect((await get(`/people/${person.person.id}/pipeline`, coachA).expect(200)).body).toEqual(expected);
      expectProblem(await get(`/people/${person.person.id}/pipeline`, bystander), 404);
      expectProblem(await get(`/people/${person.person.id}/pipeline`, leadB), 404);
      expect((await get(`/people/${bystander.person.id}/pipeline`, bystander).expect(200)).body).toEqual({ stage: null, history: [] });
    });
  });
});
