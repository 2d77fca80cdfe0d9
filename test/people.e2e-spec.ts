import type { Response } from 'supertest';
import { Organisation, System } from '@slp/directory';
import { Person } from '@slp/identity';
import { account, AccountFixture, cohort, forkEm, organisation, programme, signIn, system } from './support/factories';
import { auditRows, expectNotAudited, expectProblem } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

interface PersonBody {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  organisationId: string | null;
  systemId: string | null;
  staffGroup: string | null;
  profession: string | null;
  jobTitle: string | null;
  grade: string | null;
  lineManagerEmail: string | null;
  pendingEmployment: { organisationId: string | null; systemId: string | null; staffGroup: string | null; grade: string | null; proposedAt: string } | null;
}

type Caller = 'nationalAdmin' | 'adminA' | 'adminB' | 'leadA' | 'coachA' | 'pA' | 'pB' | 'mover';

describe('people (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let orgA1: Organisation;
  let orgA2: Organisation;
  let orgB: Organisation;
  const people = {} as Record<Caller | 'pA2' | 'pNone', AccountFixture>;
  const token = {} as Record<Caller, string>;

  const auth = (as: Caller) => ({ Authorization: `Bearer ${token[as]}` });
  const get = (path: string, as: Caller) => api.http().get(`/api/v1${path}`).set(auth(as));
  const patch = (personId: string, as: Caller, body: object) => api.http().patch(`/api/v1/people/${personId}`).set(auth(as)).send(body);
  const listIds = (response: Response) => (response.body as { items: PersonBody[] }).items.map((p) => p.id);

  /** The person as stored, in the API's shape. */
  async function stored(personId: string): Promise<PersonBody> {
    const person = await forkEm(api).findOneOrFail(Person, { id: personId }, { populate: ['organisation', 'pendingOrganisation'] });
    return {
      id: person.id,
      email: person.email,
      givenName: person.givenName,
      familyName: person.familyName,
      organisationId: person.organisation?.id ?? null,
      systemId: person.organisation?.system.id ?? null,
      staffGroup: person.staffGroup ?? null,
      profession: person.profession ?? null,
      jobTitle: person.jobTitle ?? null,
      grade: person.grade ?? null,
      lineManagerEmail: person.lineManagerEmail ?? null,
      pendingEmployment: person.employmentProposedAt
        ? {
            organisationId: person.pendingOrganisation?.id ?? null,
            systemId: person.pendingOrganisation?.system.id ?? null,
            staffGroup: person.pendingStaffGroup ?? null,
            grade: person.pendingGrade ?? null,
            proposedAt: person.employmentProposedAt.toISOString(),
          }
        : null,
    };
  }
  const post = (path: string, as: Caller) => api.http().post(`/api/v1${path}`).set(auth(as)).send({});

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    systemA = await system(em);
    systemB = await system(em);
    orgA1 = await organisation(em, systemA);
    orgA2 = await organisation(em, systemA, 'community_trust');
    orgB = await organisation(em, systemB);
    people.nationalAdmin = await account(em, { roles: ['admin'] });
    people.adminA = await account(em, { roles: ['admin'], systems: [systemA], organisation: orgA1 });
    people.adminB = await account(em, { roles: ['admin'], systems: [systemB], organisation: orgB });
    people.leadA = await account(em, { roles: ['programme_lead'], systems: [systemA], organisation: orgA1 });
    people.coachA = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA2 });
    people.pA = await account(em, { organisation: orgA1, email: `Amara.Okafor.${Date.now()}@nhs.example` });
    people.pA2 = await account(em, { organisation: orgA2 });
    people.pB = await account(em, { organisation: orgB });
    people.pNone = await account(em, { organisation: null });
    people.mover = await account(em, { organisation: orgA1 });
    Object.assign(people.pA.person, { staffGroup: 'nursing_midwifery_registered', profession: 'Adult nursing', jobTitle: 'Ward Manager', grade: 'band_7', lineManagerEmail: 'matron@nhs.example' });
    await em.flush();
    const callers: Caller[] = ['nationalAdmin', 'adminA', 'adminB', 'leadA', 'coachA', 'pA', 'pB', 'mover'];
    await Promise.all(callers.map(async (caller) => (token[caller] = await signIn(api, people[caller]))));
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('GET /people', () => {
    it("lists only the people in a programme lead's own system", async () => {
      const response = await get('/people?limit=200', 'leadA').expect(200);
      const ids = listIds(response);
      expect(ids).toEqual(expect.arrayContaining([people.pA.person.id, people.pA2.person.id, people.leadA.person.id, people.adminA.person.id, people.coachA.person.id, people.mover.person.id]));
      expect(ids).not.toContain(people.pB.person.id);
      expect(ids).not.toContain(people.pNone.person.id);
      expect(ids).not.toContain(people.nationalAdmin.person.id);
      expect((response.body as { items: PersonBody[] }).items.every((p) => p.systemId === systemA.id)).toBe(true);
      expect(response.body.nextCursor).toBeNull();
    });

    it('lists everyone to a national admin, including people with no organisation', async () => {
      const ids = listIds(await get('/people?limit=200', 'nationalAdmin').expect(200));
      expect(ids).toEqual(expect.arrayContaining([people.pA.person.id, people.pB.person.id, people.pNone.person.id]));
    });

    it("lists only their own system's people to a system admin", async () => {
      const ids = listIds(await get('/people?limit=200', 'adminB').expect(200));
      expect(ids).toContain(people.pB.person.id);
      expect(ids).not.toContain(people.pA.person.id);
    });

    it('finds a person by email, ignoring case', async () => {
      const response = await get(`/people?email=${encodeURIComponent(people.pA.email.toUpperCase())}`, 'leadA').expect(200);
      expect(response.body).toEqual({ items: [expect.objectContaining({ id: people.pA.person.id, email: people.pA.email })], nextCursor: null });
    });

    it("finds nobody by the email of someone outside the lead's systems", async () => {
      const response = await get(`/people?email=${encodeURIComponent(people.pB.email)}`, 'leadA').expect(200);
      expect(response.body).toEqual({ items: [], nextCursor: null });
    });

    it("filters by the lead's own system, and hides another system (404)", async () => {
      const own = await get(`/people?systemId=${systemA.id}&limit=200`, 'leadA').expect(200);
      expect(listIds(own)).toContain(people.pA.person.id);
      expectProblem(await get(`/people?systemId=${systemB.id}`, 'leadA'), 404);
      const asNational = await get(`/people?systemId=${systemB.id}&limit=200`, 'nationalAdmin').expect(200);
      expect(listIds(asNational)).toContain(people.pB.person.id);
      expect(listIds(asNational)).not.toContain(people.pA.person.id);
    });

    it('forbids participants and coaches from listing people (403)', async () => {
      expectProblem(await get('/people', 'pA'), 403);
      expectProblem(await get('/people', 'coachA'), 403);
      expectProblem(await api.http().get('/api/v1/people'), 401);
    });

    it('rejects a malformed email or systemId filter (400)', async () => {
      expectProblem(await get('/people?email=not-an-email', 'leadA'), 400, ['email']);
      expectProblem(await get('/people?systemId=42', 'leadA'), 400, ['systemId']);
    });

    it('pages through people by keyset without repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response: Response = await api.http().get('/api/v1/people').query({ systemId: systemA.id, limit: 2, ...(cursor ? { cursor } : {}) }).set(auth('leadA')).expect(200);
        seen.push(...listIds(response));
        cursor = response.body.nextCursor;
      } while (cursor && seen.length < 50);
      // adminA, leadA, coachA, pA, pA2 and mover work in system A.
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual(listIds(await get(`/people?systemId=${systemA.id}&limit=200`, 'leadA')).sort());
    });
  });

  describe('GET /people/:id', () => {
    it('shows a person their own full record', async () => {
      const response = await get(`/people/${people.pA.person.id}`, 'pA').expect(200);
      expect(response.body).toEqual({
        id: people.pA.person.id,
        email: people.pA.email,
        givenName: 'Test',
        familyName: people.pA.person.familyName,
        organisationId: orgA1.id,
        systemId: systemA.id,
        staffGroup: 'nursing_midwifery_registered',
        profession: 'Adult nursing',
        jobTitle: 'Ward Manager',
        grade: 'band_7',
        lineManagerEmail: 'matron@nhs.example',
        pendingEmployment: null,
      });
    });

    it('shows a programme lead someone in their system', async () => {
      const response = await get(`/people/${people.pA2.person.id}`, 'leadA').expect(200);
      expect(response.body).toMatchObject({ id: people.pA2.person.id, organisationId: orgA2.id, systemId: systemA.id });
    });

    it("hides someone outside the lead's systems (404), as if they did not exist", async () => {
      expectProblem(await get(`/people/${people.pB.person.id}`, 'leadA'), 404);
      expectProblem(await get(`/people/${people.pNone.person.id}`, 'leadA'), 404);
      expectProblem(await get('/people/00000000-0000-4000-8000-000000000000', 'leadA'), 404);
    });

    it('hides everyone else from a participant (404), even in their own organisation', async () => {
      expectProblem(await get(`/people/${people.mover.person.id}`, 'pA'), 404);
      expectProblem(await get(`/people/${people.leadA.person.id}`, 'pA'), 404);
      expectProblem(await get(`/people/${people.pB.person.id}`, 'pA'), 404);
    });

    it('rejects a malformed person id (400)', async () => {
      expectProblem(await get('/people/someone', 'nationalAdmin'), 400);
    });
  });

  describe('employment facts (organisation, staff group, grade)', () => {
    /** A fresh participant of system A with a known grade, signed in. */
    async function participantOfA(): Promise<{ fixture: AccountFixture; token: string }> {
      const em = forkEm(api);
      const fixture = await account(em, { organisation: orgA1 });
      Object.assign(fixture.person, { staffGroup: 'administrative_clerical', grade: 'band_5' });
      await em.flush();
      return { fixture, token: await signIn(api, fixture) };
    }
    const as = (bearer: string) => ({ Authorization: `Bearer ${bearer}` });

    it('does not let a participant claim band 9 in another system to enrol there or be seen by its lead', async () => {
      const { fixture, token: bearer } = await participantOfA();
      const em = forkEm(api);
      const leadB = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
      const leadBToken = await signIn(api, leadB);
      const seniorsOfB = await cohort(em, await programme(em, systemB, { minGrade: 'band_9' }));

      const response = await api.http().patch(`/api/v1/people/${fixture.person.id}`).set(as(bearer)).send({ grade: 'band_9', organisationId: orgB.id }).expect(200);

      expect(response.body).toMatchObject({ organisationId: orgA1.id, systemId: systemA.id, grade: 'band_5', pendingEmployment: { organisationId: orgB.id, grade: 'band_9' } });
      expect(await stored(fixture.person.id)).toMatchObject({ organisationId: orgA1.id, grade: 'band_5' });
      expect((await api.http().get('/api/v1/me').set(as(bearer)).expect(200)).body.person).toMatchObject({ grade: 'band_5', pendingEmployment: { organisationId: orgB.id, systemId: systemB.id, grade: 'band_9' } });
      expectProblem(await api.http().post(`/api/v1/cohorts/${seniorsOfB.id}/enrolments`).set(as(bearer)).send({}), 404);
      expect(await forkEm(api).getConnection().execute('select id from enrolment where person_id = ?', [fixture.person.id])).toEqual([]);
      expectProblem(await api.http().get(`/api/v1/people/${fixture.person.id}`).set(as(leadBToken)), 404);
      expectProblem(await api.http().get(`/api/v1/people/${fixture.person.id}/pipeline`).set(as(leadBToken)), 404);
    });

    it('decides eligibility by the confirmed grade: a proposed band 9 enrols only once confirmed', async () => {
      const { fixture, token: bearer } = await participantOfA();
      const em = forkEm(api);
      const band9 = await cohort(em, await programme(em, systemA, { minGrade: 'band_9' }));
      await api.http().patch(`/api/v1/people/${fixture.person.id}`).set(as(bearer)).send({ grade: 'band_9' }).expect(200);

      const refused = await api.http().post(`/api/v1/cohorts/${band9.id}/enrolments`).set(as(bearer)).send({});
      expectProblem(refused, 403);
      expect((refused.body as { detail: string }).detail).toBe('This programme starts at grade band_9; yours is band_5.');

      await post(`/people/${fixture.person.id}/employment/confirm`, 'adminA').expect(200);
      const enrolled = await api.http().post(`/api/v1/cohorts/${band9.id}/enrolments`).set(as(bearer)).send({}).expect(201);
      expect(enrolled.body).toMatchObject({ status: 'enrolled' });
    });

    it('lets only a lead or admin of the target system decide, never the person themself', async () => {
      const { fixture, token: bearer } = await participantOfA();
      const id = fixture.person.id;
      await api.http().patch(`/api/v1/people/${id}`).set(as(bearer)).send({ organisationId: orgB.id, grade: 'band_6' }).expect(200);
      const before = await stored(id);

      // Lead of A sees the person but the proposal is system B's to decide.
      const byLeadA = await post(`/people/${id}/employment/confirm`, 'leadA');
      expectProblem(byLeadA, 403);
      await expectNotAudited(api, byLeadA);
      expectProblem(await post(`/people/${id}/employment/reject`, 'adminA'), 403);
      // Participants cannot decide, their own proposal included.
      expectProblem(await api.http().post(`/api/v1/people/${id}/employment/confirm`).set(as(bearer)).send({}), 403);
      expectProblem(await post(`/people/${id}/employment/confirm`, 'pB'), 403);
      expect(await stored(id)).toEqual(before);
      expect(listIds(await get('/people?employmentPending=true&limit=200', 'leadA').expect(200))).not.toContain(id);
      expect(listIds(await get('/people?employmentPending=true&limit=200', 'nationalAdmin').expect(200))).toContain(id);
      const pendingForB = (await get('/people?employmentPending=true&limit=200', 'adminB').expect(200)).body as { items: PersonBody[] };
      expect(pendingForB.items.every((p) => p.pendingEmployment !== null)).toBe(true);
      expect(pendingForB.items.find((p) => p.id === id)).toMatchObject({ systemId: systemA.id, pendingEmployment: { organisationId: orgB.id, grade: 'band_6' } });
    });

    it('lets the target system reject a proposal: nothing changes but the proposal goes, audited', async () => {
      const { fixture, token: bearer } = await participantOfA();
      const id = fixture.person.id;
      await api.http().patch(`/api/v1/people/${id}`).set(as(bearer)).send({ staffGroup: 'medical_dental' }).expect(200);

      const rejected = await post(`/people/${id}/employment/reject`, 'leadA').expect(200);

      expect(rejected.body).toMatchObject({ staffGroup: 'administrative_clerical', grade: 'band_5', pendingEmployment: null });
      expect(await stored(id)).toMatchObject({ staffGroup: 'administrative_clerical', pendingEmployment: null });
      expect(await auditRows(api, { requestId: rejected.headers['x-request-id'] as string })).toEqual([expect.objectContaining({ actor_account_id: people.leadA.account.id, action: 'person.employment.reject', object_id: id })]);
      expectProblem(await post(`/people/${id}/employment/confirm`, 'leadA'), 409);
    });

    it('answers a decision on someone out of scope exactly as an unknown id (404)', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectProblem(await post(`/people/${people.pB.person.id}/employment/confirm`, 'leadA'), 404);
      expectProblem(await post(`/people/${unknown}/employment/confirm`, 'leadA'), 404);
      expectProblem(await get('/people?employmentPending=maybe', 'leadA'), 400, ['employmentPending']);
    });

    it('keeps a proposal that matches the confirmed facts from being pending', async () => {
      const { fixture, token: bearer } = await participantOfA();
      await api.http().patch(`/api/v1/people/${fixture.person.id}`).set(as(bearer)).send({ grade: 'band_6' }).expect(200);
      const back = await api.http().patch(`/api/v1/people/${fixture.person.id}`).set(as(bearer)).send({ grade: 'band_5' }).expect(200);
      expect(back.body).toMatchObject({ grade: 'band_5', pendingEmployment: null });
    });

    it('lets an admin of the person’s system set employment directly, replacing any proposal', async () => {
      const { fixture, token: bearer } = await participantOfA();
      await api.http().patch(`/api/v1/people/${fixture.person.id}`).set(as(bearer)).send({ grade: 'band_9' }).expect(200);
      const response = await patch(fixture.person.id, 'adminA', { grade: 'band_6', organisationId: orgA2.id }).expect(200);
      expect(response.body).toMatchObject({ grade: 'band_6', organisationId: orgA2.id, pendingEmployment: null });
    });
  });

  describe('PATCH /people/:id', () => {
    it('lets a person edit their own record, clearing jobTitle with null, proposing (not setting) a grade, and audits the field names only', async () => {
      const before = await stored(people.pA.person.id);
      const response = await patch(people.pA.person.id, 'pA', { givenName: '  Amara ', jobTitle: null, profession: 'Community nursing', grade: 'band_8a', lineManagerEmail: 'new.manager@nhs.example' }).expect(200);
      const expected = {
        ...before,
        givenName: 'Amara',
        jobTitle: null,
        profession: 'Community nursing',
        lineManagerEmail: 'new.manager@nhs.example',
        // The grade is an employment fact: it waits for a lead or admin of system A.
        grade: 'band_7',
        pendingEmployment: { organisationId: orgA1.id, systemId: systemA.id, staffGroup: 'nursing_midwifery_registered', grade: 'band_8a', proposedAt: expect.any(String) },
      };
      expect(response.body).toEqual(expected);
      expect(await stored(people.pA.person.id)).toEqual(expected);

      const rows = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
      expect(rows).toEqual([
        { actor_account_id: people.pA.account.id, action: 'person.update', object_type: 'person', object_id: people.pA.person.id, request_id: response.headers['x-request-id'], details: { fields: expect.any(Array) } },
        { actor_account_id: people.pA.account.id, action: 'person.employment.propose', object_type: 'person', object_id: people.pA.person.id, request_id: response.headers['x-request-id'], details: { fields: ['grade'], pending: true } },
      ]);
      expect((rows[0]!.details!.fields as string[]).sort()).toEqual(['givenName', 'jobTitle', 'lineManagerEmail', 'profession']);
      const details = JSON.stringify(rows.map((row) => row.details));
      for (const value of ['Amara', 'Community nursing', 'band_8a', 'new.manager@nhs.example', 'Ward Manager', people.pA.email]) expect(details).not.toContain(value);

      // Their system's lead confirms it; now it is their grade.
      const confirmed = await post(`/people/${people.pA.person.id}/employment/confirm`, 'leadA').expect(200);
      expect(confirmed.body).toMatchObject({ grade: 'band_8a', pendingEmployment: null });
      expect(await stored(people.pA.person.id)).toMatchObject({ grade: 'band_8a', pendingEmployment: null });
    });

    it('lets a person propose that they work at an organisation in another system, which takes effect once that system confirms it', async () => {
      await get(`/people/${people.mover.person.id}`, 'leadA').expect(200);
      const response = await patch(people.mover.person.id, 'mover', { organisationId: orgB.id }).expect(200);
      expect(response.body).toMatchObject({ organisationId: orgA1.id, systemId: systemA.id, pendingEmployment: { organisationId: orgB.id, systemId: systemB.id } });
      expect(await stored(people.mover.person.id)).toMatchObject({ organisationId: orgA1.id, systemId: systemA.id, pendingEmployment: { organisationId: orgB.id } });
      // Until confirmed they are still system A's; B's admin sees only the proposal to decide.
      await get(`/people/${people.mover.person.id}`, 'leadA').expect(200);
      expectProblem(await get(`/people/${people.mover.person.id}`, 'adminB'), 404);
      expect(listIds(await get('/people?employmentPending=true&limit=200', 'adminB').expect(200))).toContain(people.mover.person.id);

      const confirmed = await post(`/people/${people.mover.person.id}/employment/confirm`, 'adminB').expect(200);
      expect(confirmed.body).toMatchObject({ organisationId: orgB.id, systemId: systemB.id, pendingEmployment: null });
      expect(await auditRows(api, { requestId: confirmed.headers['x-request-id'] as string })).toEqual([expect.objectContaining({ actor_account_id: people.adminB.account.id, action: 'person.employment.confirm', object_id: people.mover.person.id })]);
      // They have left system A, so its lead no longer sees them; B's admin now does.
      expectProblem(await get(`/people/${people.mover.person.id}`, 'leadA'), 404);
      await get(`/people/${people.mover.person.id}`, 'adminB').expect(200);
    });

    it('lets a person propose clearing their organisation with null, decided by their current system', async () => {
      const response = await patch(people.mover.person.id, 'mover', { organisationId: null }).expect(200);
      expect(response.body).toMatchObject({ organisationId: orgB.id, pendingEmployment: { organisationId: null, systemId: null } });
      const confirmed = await post(`/people/${people.mover.person.id}/employment/confirm`, 'adminB').expect(200);
      expect(confirmed.body).toMatchObject({ organisationId: null, systemId: null, pendingEmployment: null });
      expect(await stored(people.mover.person.id)).toMatchObject({ organisationId: null, pendingEmployment: null });
    });

    it('forbids a programme lead from editing someone they can see (403) and changes nothing', async () => {
      const before = await stored(people.pA2.person.id);
      const response = await patch(people.pA2.person.id, 'leadA', { jobTitle: 'Changed by lead' });
      expectProblem(response, 403);
      await expectNotAudited(api, response);
      expect(await stored(people.pA2.person.id)).toEqual(before);
    });

    it('lets a system admin edit someone in their system (200), audited as the admin', async () => {
      const response = await patch(people.pA2.person.id, 'adminA', { jobTitle: 'Head of Transformation', staffGroup: 'administrative_clerical', organisationId: orgA1.id }).expect(200);
      expect(response.body).toMatchObject({ id: people.pA2.person.id, jobTitle: 'Head of Transformation', staffGroup: 'administrative_clerical', organisationId: orgA1.id, systemId: systemA.id, pendingEmployment: null });
      expect(await stored(people.pA2.person.id)).toMatchObject({ jobTitle: 'Head of Transformation', staffGroup: 'administrative_clerical', organisationId: orgA1.id });
      const rows = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_account_id: people.adminA.account.id, action: 'person.update', object_type: 'person', object_id: people.pA2.person.id });
      expect((rows[0]!.details!.fields as string[]).sort()).toEqual(['jobTitle', 'organisationId', 'staffGroup']);
      expect(JSON.stringify(rows[0]!.details)).not.toContain('Head of Transformation');
    });

    it('hides the person from a system admin of another system (404) and changes nothing', async () => {
      const before = await stored(people.pA2.person.id);
      const response = await patch(people.pA2.person.id, 'adminB', { jobTitle: 'Changed by B' });
      expectProblem(response, 404);
      await expectNotAudited(api, response);
      expect(await stored(people.pA2.person.id)).toEqual(before);
    });

    it('refuses an admin moving someone to an organisation outside their systems (400 on organisationId)', async () => {
      const before = await stored(people.pA2.person.id);
      const response = await patch(people.pA2.person.id, 'adminA', { organisationId: orgB.id, jobTitle: 'Moved' });
      expectProblem(response, 400, ['organisationId']);
      await expectNotAudited(api, response);
      expect(await stored(people.pA2.person.id)).toEqual(before);
      expectProblem(await patch(people.pA2.person.id, 'adminA', { organisationId: '00000000-0000-4000-8000-000000000000' }), 400, ['organisationId']);
    });

    it('lets a national admin edit anyone, including someone with no organisation', async () => {
      const response = await patch(people.pNone.person.id, 'nationalAdmin', { profession: 'Social work' }).expect(200);
      expect(response.body).toMatchObject({ id: people.pNone.person.id, profession: 'Social work', organisationId: null });
    });

    it("hides someone else's record from a participant trying to edit it (404)", async () => {
      const before = await stored(people.pB.person.id);
      const response = await patch(people.pB.person.id, 'pA', { jobTitle: 'Hijacked' });
      expectProblem(response, 404);
      await expectNotAudited(api, response);
      expect(await stored(people.pB.person.id)).toEqual(before);
    });

    it('rejects unknown fields, including email (400), and changes nothing', async () => {
      const before = await stored(people.pB.person.id);
      const response = await patch(people.pB.person.id, 'pB', { jobTitle: 'Should not stick', email: 'someone.else@nhs.example', isAdmin: true });
      expectProblem(response, 400, ['email', 'isAdmin']);
      await expectNotAudited(api, response);
      expect(await stored(people.pB.person.id)).toEqual(before);
    });

    it('rejects values outside the code lists and malformed emails (400 listing each field)', async () => {
      const before = await stored(people.pB.person.id);
      expectProblem(await patch(people.pB.person.id, 'pB', { grade: 'band_10' }), 400, ['grade']);
      expectProblem(await patch(people.pB.person.id, 'pB', { staffGroup: 'wizards' }), 400, ['staffGroup']);
      expectProblem(await patch(people.pB.person.id, 'pB', { lineManagerEmail: 'my boss' }), 400, ['lineManagerEmail']);
      expectProblem(await patch(people.pB.person.id, 'pB', { organisationId: 'org-1' }), 400, ['organisationId']);
      expectProblem(await patch(people.pB.person.id, 'pB', { givenName: '   ' }), 400, ['givenName']);
      expectProblem(await patch(people.pB.person.id, 'pB', { jobTitle: 'x'.repeat(201) }), 400, ['jobTitle']);
      expect(await stored(people.pB.person.id)).toEqual(before);
    });

    it('rejects null for a name, which cannot be cleared (400, not 500)', async () => {
      const before = await stored(people.pB.person.id);
      const response = await patch(people.pB.person.id, 'pB', { givenName: null });
      expectProblem(response, 400, ['givenName']);
      await expectNotAudited(api, response);
      expectProblem(await patch(people.pB.person.id, 'pB', { familyName: null }), 400, ['familyName']);
      expect(await stored(people.pB.person.id)).toEqual(before);
    });
  });
});
