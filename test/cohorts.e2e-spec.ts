import type { Response } from 'supertest';
import { Organisation, System } from '@slp/directory';
import { Cohort, CohortStatus, Enrolment, Programme } from '@slp/learning';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, people, programme } from './support/factories';
import { auditRows, expectNotAudited, expectProblem } from './support/assertions';
import { requestsAs, staffAccounts, twoSystems } from './support/callers';
import { startTestApi, TestApi } from './support/test-api';

interface ProgrammeBody {
  id: string;
  title: string;
  description: string;
  level: string;
  systemId: string | null;
  eligibility: { staffGroups: string[]; minGrade: string | null; maxGrade: string | null; grades: string[]; summary: string };
  fundingPence: number | null;
}

interface CohortBody {
  id: string;
  programmeId: string;
  systemId: string | null;
  name: string;
  status: CohortStatus;
  capacity: number;
  seatsTaken: number;
  seatsLeft: number;
  waitlistLength: number;
  enrolmentOpensAt: string;
  enrolmentClosesAt: string;
  startsAt: string;
  endsAt: string;
  requiresApproval: boolean;
  waitlistEnabled: boolean;
  offerWindowHours: number;
}

type Caller = 'nationalAdmin' | 'adminA' | 'leadA' | 'leadB' | 'coachA' | 'pA' | 'pB' | 'pNone';

/** The verb of each lifecycle route and the status it moves a cohort to. */
const MOVES = { open: 'open', close: 'closed', start: 'running', complete: 'completed', cancel: 'cancelled' } as const;
type Move = keyof typeof MOVES;

describe('programmes and cohorts (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let programmeA: Programme;
  let programmeB: Programme;
  let national: Programme;
  const fixtures = {} as Record<Caller, AccountFixture>;
  const token = {} as Record<Caller, string>;

  const { get, post, patch } = requestsAs(() => api, token);
  const move = (cohortId: string, verb: Move, as: Caller = 'leadA') => post(`/cohorts/${cohortId}/${verb}`, as);

  /** A valid cohort body: enrolment in January, the cohort from March to July 2027. */
  const cohortBody = (overrides: Record<string, unknown> = {}) => ({
    name: 'Spring 2027',
    capacity: 12,
    enrolmentOpensAt: '2027-01-04T09:00:00.000Z',
    enrolmentClosesAt: '2027-02-01T17:00:00.000Z',
    startsAt: '2027-03-01T09:00:00.000Z',
    endsAt: '2027-07-30T16:00:00.000Z',
    requiresApproval: false,
    waitlistEnabled: true,
    ...overrides,
  });

  const programmeBody = (overrides: Record<string, unknown> = {}) => ({
    title: `Leading Integrated Care ${Math.random().toString(36).slice(2, 8)}`,
    description: 'For leaders working across organisational boundaries.',
    level: 'senior',
    systemId: systemA.id,
    eligibility: { staffGroups: ['nursing_midwifery_registered', 'allied_health_professionals'], minGrade: 'band_7', maxGrade: 'band_8d' },
    fundingPence: 2_500_000,
    ...overrides,
  });

  const storedCohort = (id: string) => forkEm(api).findOne(Cohort, { id });
  const cohortCount = (programmeId: string) => forkEm(api).count(Cohort, { programme: programmeId });
  const programmeCount = (title: string) => forkEm(api).count(Programme, { title });

  /** Every id the caller gets from a list route, following cursors. */
  async function listIds(path: string, as: Caller): Promise<{ ids: string[]; items: CohortBody[] }> {
    const items: CohortBody[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const response: Response = await get(`${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, as).expect(200);
      const body = response.body as { items: CohortBody[]; nextCursor: string | null };
      items.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    return { ids: items.map((i) => i.id), items };
  }

  /** Enrols `count` new people of organisation A through the API, as lead A. */
  async function enrolPeople(cohortId: string, count: number): Promise<Response[]> {
    const members = await people(forkEm(api), count, orgA);
    const responses: Response[] = [];
    for (const member of members) responses.push(await post(`/cohorts/${cohortId}/enrolments`, 'leadA', { personId: member.id }));
    return responses;
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    Object.assign(fixtures, await staffAccounts(em, { systemA, orgA }));
    fixtures.leadB = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
    fixtures.coachA = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA });
    fixtures.pA = await account(em, { organisation: orgA });
    fixtures.pB = await account(em, { organisation: orgB });
    fixtures.pNone = await account(em, { organisation: null });
    for (const caller of Object.keys(fixtures) as Caller[]) token[caller] = accessTokenFor(api, fixtures[caller]);
    programmeA = await programme(em, systemA);
    programmeB = await programme(em, systemB);
    national = await programme(em, null);
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('programmes', () => {
    it('lets a lead create a programme of their system with level, eligibility and funding, and audits it', async () => {
      const body = programmeBody();

      const response = await post('/programmes', 'leadA', body).expect(201);

      const created = response.body as ProgrammeBody;
      expect(created).toEqual({
        id: expect.any(String),
        title: body.title,
        description: body.description,
        level: 'senior',
        systemId: systemA.id,
        eligibility: {
          staffGroups: ['nursing_midwifery_registered', 'allied_health_professionals'],
          minGrade: 'band_7',
          maxGrade: 'band_8d',
          grades: [],
          summary: 'Staff groups nursing midwifery registered and allied health professionals; Agenda for Change bands 7 to 8d',
        },
        fundingPence: 2_500_000,
      });
      expect((await get(`/programmes/${created.id}`, 'leadA').expect(200)).body).toEqual(created);
      const stored = await forkEm(api).findOneOrFail(Programme, { id: created.id });
      expect({ system: stored.system?.id, fundingPence: stored.fundingPence, minGrade: stored.minGrade, maxGrade: stored.maxGrade }).toEqual({ system: systemA.id, fundingPence: 2_500_000, minGrade: 'band_7', maxGrade: 'band_8d' });
      expect(await auditRows(api, { objectId: created.id, action: 'programme.create' })).toEqual([
        expect.objectContaining({ actor_account_id: fixtures.leadA.account.id, object_type: 'programme', request_id: response.headers['x-request-id'], details: { systemId: systemA.id } }),
      ]);
    });

    it('takes grades outside Agenda for Change only when listed, and says so in plain words', async () => {
      const response = await post('/programmes', 'leadA', programmeBody({ eligibility: { minGrade: 'band_8a', grades: ['gp', 'gp'] } })).expect(201);

      const created = response.body as ProgrammeBody;
      expect(created.eligibility).toEqual({ staffGroups: [], minGrade: 'band_8a', maxGrade: null, grades: ['gp'], summary: 'Agenda for Change band 8a and above, and GPs' });
      expect((await forkEm(api).findOneOrFail(Programme, { id: created.id })).eligibleGrades).toEqual(['gp']);
      const changed = await patch(`/programmes/${created.id}`, 'leadA', { eligibility: { grades: ['medical_consultant', 'gp'] } }).expect(200);
      expect((changed.body as ProgrammeBody).eligibility).toMatchObject({ minGrade: 'band_8a', grades: ['medical_consultant', 'gp'], summary: 'Agenda for Change band 8a and above, and consultants and GPs' });
    });

    it('lets a system admin create a programme of their system', async () => {
      const response = await post('/programmes', 'adminA', programmeBody({ eligibility: undefined, fundingPence: undefined })).expect(201);

      expect(response.body).toMatchObject({ systemId: systemA.id, eligibility: { staffGroups: [], minGrade: null, maxGrade: null, grades: [], summary: 'Open to everyone' }, fundingPence: null });
    });

    it('refuses a lead creating a programme for a system they do not lead (403), and stores nothing', async () => {
      const body = programmeBody({ systemId: systemB.id });

      const response = await post('/programmes', 'leadA', body);

      expectProblem(response, 403);
      expect(await programmeCount(body.title)).toBe(0);
      await expectNotAudited(api, response);
    });

    it('lets only a national admin create a national programme (systemId null)', async () => {
      for (const caller of ['leadA', 'adminA'] as const) {
        const body = programmeBody({ systemId: null });
        const refused = await post('/programmes', caller, body);
        expectProblem(refused, 403);
        expect(await programmeCount(body.title)).toBe(0);
        await expectNotAudited(api, refused);
      }

      const created = await post('/programmes', 'nationalAdmin', programmeBody({ systemId: null })).expect(201);

      expect((created.body as ProgrammeBody).systemId).toBeNull();
      expect(await auditRows(api, { objectId: (created.body as ProgrammeBody).id, action: 'programme.create' })).toEqual([expect.objectContaining({ actor_account_id: fixtures.nationalAdmin.account.id, details: { systemId: null } })]);
    });

    it('refuses participants and coaches (403)', async () => {
      for (const caller of ['pA', 'coachA'] as const) {
        const body = programmeBody();
        expectProblem(await post('/programmes', caller, body), 403);
        expect(await programmeCount(body.title)).toBe(0);
      }
    });

    it.each([
      ['an empty grade range', { eligibility: { minGrade: 'band_8a', maxGrade: 'band_6' } }, ['eligibility.maxGrade']],
      ['an unknown staff group', { eligibility: { staffGroups: ['wizards'] } }, ['eligibility.staffGroups']],
      ['an unknown grade', { eligibility: { minGrade: 'band_10' } }, ['eligibility.minGrade']],
      ['a range starting at a grade outside Agenda for Change', { eligibility: { minGrade: 'medical_consultant' } }, ['eligibility.minGrade']],
      ['a range ending at a grade outside Agenda for Change', { eligibility: { maxGrade: 'non_afc' } }, ['eligibility.maxGrade']],
      ['an unknown listed grade', { eligibility: { grades: ['gp', 'wizard'] } }, ['eligibility.grades']],
      ['an unknown level', { level: 'galactic' }, ['level']],
      ['negative funding', { fundingPence: -1 }, ['fundingPence']],
      ['fractional funding', { fundingPence: 10.5 }, ['fundingPence']],
      ['a missing title', { title: undefined }, ['title']],
      ['a malformed systemId', { systemId: 'not-a-uuid' }, ['systemId']],
      ['an unknown field', { budget: 100 }, ['budget']],
    ])('rejects %s with 400 naming the field, and stores nothing', async (_case, overrides, fields) => {
      const body = programmeBody(overrides);
      const before = await forkEm(api).count(Programme, {});

      const response = await post('/programmes', 'nationalAdmin', body);

      expectProblem(response, 400, fields);
      expect(await forkEm(api).count(Programme, {})).toBe(before);
      await expectNotAudited(api, response);
    });

    it('rejects a system that does not exist (400 on systemId)', async () => {
      const body = programmeBody({ systemId: '0193c6a0-0000-7000-8000-00000000dead' });

      const response = await post('/programmes', 'nationalAdmin', body);

      expectProblem(response, 400, ['systemId']);
      expect(await programmeCount(body.title)).toBe(0);
    });

    it('shows a national admin the programmes of every system and national ones', async () => {
      const ids = ((await get('/programmes?limit=200', 'nationalAdmin').expect(200)).body as { items: ProgrammeBody[] }).items.map((p) => p.id);

      expect(ids).toEqual(expect.arrayContaining([programmeA.id, programmeB.id, national.id]));
    });

    it('shows participants national programmes and those of their own system only', async () => {
      const listed = (await get('/programmes?limit=200', 'pB').expect(200)).body as { items: ProgrammeBody[] };
      const ids = listed.items.map((p) => p.id);

      expect(ids).toEqual(expect.arrayContaining([programmeB.id, national.id]));
      expect(ids).not.toContain(programmeA.id);
      expect(listed.items.every((p) => p.systemId === null || p.systemId === systemB.id)).toBe(true);
      expectProblem(await get(`/programmes/${programmeA.id}`, 'pB'), 404);
      expect((await get(`/programmes/${programmeB.id}`, 'pB').expect(200)).body).toMatchObject({ id: programmeB.id, systemId: systemB.id });
    });

    it('pages the list by title then id, two at a time, with no overlap or gap, the same as one long page', async () => {
      for (let i = 0; i < 3; i += 1) await post('/programmes', 'nationalAdmin', programmeBody({ title: `Same title paging`, systemId: systemB.id })).expect(201);
      for (const caller of ['leadA', 'pB', 'nationalAdmin'] as const) {
        const whole = ((await get('/programmes?limit=200', caller).expect(200)).body as { items: ProgrammeBody[]; nextCursor: string | null }).items;
        const paged: ProgrammeBody[] = [];
        let cursor: string | null = null;
        do {
          const response: Response = await get(`/programmes?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, caller).expect(200);
          const body = response.body as { items: ProgrammeBody[]; nextCursor: string | null };
          expect(body.items.length).toBeLessThanOrEqual(2);
          paged.push(...body.items);
          cursor = body.nextCursor;
        } while (cursor);
        expect(paged).toEqual(whole);
        const keys = whole.map((p) => [p.title, p.id]);
        expect(keys).toEqual([...keys].sort(([t1, i1], [t2, i2]) => (t1! < t2! ? -1 : t1! > t2! ? 1 : i1! < i2! ? -1 : 1)));
      }
    });

    it('shows a lead the programmes of their systems and national ones, filtered by system when asked', async () => {
      const all = ((await get('/programmes?limit=200', 'leadA').expect(200)).body as { items: ProgrammeBody[] }).items;
      expect(all.map((p) => p.id)).toEqual(expect.arrayContaining([programmeA.id, national.id]));
      expect(all.every((p) => p.systemId === null || p.systemId === systemA.id)).toBe(true);
      const filtered = ((await get(`/programmes?limit=200&systemId=${systemA.id}`, 'leadA').expect(200)).body as { items: ProgrammeBody[] }).items;
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered.every((p) => p.systemId === systemA.id)).toBe(true);
      expect(((await get(`/programmes?limit=200&systemId=${systemB.id}`, 'leadA').expect(200)).body as { items: ProgrammeBody[] }).items).toEqual([]);
    });

    it('refuses a cursor it did not hand out (400 on cursor)', async () => {
      for (const cursor of ['not-a-cursor', Buffer.from(JSON.stringify(['title only'])).toString('base64url'), Buffer.from(JSON.stringify(['A title', 'not-a-uuid'])).toString('base64url')]) {
        expectProblem(await get(`/programmes?cursor=${encodeURIComponent(cursor)}`, 'pB'), 400, ['cursor']);
      }
    });
  });

  describe('creating cohorts', () => {
    it('creates a cohort as a draft with no seats taken, and audits it', async () => {
      const body = cohortBody({ offerWindowHours: 48 });

      const response = await post(`/programmes/${programmeA.id}/cohorts`, 'leadA', body).expect(201);

      const created = response.body as CohortBody;
      expect(created).toEqual({
        id: expect.any(String),
        programmeId: programmeA.id,
        systemId: systemA.id,
        ...body,
        status: 'draft',
        seatsTaken: 0,
        seatsLeft: 12,
        waitlistLength: 0,
      });
      expect((await get(`/cohorts/${created.id}`, 'leadA').expect(200)).body).toEqual(created);
      expect(await storedCohort(created.id)).toMatchObject({ status: 'draft', capacity: 12, seatsTaken: 0, offerWindowHours: 48 });
      expect(await auditRows(api, { objectId: created.id, action: 'cohort.create' })).toEqual([
        expect.objectContaining({ actor_account_id: fixtures.leadA.account.id, object_type: 'cohort', request_id: response.headers['x-request-id'], details: { programmeId: programmeA.id } }),
      ]);
    });

    it('reads a date-time without an offset as London time', async () => {
      const response = await post(`/programmes/${programmeA.id}/cohorts`, 'leadA', cohortBody({ startsAt: '2027-03-01T09:00', endsAt: '2027-07-30T17:00' })).expect(201);

      expect(response.body).toMatchObject({ startsAt: '2027-03-01T09:00:00.000Z', endsAt: '2027-07-30T16:00:00.000Z' });
    });

    it.each([
      ['enrolment closing before it opens', { enrolmentOpensAt: '2027-02-02T09:00:00Z' }, ['enrolmentClosesAt']],
      ['enrolment closing after the start', { enrolmentClosesAt: '2027-03-02T09:00:00Z' }, ['enrolmentClosesAt']],
      ['an end before the start', { endsAt: '2027-02-28T09:00:00Z' }, ['endsAt']],
      ['an end equal to the start', { endsAt: '2027-03-01T09:00:00.000Z' }, ['endsAt']],
    ])('rejects dates out of order (%s) with 400, and creates nothing', async (_case, overrides, fields) => {
      const before = await cohortCount(programmeA.id);

      const response = await post(`/programmes/${programmeA.id}/cohorts`, 'leadA', cohortBody(overrides));

      expectProblem(response, 400, fields);
      expect(await cohortCount(programmeA.id)).toBe(before);
      await expectNotAudited(api, response);
    });

    it.each([
      ['a capacity of 0', { capacity: 0 }, ['capacity']],
      ['a fractional capacity', { capacity: 2.5 }, ['capacity']],
      ['a blank name', { name: '   ' }, ['name']],
      ['a date that is not a date', { startsAt: '1 March 2027' }, ['startsAt']],
      ['a missing waitlist flag', { waitlistEnabled: undefined }, ['waitlistEnabled']],
      ['an offer window over 30 days', { offerWindowHours: 721 }, ['offerWindowHours']],
      ['a status (cohorts start as drafts)', { status: 'open' }, ['status']],
    ])('rejects %s with 400 naming the field, and creates nothing', async (_case, overrides, fields) => {
      const before = await cohortCount(programmeA.id);

      const response = await post(`/programmes/${programmeA.id}/cohorts`, 'leadA', cohortBody(overrides));

      expectProblem(response, 400, fields);
      expect(await cohortCount(programmeA.id)).toBe(before);
    });

    it('hides another system’s programme from a lead (404) and refuses participants (403)', async () => {
      const before = await cohortCount(programmeA.id);

      expectProblem(await post(`/programmes/${programmeA.id}/cohorts`, 'leadB', cohortBody()), 404);
      expectProblem(await post(`/programmes/${programmeA.id}/cohorts`, 'pA', cohortBody()), 403);
      expectProblem(await post(`/programmes/${programmeA.id}/cohorts`, 'coachA', cohortBody()), 403);
      expect(await cohortCount(programmeA.id)).toBe(before);
    });

    it('lets only a national admin add cohorts to a national programme', async () => {
      const before = await cohortCount(national.id);

      const refused = await post(`/programmes/${national.id}/cohorts`, 'leadA', cohortBody());
      expectProblem(refused, 403);
      expect(await cohortCount(national.id)).toBe(before);
      await expectNotAudited(api, refused);

      const created = await post(`/programmes/${national.id}/cohorts`, 'nationalAdmin', cohortBody()).expect(201);
      expect(created.body).toMatchObject({ programmeId: national.id, systemId: null, status: 'draft' });
    });

    it('answers 404 for a programme that does not exist', async () => {
      expectProblem(await post('/programmes/0193c6a0-0000-7000-8000-00000000beef/cohorts', 'nationalAdmin', cohortBody()), 404);
    });
  });

  describe('seats and waitlist', () => {
    it('shows seats taken, seats left and the waitlist length', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 2, waitlistEnabled: true });

      const statuses = (await enrolPeople(target.id, 3)).map((r) => (r.body as { status: string }).status);

      expect(statuses).toEqual(['enrolled', 'enrolled', 'waitlisted']);
      const view = (await get(`/cohorts/${target.id}`, 'leadA').expect(200)).body as CohortBody;
      expect(view).toMatchObject({ capacity: 2, seatsTaken: 2, seatsLeft: 0, waitlistLength: 1, status: 'open' });
      const listed = (await listIds(`/cohorts?programmeId=${programmeA.id}`, 'leadA')).items.find((c) => c.id === target.id);
      expect(listed).toMatchObject({ seatsTaken: 2, seatsLeft: 0, waitlistLength: 1 });
    });
  });

  describe('lifecycle', () => {
    it('moves a cohort draft → open → closed → open → closed → running → completed, auditing each step', async () => {
      const created = (await post(`/programmes/${programmeA.id}/cohorts`, 'leadA', cohortBody()).expect(201)).body as CohortBody;
      const steps: [Move, CohortStatus][] = [
        ['open', 'open'],
        ['close', 'closed'],
        ['open', 'open'],
        ['close', 'closed'],
        ['start', 'running'],
        ['complete', 'completed'],
      ];

      let from: CohortStatus = 'draft';
      for (const [verb, to] of steps) {
        const response = await move(created.id, verb).expect(200);
        expect(response.body).toMatchObject({ id: created.id, status: to, programmeId: programmeA.id, systemId: systemA.id });
        expect((await storedCohort(created.id))?.status).toBe(to);
        const audited = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
        expect(audited).toEqual([expect.objectContaining({ action: `cohort.${verb}`, object_id: created.id, actor_account_id: fixtures.leadA.account.id, details: { from, to } })]);
        from = to;
      }
    });

    it.each<[CohortStatus, Move[]]>([
      ['draft', ['close', 'start', 'complete']],
      ['open', ['open', 'start', 'complete']],
      ['closed', ['close', 'complete']],
      ['running', ['open', 'close', 'start']],
      ['completed', ['open', 'close', 'start', 'complete', 'cancel']],
      ['cancelled', ['open', 'close', 'start', 'complete', 'cancel']],
    ])('refuses invalid moves of a %s cohort with 409 and leaves it as it was', async (status, verbs) => {
      const target = await cohort(forkEm(api), programmeA, { status });

      for (const verb of verbs) {
        const response = await move(target.id, verb);
        expectProblem(response, 409);
        expect((await storedCohort(target.id))?.status).toBe(status);
        await expectNotAudited(api, response);
      }
    });

    it.each<CohortStatus>(['draft', 'open', 'closed', 'running'])('cancels a %s cohort', async (status) => {
      const target = await cohort(forkEm(api), programmeA, { status });

      const response = await move(target.id, 'cancel').expect(200);

      expect(response.body).toMatchObject({ status: 'cancelled', systemId: systemA.id });
      expect(await auditRows(api, { objectId: target.id, action: 'cohort.cancel' })).toEqual([expect.objectContaining({ details: { from: status, to: 'cancelled' } })]);
    });

    it('withdraws everyone from a cancelled cohort and frees its seats', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 1 });
      await enrolPeople(target.id, 2);

      const response = await move(target.id, 'cancel').expect(200);

      expect(response.body).toMatchObject({ status: 'cancelled', seatsTaken: 0, waitlistLength: 0 });
      const enrolments = await forkEm(api).find(Enrolment, { cohort: target.id });
      expect(enrolments.map((e) => [e.status, e.endReason])).toEqual([
        ['withdrawn', 'cohort_cancelled'],
        ['withdrawn', 'cohort_cancelled'],
      ]);
    });

    it('lets only managers of the programme move a cohort', async () => {
      const target = await cohort(forkEm(api), programmeA, { status: 'draft' });
      const nationalOpen = await cohort(forkEm(api), national, { status: 'open' });

      expectProblem(await move(target.id, 'open', 'pA'), 403);
      expectProblem(await move(target.id, 'open', 'coachA'), 403);
      expectProblem(await move(target.id, 'open', 'leadB'), 404);
      expectProblem(await move(nationalOpen.id, 'close', 'leadA'), 403);
      expect((await storedCohort(target.id))?.status).toBe('draft');
      expect((await storedCohort(nationalOpen.id))?.status).toBe('open');

      await move(target.id, 'open', 'adminA').expect(200);
      await move(nationalOpen.id, 'close', 'nationalAdmin').expect(200);
    });
  });

  describe('changing a cohort', () => {
    it('changes the name and capacity and audits which fields changed', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 10, status: 'draft' });

      const response = await patch(`/cohorts/${target.id}`, 'leadA', { name: 'Autumn 2027', capacity: 15 }).expect(200);

      expect(response.body).toMatchObject({ id: target.id, name: 'Autumn 2027', capacity: 15, seatsLeft: 15, status: 'draft', systemId: systemA.id });
      expect(await storedCohort(target.id)).toMatchObject({ name: 'Autumn 2027', capacity: 15 });
      const audited = await auditRows(api, { objectId: target.id, action: 'cohort.update' });
      expect(audited).toHaveLength(1);
      expect(audited[0]).toMatchObject({ actor_account_id: fixtures.leadA.account.id, request_id: response.headers['x-request-id'] });
      expect((audited[0].details as { fields: string[] }).fields.sort()).toEqual(['capacity', 'name']);
    });

    it('refuses to drop capacity below the seats taken (409) but allows dropping it to them', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 5 });
      await enrolPeople(target.id, 3);

      const refused = await patch(`/cohorts/${target.id}`, 'leadA', { capacity: 2, name: 'Should not stick' });

      expectProblem(refused, 409);
      expect(await storedCohort(target.id)).toMatchObject({ capacity: 5, seatsTaken: 3, name: target.name });
      await expectNotAudited(api, refused);
      const allowed = await patch(`/cohorts/${target.id}`, 'leadA', { capacity: 3 }).expect(200);
      expect(allowed.body).toMatchObject({ capacity: 3, seatsTaken: 3, seatsLeft: 0 });
    });

    it('promotes the waitlist, oldest first, when capacity rises', async () => {
      const target = await cohort(forkEm(api), programmeA, { capacity: 1 });
      const enrolled = (await enrolPeople(target.id, 3)).map((r) => r.body as { id: string; status: string });
      expect(enrolled.map((e) => e.status)).toEqual(['enrolled', 'waitlisted', 'waitlisted']);

      const response = await patch(`/cohorts/${target.id}`, 'leadA', { capacity: 2 }).expect(200);

      expect(response.body).toMatchObject({ capacity: 2, seatsTaken: 2, seatsLeft: 0, waitlistLength: 1 });
      const statuses = await forkEm(api).find(Enrolment, { id: { $in: enrolled.map((e) => e.id) } });
      const statusOf = (id: string) => statuses.find((e) => e.id === id)?.status;
      expect(enrolled.map((e) => statusOf(e.id))).toEqual(['enrolled', 'enrolled', 'waitlisted']);
    });

    it.each([
      ['an end before the start', { endsAt: '2020-01-01T00:00:00Z' }, ['endsAt']],
      ['enrolment closing after the start', { enrolmentClosesAt: '2099-01-01T00:00:00Z' }, ['enrolmentClosesAt']],
      ['enrolment opening after it closes', { enrolmentOpensAt: '2099-01-01T00:00:00Z', name: 'Should not stick' }, ['enrolmentClosesAt']],
    ])('rejects dates out of order (%s) with 400 and changes nothing', async (_case, body, fields) => {
      const target = await cohort(forkEm(api), programmeA, { status: 'draft' });

      const response = await patch(`/cohorts/${target.id}`, 'leadA', body);

      expectProblem(response, 400, fields);
      const stored = await storedCohort(target.id);
      expect(stored).toMatchObject({ name: target.name, enrolmentOpensAt: target.enrolmentOpensAt, enrolmentClosesAt: target.enrolmentClosesAt, startsAt: target.startsAt, endsAt: target.endsAt });
      await expectNotAudited(api, response);
    });

    it.each([
      ['a capacity of 0', { capacity: 0 }, ['capacity']],
      ['a status (use the lifecycle routes)', { status: 'open' }, ['status']],
      ['seatsTaken', { seatsTaken: 0 }, ['seatsTaken']],
      ['a malformed date', { startsAt: 'soon' }, ['startsAt']],
    ])('rejects %s with 400 naming the field', async (_case, body, fields) => {
      const target = await cohort(forkEm(api), programmeA, { status: 'draft' });

      expectProblem(await patch(`/cohorts/${target.id}`, 'leadA', body), 400, fields);
      expect(await storedCohort(target.id)).toMatchObject({ status: 'draft', capacity: target.capacity });
    });

    it.each<CohortStatus>(['completed', 'cancelled'])('refuses to change a %s cohort (409)', async (status) => {
      const target = await cohort(forkEm(api), programmeA, { status });

      expectProblem(await patch(`/cohorts/${target.id}`, 'leadA', { name: 'Too late' }), 409);
      expect((await storedCohort(target.id))?.name).toBe(target.name);
    });

    it('lets only managers of the programme change a cohort', async () => {
      const draft = await cohort(forkEm(api), programmeA, { status: 'draft' });
      const open = await cohort(forkEm(api), programmeA, { status: 'open' });
      const nationalOpen = await cohort(forkEm(api), national, { status: 'open' });

      expectProblem(await patch(`/cohorts/${draft.id}`, 'leadB', { name: 'Taken over' }), 404);
      expectProblem(await patch(`/cohorts/${open.id}`, 'leadB', { name: 'Taken over' }), 404);
      expectProblem(await patch(`/cohorts/${open.id}`, 'pA', { name: 'Taken over' }), 403);
      expectProblem(await patch(`/cohorts/${open.id}`, 'coachA', { name: 'Taken over' }), 403);
      expectProblem(await patch(`/cohorts/${nationalOpen.id}`, 'leadA', { name: 'Taken over' }), 403);
      for (const c of [draft, open, nationalOpen]) expect((await storedCohort(c.id))?.name).toBe(c.name);

      await patch(`/cohorts/${open.id}`, 'adminA', { name: 'By the system admin' }).expect(200);
      await patch(`/cohorts/${nationalOpen.id}`, 'nationalAdmin', { name: 'By the national admin' }).expect(200);
    });
  });

  describe('who sees which cohorts', () => {
    let progA: Programme;
    let progB: Programme;
    let progN: Programme;
    const c = {} as Record<'aDraft' | 'aOpen' | 'aClosed' | 'bDraft' | 'bOpen' | 'nDraft' | 'nOpen', Cohort>;

    beforeAll(async () => {
      const em = forkEm(api);
      progA = await programme(em, systemA);
      progB = await programme(em, systemB);
      progN = await programme(em, null);
      c.aDraft = await cohort(em, progA, { status: 'draft' });
      c.aOpen = await cohort(em, progA, { status: 'open' });
      c.aClosed = await cohort(em, progA, { status: 'closed' });
      c.bDraft = await cohort(em, progB, { status: 'draft' });
      c.bOpen = await cohort(em, progB, { status: 'open' });
      c.nDraft = await cohort(em, progN, { status: 'draft' });
      c.nOpen = await cohort(em, progN, { status: 'open' });
    });

    it('shows a lead every cohort of their systems and open national ones, nothing of other systems', async () => {
      const { ids, items } = await listIds('/cohorts', 'leadA');

      expect(ids).toEqual(expect.arrayContaining([c.aDraft.id, c.aOpen.id, c.aClosed.id, c.nOpen.id]));
      for (const hidden of [c.bDraft, c.bOpen, c.nDraft]) expect(ids).not.toContain(hidden.id);
      expect(items.every((i) => i.systemId === systemA.id || (i.systemId === null && i.status === 'open'))).toBe(true);
      await get(`/cohorts/${c.aDraft.id}`, 'leadA').expect(200);
      expectProblem(await get(`/cohorts/${c.bOpen.id}`, 'leadA'), 404);
      expectProblem(await get(`/cohorts/${c.bDraft.id}`, 'leadA'), 404);
      expectProblem(await get(`/cohorts/${c.nDraft.id}`, 'leadA'), 404);
    });

    it('shows a lead of another system their own cohorts only', async () => {
      const { ids } = await listIds('/cohorts', 'leadB');

      expect(ids).toEqual(expect.arrayContaining([c.bDraft.id, c.bOpen.id, c.nOpen.id]));
      for (const hidden of [c.aDraft, c.aOpen, c.aClosed, c.nDraft]) expect(ids).not.toContain(hidden.id);
      expectProblem(await get(`/cohorts/${c.aDraft.id}`, 'leadB'), 404);
      expectProblem(await get(`/cohorts/${c.aOpen.id}`, 'leadB'), 404);
    });

    it('shows a coach the cohorts of their system, drafts included', async () => {
      const { ids } = await listIds('/cohorts', 'coachA');

      expect(ids).toEqual(expect.arrayContaining([c.aDraft.id, c.aOpen.id]));
      expect(ids).not.toContain(c.bOpen.id);
    });

    it('shows participants open cohorts of national programmes and of their own system, not drafts or other systems’', async () => {
      const { ids, items } = await listIds('/cohorts', 'pA');

      expect(ids).toEqual(expect.arrayContaining([c.aOpen.id, c.nOpen.id]));
      for (const hidden of [c.aDraft, c.aClosed, c.bDraft, c.bOpen, c.nDraft]) expect(ids).not.toContain(hidden.id);
      expect(items.every((i) => i.status === 'open' && (i.systemId === systemA.id || i.systemId === null))).toBe(true);
      await get(`/cohorts/${c.aOpen.id}`, 'pA').expect(200);
      await get(`/cohorts/${c.nOpen.id}`, 'pA').expect(200);
      expectProblem(await get(`/cohorts/${c.aDraft.id}`, 'pA'), 404);
      expectProblem(await get(`/cohorts/${c.nDraft.id}`, 'pA'), 404);
      expectProblem(await get(`/cohorts/${c.bOpen.id}`, 'pA'), 404);
    });

    it('shows a participant of another system that system’s open cohorts and national ones', async () => {
      const { ids } = await listIds('/cohorts', 'pB');

      expect(ids).toEqual(expect.arrayContaining([c.bOpen.id, c.nOpen.id]));
      for (const hidden of [c.aOpen, c.aDraft, c.bDraft, c.nDraft]) expect(ids).not.toContain(hidden.id);
    });

    it('shows someone with no organisation open national cohorts only', async () => {
      const { items } = await listIds('/cohorts', 'pNone');

      expect(items.map((i) => i.id)).toContain(c.nOpen.id);
      expect(items.every((i) => i.systemId === null && i.status === 'open')).toBe(true);
      expectProblem(await get(`/cohorts/${c.aOpen.id}`, 'pNone'), 404);
    });

    it('shows someone enrolled in a cohort that is not open to them that cohort (its page only), with its seats and waiting list', async () => {
      expectProblem(await get(`/cohorts/${c.aOpen.id}`, 'pB'), 404);
      const em = forkEm(api);
      // Enrolled while they worked in system A (completed since), then moved to system B.
      await em.execute(`insert into enrolment (id, cohort_id, person_id, status, source, created_at, updated_at, enrolled_at, ended_at) values (gen_random_uuid(), ?, ?, 'completed', 'self', now(), now(), now(), now())`, [
        c.aOpen.id,
        fixtures.pB.person.id,
      ]);
      const seen = (await get(`/cohorts/${c.aOpen.id}`, 'pB').expect(200)).body as CohortBody;
      const stored = (await storedCohort(c.aOpen.id))!;
      const waiting = await forkEm(api).count(Enrolment, { cohort: c.aOpen.id, status: 'waitlisted' });
      expect(seen).toMatchObject({ id: c.aOpen.id, systemId: systemA.id, capacity: stored.capacity, seatsTaken: stored.seatsTaken, seatsLeft: stored.capacity - stored.seatsTaken, waitlistLength: waiting });
      expect((await listIds('/cohorts', 'pB')).ids).not.toContain(c.aOpen.id);
      expectProblem(await get(`/cohorts/${c.aDraft.id}`, 'pB'), 404);
    });

    it('shows a national admin everything', async () => {
      const { ids } = await listIds('/cohorts', 'nationalAdmin');

      expect(ids).toEqual(expect.arrayContaining(Object.values(c).map((x) => x.id)));
    });

    it('filters by status, programme and system within what the caller may see', async () => {
      const drafts = await listIds('/cohorts?status=draft', 'leadA');
      expect(drafts.ids).toContain(c.aDraft.id);
      expect(drafts.items.every((i) => i.status === 'draft' && i.systemId === systemA.id)).toBe(true);

      expect((await listIds(`/cohorts?programmeId=${progN.id}`, 'pA')).ids).toEqual([c.nOpen.id]);
      expect((await listIds(`/cohorts?programmeId=${progB.id}`, 'pA')).ids).toEqual([]);
      const ofB = await listIds(`/cohorts?systemId=${systemB.id}`, 'leadA');
      expect(ofB.ids).toEqual([]);
      const ofA = await listIds(`/cohorts?systemId=${systemA.id}&status=open`, 'pA');
      expect(ofA.ids).toContain(c.aOpen.id);
      expect(ofA.items.every((i) => i.systemId === systemA.id && i.status === 'open')).toBe(true);
    });

    it('answers 404 for a cohort that does not exist and 400 for a malformed id or filter', async () => {
      expectProblem(await get('/cohorts/0193c6a0-0000-7000-8000-00000000beef', 'nationalAdmin'), 404);
      expectProblem(await get('/cohorts/not-a-uuid', 'nationalAdmin'), 400);
      expectProblem(await get('/cohorts?status=archived', 'leadA'), 400, ['status']);
    });
  });
});
