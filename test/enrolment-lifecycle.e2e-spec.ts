import type { Response } from 'supertest';
import { Organisation, System } from '@slp/directory';
import { Person } from '@slp/identity';
import { Cohort, EnrolmentService, Programme } from '@slp/learning';
import { TemplateRenderer } from '@slp/notifications';
import { formatLondon } from '@slp/platform';
import { twoSystems } from './support/callers';
import { accessTokenFor, account, AccountFixture, cohort, CohortOptions, forkEm, people, programme } from './support/factories';
import { auditRows, expectProblem } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

interface EnrolmentBody {
  id: string;
  cohortId: string;
  personId: string;
  status: string;
  source: string;
  waitlistPosition: number | null;
  offerExpiresAt: string | null;
  endReason: string | null;
}

interface CohortBody {
  id: string;
  status: string;
  capacity: number;
  seatsTaken: number;
  seatsLeft: number;
  waitlistLength: number;
}

interface NotificationRow {
  kind: string;
  recipient_person_id: string | null;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
}

interface EnrolmentRow {
  id: string;
  person_id: string;
  status: string;
  waitlist_ticket: number | null;
  /** As the driver returns it (a timestamp string), or null. */
  offer_expires_at: string | null;
  end_reason: string | null;
}

type Caller = AccountFixture & { token: string };

const HOUR = 3_600_000;

describe('enrolment lifecycle (e2e)', () => {
  let api: TestApi;
  let em: ReturnType<typeof forkEm>;
  let systemA: System;
  let systemB: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let programmeA: Programme;
  let nationalProgramme: Programme;
  let leadA: Caller;
  let leadB: Caller;

  // ---- HTTP ------------------------------------------------------------------------------------

  const enrolSelf = (as: Caller, cohortId: string, body: object = {}) => api.http().post(`/api/v1/cohorts/${cohortId}/enrolments`).set('Authorization', `Bearer ${as.token}`).send(body);
  const enrolFor = (as: Caller, cohortId: string, personId: string) => enrolSelf(as, cohortId, { personId });
  const act = (as: Caller, enrolmentId: string, action: string, body?: object) => {
    const request = api.http().post(`/api/v1/enrolments/${enrolmentId}/${action}`).set('Authorization', `Bearer ${as.token}`);
    return body ? request.send(body) : request.send();
  };
  const getEnrolment = (as: Caller, enrolmentId: string) => api.http().get(`/api/v1/enrolments/${enrolmentId}`).set('Authorization', `Bearer ${as.token}`);
  const getCohort = (as: Caller, cohortId: string) => api.http().get(`/api/v1/cohorts/${cohortId}`).set('Authorization', `Bearer ${as.token}`);
  const patchCohort = (as: Caller, cohortId: string, body: object) => api.http().patch(`/api/v1/cohorts/${cohortId}`).set('Authorization', `Bearer ${as.token}`).send(body);
  const moveCohort = (as: Caller, cohortId: string, verb: 'open' | 'close' | 'cancel') => api.http().post(`/api/v1/cohorts/${cohortId}/${verb}`).set('Authorization', `Bearer ${as.token}`).send();
  const listEnrolments = (as: Caller, cohortId: string, status?: string) =>
    api.http().get(`/api/v1/cohorts/${cohortId}/enrolments`).query(status ? { status, limit: 100 } : { limit: 100 }).set('Authorization', `Bearer ${as.token}`);

  const body = (response: Response) => response.body as EnrolmentBody;

  /** Asserts the status (showing the body when it differs) and returns the enrolment. */
  function expectEnrolment(response: Response, status: number, expected: Partial<EnrolmentBody>): EnrolmentBody {
    expect({ status: response.status, body: response.body as unknown }).toMatchObject({ status, body: expected });
    return body(response);
  }

  // ---- Database --------------------------------------------------------------------------------

  const sql = <T>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);

  async function seatsTaken(cohortId: string): Promise<number> {
    const [row] = await sql<{ seats_taken: number }>('select seats_taken from cohort where id = ?', [cohortId]);
    return row!.seats_taken;
  }

  async function enrolmentRows(cohortId: string): Promise<EnrolmentRow[]> {
    return sql<EnrolmentRow>('select id, person_id, status, waitlist_ticket, offer_expires_at, end_reason from enrolment where cohort_id = ? order by created_at, id', [cohortId]);
  }

  async function enrolmentRow(id: string): Promise<EnrolmentRow> {
    const [row] = await sql<EnrolmentRow>('select id, person_id, status, waitlist_ticket, offer_expires_at, end_reason from enrolment where id = ?', [id]);
    return row!;
  }

  async function statusesByPerson(cohortId: string): Promise<Record<string, string>> {
    return Object.fromEntries((await enrolmentRows(cohortId)).map((row) => [row.person_id, row.status]));
  }

  /** Outbox rows about one subject (an enrolment or a cohort), oldest first. */
  async function notificationsAbout(subjectId: string): Promise<NotificationRow[]> {
    return sql<NotificationRow>('select kind, recipient_person_id, subject_type, subject_id, data from notification where subject_id = ? order by created_at, id', [subjectId]);
  }

  /** Outbox rows about any enrolment of the cohort, or the cohort itself. */
  async function notificationsInCohort(cohortId: string, kind?: string): Promise<NotificationRow[]> {
    const rows = await sql<NotificationRow>(
      `select n.kind, n.recipient_person_id, n.subject_type, n.subject_id, n.data from notification n
        where (n.subject_id in (select id from enrolment where cohort_id = ?) or n.subject_id = ?) order by n.created_at, n.id`,
      [cohortId, cohortId],
    );
    return kind ? rows.filter((row) => row.kind === kind) : rows;
  }

  const kinds = (rows: NotificationRow[]) => rows.map((row) => row.kind);

  // ---- Fixtures --------------------------------------------------------------------------------

  async function caller(options: Parameters<typeof account>[1], profile: Partial<Pick<Person, 'staffGroup' | 'grade'>> = {}): Promise<Caller> {
    const fixture = await account(em, options);
    if (Object.keys(profile).length) {
      Object.assign(fixture.person, profile);
      await em.flush();
    }
    return { ...fixture, token: accessTokenFor(api, fixture) };
  }

  const participant = (org: Organisation | null = orgA, profile: Partial<Pick<Person, 'staffGroup' | 'grade'>> = {}) => caller({ organisation: org }, profile);
  const cohortOf = (options: CohortOptions = {}, of: Programme = programmeA): Promise<Cohort> => cohort(em, of, options);

  /** The lead enrols each person in turn (so waitlist order is the order given). */
  async function fill(cohortId: string, members: readonly { id: string }[]): Promise<EnrolmentBody[]> {
    const placed: EnrolmentBody[] = [];
    for (const member of members) placed.push(expectEnrolment(await enrolFor(leadA, cohortId, member.id), 201, {}));
    return placed;
  }

  beforeAll(async () => {
    api = await startTestApi();
    em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    programmeA = await programme(em, systemA);
    nationalProgramme = await programme(em, null);
    leadA = await caller({ roles: ['programme_lead'], systems: [systemA], organisation: orgA });
    leadB = await caller({ roles: ['programme_lead'], systems: [systemB], organisation: orgB });
  });

  afterAll(async () => {
    await api?.close();
  });

  // ---- Enrolling yourself ----------------------------------------------------------------------

  describe('enrolling yourself', () => {
    it('enrols a participant of the programme’s system in an open cohort with a free seat, once', async () => {
      const target = await cohortOf({ capacity: 3 });
      const me = await participant();

      const response = await enrolSelf(me, target.id);

      const enrolment = expectEnrolment(response, 201, { cohortId: target.id, personId: me.person.id, status: 'enrolled', source: 'self', waitlistPosition: null });
      expect(await enrolmentRows(target.id)).toEqual([expect.objectContaining({ id: enrolment.id, person_id: me.person.id, status: 'enrolled', waitlist_ticket: null })]);
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await notificationsAbout(enrolment.id)).toEqual([
        expect.objectContaining({ kind: 'enrolment_confirmed', recipient_person_id: me.person.id, subject_type: 'enrolment', subject_id: enrolment.id, data: expect.objectContaining({ cohortId: target.id, enrolmentId: enrolment.id }) }),
      ]);
      expect(await auditRows(api, { objectId: enrolment.id })).toEqual([
        expect.objectContaining({ actor_account_id: me.account.id, action: 'enrolment.create', object_type: 'enrolment', details: { cohortId: target.id, status: 'enrolled', source: 'self' } }),
      ]);
      const seen = (await getCohort(me, target.id).expect(200)).body as CohortBody;
      expect(seen).toMatchObject({ seatsTaken: 1, seatsLeft: 2, waitlistLength: 0 });
    });

    it('refuses a second active enrolment in the same cohort with 409 and changes nothing', async () => {
      const target = await cohortOf({ capacity: 3 });
      const me = await participant();
      const first = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });

      const again = await enrolSelf(me, target.id);
      const onBehalf = await enrolFor(leadA, target.id, me.person.id);

      expectProblem(again, 409);
      expect((again.body as { detail: string }).detail).toMatch(/already has an active enrolment/);
      expectProblem(onBehalf, 409);
      expect(await enrolmentRows(target.id)).toHaveLength(1);
      expect(await seatsTaken(target.id)).toBe(1);
      expect(kinds(await notificationsAbout(first.id))).toEqual(['enrolment_confirmed']);
      expect(await auditRows(api, { action: 'enrolment.create' }).then((rows) => rows.filter((r) => r.details?.cohortId === target.id))).toHaveLength(1);
    });

    it('lets someone enrol again after withdrawing (only active enrolments count)', async () => {
      const target = await cohortOf({ capacity: 3 });
      const me = await participant();
      const first = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });
      expectEnrolment(await act(me, first.id, 'withdraw'), 200, { status: 'withdrawn' });

      const second = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });

      expect(second.id).not.toBe(first.id);
      expect(await seatsTaken(target.id)).toBe(1);
    });

    it('lets a participant of any system enrol in an open cohort of a national programme', async () => {
      const target = await cohortOf({ capacity: 5 }, nationalProgramme);
      const fromB = await participant(orgB);
      const fromNowhere = await participant(null);

      expectEnrolment(await enrolSelf(fromB, target.id), 201, { status: 'enrolled', personId: fromB.person.id });
      expectEnrolment(await enrolSelf(fromNowhere, target.id), 201, { status: 'enrolled', personId: fromNowhere.person.id });
      expect(await seatsTaken(target.id)).toBe(2);
    });

    it('hides a system programme’s cohort from participants of other systems (404) and enrols no one', async () => {
      const target = await cohortOf();
      const fromB = await participant(orgB);

      expectProblem(await getCohort(fromB, target.id), 404);
      expectProblem(await enrolSelf(fromB, target.id), 404);
      expect(await enrolmentRows(target.id)).toEqual([]);
      expect(await seatsTaken(target.id)).toBe(0);
    });

    it('hides a draft cohort from participants (404), even of its own system', async () => {
      const target = await cohortOf({ status: 'draft' });
      const me = await participant();

      expectProblem(await getCohort(me, target.id), 404);
      expectProblem(await enrolSelf(me, target.id), 404);
      expect(await enrolmentRows(target.id)).toEqual([]);
    });

    it('refuses enrolment in a closed cohort with 409 saying it is closed', async () => {
      const target = await cohortOf({ status: 'closed' });
      const me = await participant();

      const response = await enrolSelf(me, target.id);

      expectProblem(response, 409);
      expect((response.body as { detail: string }).detail).toBe('The cohort is closed, not open for enrolment.');
      expect(await enrolmentRows(target.id)).toEqual([]);
    });

    it('refuses enrolment before the window opens and after it closes, with 409 saying when', async () => {
      const early = await cohortOf();
      const late = await cohortOf();
      await sql(`update cohort set enrolment_opens_at = now() + interval '2 days' where id = ?`, [early.id]);
      await sql(`update cohort set enrolment_opens_at = now() - interval '10 days', enrolment_closes_at = now() - interval '1 hour' where id = ?`, [late.id]);
      const me = await participant();

      const tooEarly = await enrolSelf(me, early.id);
      const tooLate = await enrolSelf(me, late.id);

      expectProblem(tooEarly, 409);
      expect((tooEarly.body as { detail: string }).detail).toMatch(/^Enrolment opens at \d{4}-\d\d-\d\dT/);
      expectProblem(tooLate, 409);
      expect((tooLate.body as { detail: string }).detail).toMatch(/^Enrolment closed at \d{4}-\d\d-\d\dT/);
      expect(await enrolmentRows(early.id)).toEqual([]);
      expect(await enrolmentRows(late.id)).toEqual([]);
    });

    it('refuses someone outside the programme’s staff groups with 403 giving the reason', async () => {
      const nursesOnly = await programme(em, systemA, { eligibleStaffGroups: ['nursing_midwifery_registered'] });
      const target = await cohortOf({}, nursesOnly);
      const clerk = await participant(orgA, { staffGroup: 'administrative_clerical', grade: 'band_5' });
      const unknown = await participant(orgA);
      const nurse = await participant(orgA, { staffGroup: 'nursing_midwifery_registered', grade: 'band_6' });

      const refused = await enrolSelf(clerk, target.id);
      const noGroup = await enrolSelf(unknown, target.id);
      const onBehalf = await enrolFor(leadA, target.id, clerk.person.id);

      expectProblem(refused, 403);
      expect((refused.body as { detail: string }).detail).toBe('This programme is for staff groups nursing_midwifery_registered; yours is administrative_clerical.');
      expectProblem(noGroup, 403);
      expect((noGroup.body as { detail: string }).detail).toMatch(/add your staff group to your profile/);
      expectProblem(onBehalf, 403);
      expect(await enrolmentRows(target.id)).toEqual([]);
      expectEnrolment(await enrolSelf(nurse, target.id), 201, { status: 'enrolled' });
    });

    it('refuses someone outside the grade range with 403 giving the reason, boundaries included', async () => {
      const seniors = await programme(em, systemA, { minGrade: 'band_8a', maxGrade: 'band_9' });
      const target = await cohortOf({}, seniors);
      const junior = await participant(orgA, { staffGroup: 'other', grade: 'band_7' });
      const atMin = await participant(orgA, { staffGroup: 'other', grade: 'band_8a' });
      const atMax = await participant(orgA, { staffGroup: 'other', grade: 'band_9' });

      const refused = await enrolSelf(junior, target.id);

      expectProblem(refused, 403);
      expect((refused.body as { detail: string }).detail).toBe('This programme starts at grade band_8a; yours is band_7.');
      expectEnrolment(await enrolSelf(atMin, target.id), 201, { status: 'enrolled' });
      expectEnrolment(await enrolSelf(atMax, target.id), 201, { status: 'enrolled' });
    });

    it('refuses GPs, non-AfC staff and foundation doctors a band 8a and above programme unless it lists their grade', async () => {
      const seniors = await programme(em, systemA, { minGrade: 'band_8a' });
      const target = await cohortOf({}, seniors);
      const withGps = await cohortOf({}, await programme(em, systemA, { minGrade: 'band_8a', eligibleGrades: ['gp'] }));
      const [gp, nonAfc, foundation] = [
        await participant(orgA, { staffGroup: 'medical_dental', grade: 'gp' }),
        await participant(orgA, { staffGroup: 'other', grade: 'non_afc' }),
        await participant(orgA, { staffGroup: 'medical_dental', grade: 'medical_foundation' }),
      ];

      for (const person of [gp, nonAfc, foundation]) {
        const refused = await enrolSelf(person, target.id);
        expectProblem(refused, 403);
        expect((refused.body as { detail: string }).detail).toMatch(/^This programme is for Agenda for Change band 8a and above; yours is /);
      }
      expect(await enrolmentRows(target.id)).toEqual([]);
      expectEnrolment(await enrolSelf(gp, withGps.id), 201, { status: 'enrolled' });
      expectProblem(await enrolSelf(foundation, withGps.id), 403);
    });

    it('waitlists in arrival order once the cohort is full, with visible positions and a waitlisted email', async () => {
      const target = await cohortOf({ capacity: 1 });
      const [first, second, third] = [await participant(), await participant(), await participant()];

      expectEnrolment(await enrolSelf(first!, target.id), 201, { status: 'enrolled', waitlistPosition: null });
      const two = expectEnrolment(await enrolSelf(second!, target.id), 201, { status: 'waitlisted', waitlistPosition: 1 });
      const three = expectEnrolment(await enrolSelf(third!, target.id), 201, { status: 'waitlisted', waitlistPosition: 2 });

      expect(await seatsTaken(target.id)).toBe(1);
      expect(await notificationsAbout(two.id)).toEqual([expect.objectContaining({ kind: 'waitlisted', recipient_person_id: second!.person.id, data: expect.objectContaining({ waitlistPosition: 1 }) })]);
      expect(await notificationsAbout(three.id)).toEqual([expect.objectContaining({ kind: 'waitlisted', recipient_person_id: third!.person.id, data: expect.objectContaining({ waitlistPosition: 2 }) })]);
      expect((await getEnrolment(third!, three.id).expect(200)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
      const mine = (await api.http().get('/api/v1/me/enrolments').set('Authorization', `Bearer ${second!.token}`).expect(200)).body as { items: EnrolmentBody[] };
      expect(mine.items).toEqual([expect.objectContaining({ id: two.id, status: 'waitlisted', waitlistPosition: 1 })]);
      expect((await getCohort(leadA, target.id).expect(200)).body).toMatchObject({ seatsTaken: 1, seatsLeft: 0, waitlistLength: 2 });
    });

    it('refuses enrolment in a full cohort without a waitlist with 409 and changes nothing', async () => {
      const target = await cohortOf({ capacity: 1, waitlistEnabled: false });
      const [first, second] = [await participant(), await participant()];
      expectEnrolment(await enrolSelf(first!, target.id), 201, { status: 'enrolled' });

      const response = await enrolSelf(second!, target.id);

      expectProblem(response, 409);
      expect((response.body as { detail: string }).detail).toMatch(/full and has no waitlist/);
      expect(await enrolmentRows(target.id)).toHaveLength(1);
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await sql('select 1 from notification where recipient_person_id = ?', [second!.person.id])).toEqual([]);
    });

    it.each<[string, unknown]>([
      ['an unknown field', { cohortId: '0193c6a0-0000-7000-8000-000000000001' }],
      ['a personId that is not a UUID', { personId: 'someone' }],
      ['a personId of the wrong type', { personId: 42 }],
      ['a JSON array', [{}]],
    ])('answers %s with problem+json 400 and enrols no one', async (_what, payload) => {
      const target = await cohortOf();
      const me = await participant();

      const response = await api.http().post(`/api/v1/cohorts/${target.id}/enrolments`).set('Authorization', `Bearer ${me.token}`).send(payload as object);
      const asLead = await api.http().post(`/api/v1/cohorts/${target.id}/enrolments`).set('Authorization', `Bearer ${leadA.token}`).send(payload as object);

      expectProblem(response, 400);
      expectProblem(asLead, 400);
      expect(await enrolmentRows(target.id)).toEqual([]);
      expect(await seatsTaken(target.id)).toBe(0);
      expect(await auditRows(api, { requestId: response.headers['x-request-id'] as string })).toEqual([]);
    });

    it('answers a cohort id that is not a UUID with 400', async () => {
      const me = await participant();
      expectProblem(await enrolSelf(me, 'not-a-uuid'), 400);
    });
  });

  // ---- Enrolling someone else ------------------------------------------------------------------

  describe('enrolling on someone’s behalf', () => {
    it('lets a lead enrol a person of their system, skipping the approval step', async () => {
      const target = await cohortOf({ capacity: 2, requiresApproval: true });
      const [member] = await people(em, 1, orgA);

      const enrolment = expectEnrolment(await enrolFor(leadA, target.id, member!.id), 201, { personId: member!.id, status: 'enrolled', source: 'lead', waitlistPosition: null });

      expect(await seatsTaken(target.id)).toBe(1);
      expect(kinds(await notificationsAbout(enrolment.id))).toEqual(['enrolment_confirmed']);
      expect(await auditRows(api, { objectId: enrolment.id })).toEqual([
        expect.objectContaining({ actor_account_id: leadA.account.id, action: 'enrolment.create', details: { cohortId: target.id, status: 'enrolled', source: 'lead' } }),
      ]);
    });

    it('answers 404 for a person outside the lead’s systems, or who does not exist, and enrols no one', async () => {
      const target = await cohortOf();
      const [outsider] = await people(em, 1, orgB);

      expectProblem(await enrolFor(leadA, target.id, outsider!.id), 404);
      expectProblem(await enrolFor(leadA, target.id, '0193c6a0-0000-7000-8000-0000000000ff'), 404);
      expect(await enrolmentRows(target.id)).toEqual([]);
    });

    it('does not let a lead of another system enrol anyone in the cohort (404)', async () => {
      const target = await cohortOf();
      const [member] = await people(em, 1, orgA);

      expectProblem(await enrolFor(leadB, target.id, member!.id), 404);
      expect(await enrolmentRows(target.id)).toEqual([]);
    });

    it('does not let a participant enrol someone else (403)', async () => {
      const target = await cohortOf();
      const me = await participant();
      const colleague = await participant();

      expectProblem(await enrolFor(me, target.id, colleague.person.id), 403);
      expect(await enrolmentRows(target.id)).toEqual([]);
    });
  });

  // ---- Approval --------------------------------------------------------------------------------

  describe('applications to a cohort that requires approval', () => {
    it('takes an application without a seat, then the lead approves it into a seat, once', async () => {
      const target = await cohortOf({ capacity: 2, requiresApproval: true });
      const me = await participant();

      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval', waitlistPosition: null });
      expect(await seatsTaken(target.id)).toBe(0);
      expect(await notificationsAbout(application.id)).toEqual([expect.objectContaining({ kind: 'application_received', recipient_person_id: me.person.id, subject_id: application.id })]);

      expectEnrolment(await act(leadA, application.id, 'approve'), 200, { id: application.id, status: 'enrolled', waitlistPosition: null });
      expect(await seatsTaken(target.id)).toBe(1);
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received', 'application_approved']);
      const [decided] = await sql<{ decided_by_account_id: string; decided_at: string }>('select decided_by_account_id, decided_at from enrolment where id = ?', [application.id]);
      expect(decided).toEqual({ decided_by_account_id: leadA.account.id, decided_at: expect.any(String) });
      expect(Math.abs(Date.parse(decided!.decided_at) - Date.now())).toBeLessThan(60_000);
      expect(await auditRows(api, { objectId: application.id, action: 'enrolment.approve' })).toEqual([
        expect.objectContaining({ actor_account_id: leadA.account.id, details: { cohortId: target.id, status: 'enrolled' } }),
      ]);

      expectProblem(await act(leadA, application.id, 'approve'), 409);
      expect(await seatsTaken(target.id)).toBe(1);
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received', 'application_approved']);
    });

    it('refuses a second application from someone already awaiting approval (409)', async () => {
      const target = await cohortOf({ requiresApproval: true });
      const me = await participant();
      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval' });

      expectProblem(await enrolSelf(me, target.id), 409);
      expect(await enrolmentRows(target.id)).toHaveLength(1);
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received']);
    });

    it('approves onto the waitlist when the cohort has filled meanwhile, with a position', async () => {
      const target = await cohortOf({ capacity: 1, requiresApproval: true });
      const me = await participant();
      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval' });
      await fill(target.id, await people(em, 2, orgA));

      const response = await act(leadA, application.id, 'approve');

      expect(response.status).toBe(200);
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await enrolmentRow(application.id)).toMatchObject({ status: 'waitlisted', waitlist_ticket: 2 });
      const approved = (await notificationsAbout(application.id)).filter((row) => row.kind === 'application_approved');
      expect(approved).toEqual([expect.objectContaining({ recipient_person_id: me.person.id, data: expect.objectContaining({ outcome: 'waitlisted', waitlistPosition: 2 }) })]);
      expect((await getEnrolment(me, application.id).expect(200)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
      // The approval's own answer must agree: second in line, behind the person already waiting.
      expectEnrolment(response, 200, { status: 'waitlisted', waitlistPosition: 2 });
    });

    it('refuses to approve into a full cohort without a waitlist (409) and leaves the application pending', async () => {
      const target = await cohortOf({ capacity: 1, requiresApproval: true, waitlistEnabled: false });
      const me = await participant();
      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval' });
      await fill(target.id, await people(em, 1, orgA));

      expectProblem(await act(leadA, application.id, 'approve'), 409);

      expect((await enrolmentRow(application.id)).status).toBe('pending_approval');
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received']);
    });

    it('rejects an application with a reason, once', async () => {
      const target = await cohortOf({ requiresApproval: true });
      const me = await participant();
      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval' });

      expectEnrolment(await act(leadA, application.id, 'reject', { reason: '  Places are for ward managers this round.  ' }), 200, {
        status: 'rejected',
        endReason: 'Places are for ward managers this round.',
      });

      expect(await enrolmentRow(application.id)).toMatchObject({ status: 'rejected', end_reason: 'Places are for ward managers this round.' });
      expect(await seatsTaken(target.id)).toBe(0);
      const rejected = (await notificationsAbout(application.id)).filter((row) => row.kind === 'application_rejected');
      expect(rejected).toEqual([expect.objectContaining({ recipient_person_id: me.person.id, data: expect.objectContaining({ reason: 'Places are for ward managers this round.' }) })]);
      expect(await auditRows(api, { objectId: application.id, action: 'enrolment.reject' })).toHaveLength(1);

      expectProblem(await act(leadA, application.id, 'reject', { reason: 'Again' }), 409);
      expectProblem(await act(leadA, application.id, 'approve'), 409);
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received', 'application_rejected']);
      expect((await enrolmentRow(application.id)).end_reason).toBe('Places are for ward managers this round.');
    });

    it.each<[string, object, string]>([
      ['no reason', {}, 'reason'],
      ['an empty reason', { reason: '   ' }, 'reason'],
      ['an unknown field', { reason: 'Full', notify: false }, 'notify'],
    ])('answers a rejection with %s with 400 and leaves the application pending', async (_what, payload, field) => {
      const target = await cohortOf({ requiresApproval: true });
      const me = await participant();
      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval' });

      expectProblem(await act(leadA, application.id, 'reject', payload), 400, [field]);

      expect((await enrolmentRow(application.id)).status).toBe('pending_approval');
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received']);
    });

    it('does not let a lead of another system approve or reject the application (404), nor a participant (403)', async () => {
      const target = await cohortOf({ requiresApproval: true });
      const me = await participant();
      const application = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'pending_approval' });

      expectProblem(await act(leadB, application.id, 'approve'), 404);
      expectProblem(await act(leadB, application.id, 'reject', { reason: 'Not ours' }), 404);
      expectProblem(await act(me, application.id, 'approve'), 403);

      expect((await enrolmentRow(application.id)).status).toBe('pending_approval');
      expect(await seatsTaken(target.id)).toBe(0);
      expect(kinds(await notificationsAbout(application.id))).toEqual(['application_received']);
    });
  });

  // ---- Reading and withdrawing -----------------------------------------------------------------

  describe('who can see and withdraw an enrolment', () => {
    it('hides an enrolment from other participants and other systems’ leads (404), and they cannot withdraw it', async () => {
      const target = await cohortOf();
      const me = await participant();
      const colleague = await participant();
      const enrolment = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });

      expect((await getEnrolment(me, enrolment.id).expect(200)).body).toMatchObject({ id: enrolment.id, status: 'enrolled' });
      expect((await getEnrolment(leadA, enrolment.id).expect(200)).body).toMatchObject({ id: enrolment.id });
      expectProblem(await getEnrolment(colleague, enrolment.id), 404);
      expectProblem(await getEnrolment(leadB, enrolment.id), 404);
      expectProblem(await act(colleague, enrolment.id, 'withdraw'), 404);
      expectProblem(await act(leadB, enrolment.id, 'withdraw'), 404);

      expect((await enrolmentRow(enrolment.id)).status).toBe('enrolled');
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await auditRows(api, { objectId: enrolment.id, action: 'enrolment.withdraw' })).toEqual([]);
    });

    it('lets only staff of the programme’s system list a cohort’s enrolments', async () => {
      const target = await cohortOf();
      const me = await participant();
      const enrolment = expectEnrolment(await enrolSelf(me, target.id), 201, {});

      expect(((await listEnrolments(leadA, target.id).expect(200)).body as { items: EnrolmentBody[] }).items.map((e) => e.id)).toEqual([enrolment.id]);
      expectProblem(await listEnrolments(leadB, target.id), 404);
      expectProblem(await listEnrolments(me, target.id), 403);
    });

    it('lets a lead of the system withdraw someone, freeing the seat', async () => {
      const target = await cohortOf({ capacity: 1 });
      const [member] = await people(em, 1, orgA);
      const [enrolment] = await fill(target.id, [member!]);

      expectEnrolment(await act(leadA, enrolment!.id, 'withdraw'), 200, { status: 'withdrawn' });

      expect(await seatsTaken(target.id)).toBe(0);
      expect(await auditRows(api, { objectId: enrolment!.id, action: 'enrolment.withdraw' })).toEqual([
        expect.objectContaining({ actor_account_id: leadA.account.id, details: { cohortId: target.id, status: 'withdrawn' } }),
      ]);
    });
  });

  // ---- Withdrawal and the waitlist -------------------------------------------------------------

  describe('withdrawal and the waitlist', () => {
    it('gives a freed seat straight to the first waitlisted person when there is no offer window, once', async () => {
      const target = await cohortOf({ capacity: 1, offerWindowHours: 0 });
      const me = await participant();
      const mine = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });
      const [second, third] = await people(em, 2, orgA);
      const [two, three] = await fill(target.id, [second!, third!]);
      expect([two!.waitlistPosition, three!.waitlistPosition]).toEqual([1, 2]);

      const response = await act(me, mine.id, 'withdraw');

      expectEnrolment(response, 200, { id: mine.id, status: 'withdrawn', waitlistPosition: null });
      expect(await statusesByPerson(target.id)).toEqual({ [me.person.id]: 'withdrawn', [second!.id]: 'enrolled', [third!.id]: 'waitlisted' });
      expect(await seatsTaken(target.id)).toBe(1);
      expect((await getEnrolment(leadA, three!.id).expect(200)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
      expect(await notificationsInCohort(target.id, 'promoted_from_waitlist')).toEqual([
        expect.objectContaining({ recipient_person_id: second!.id, subject_type: 'enrolment', subject_id: two!.id }),
      ]);
      expect(await auditRows(api, { objectId: mine.id, action: 'enrolment.withdraw' })).toEqual([
        expect.objectContaining({ actor_account_id: me.account.id, details: { cohortId: target.id, status: 'withdrawn' } }),
      ]);

      expectProblem(await act(me, mine.id, 'withdraw'), 409);
      expect(await statusesByPerson(target.id)).toEqual({ [me.person.id]: 'withdrawn', [second!.id]: 'enrolled', [third!.id]: 'waitlisted' });
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await notificationsInCohort(target.id, 'promoted_from_waitlist')).toHaveLength(1);
    });

    it('moves everyone behind up when a waitlisted person withdraws, without touching seats', async () => {
      const target = await cohortOf({ capacity: 1 });
      const [holder, first, second, third] = await people(em, 4, orgA);
      const [, one, two, three] = await fill(target.id, [holder!, first!, second!, third!]);

      expectEnrolment(await act(leadA, one!.id, 'withdraw'), 200, { status: 'withdrawn' });

      expect(await seatsTaken(target.id)).toBe(1);
      expect((await getEnrolment(leadA, two!.id).expect(200)).body).toMatchObject({ waitlistPosition: 1 });
      expect((await getEnrolment(leadA, three!.id).expect(200)).body).toMatchObject({ waitlistPosition: 2 });
      expect(await notificationsInCohort(target.id, 'promoted_from_waitlist')).toEqual([]);
      expect((await enrolmentRow(one!.id)).waitlist_ticket).toBeNull();
    });

    it('promotes exactly one person when someone withdraws while 30 others enrol at once, never overfilling', async () => {
      const capacity = 5;
      const target = await cohortOf({ capacity });
      const seated = await people(em, capacity, orgA);
      const [firstInLine] = await people(em, 1, orgA);
      const rush = await people(em, 30, orgA);
      const placed = await fill(target.id, [...seated, firstInLine!]);
      expect(placed.map((p) => p.status)).toEqual([...seated.map(() => 'enrolled'), 'waitlisted']);
      const leaving = placed[0]!;

      const observed: number[] = [];
      let racing = true;
      const watcher = (async () => {
        while (racing) {
          observed.push(await seatsTaken(target.id));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const requests = rush.map((person) => enrolFor(leadA, target.id, person.id));
      const withdrawal = act(leadA, leaving.id, 'withdraw');
      // The withdrawal goes out in the middle of the rush.
      const all = await Promise.all([...requests.slice(0, 15), withdrawal, ...requests.slice(15)]);
      const withdrawn = all[15]!;
      const responses = [...all.slice(0, 15), ...all.slice(16)];
      racing = false;
      await watcher;

      expectEnrolment(withdrawn, 200, { status: 'withdrawn' });
      expect(responses.map((r) => r.status)).toEqual(rush.map(() => 201));
      expect(responses.map((r) => body(r).status)).toEqual(rush.map(() => 'waitlisted'));
      expect(observed.length).toBeGreaterThan(0);
      expect(Math.max(...observed)).toBeLessThanOrEqual(capacity);
      expect(await seatsTaken(target.id)).toBe(capacity);

      const rows = await enrolmentRows(target.id);
      expect(rows.filter((r) => r.status === 'enrolled').map((r) => r.person_id).sort()).toEqual([...seated.slice(1).map((p) => p.id), firstInLine!.id].sort());
      expect(rows.filter((r) => r.status === 'waitlisted').map((r) => r.person_id).sort()).toEqual(rush.map((p) => p.id).sort());
      const promoted = await notificationsInCohort(target.id, 'promoted_from_waitlist');
      expect(promoted).toEqual([expect.objectContaining({ recipient_person_id: firstInLine!.id, subject_id: placed[capacity]!.id })]);

      const waiting = ((await listEnrolments(leadA, target.id, 'waitlisted').expect(200)).body as { items: EnrolmentBody[] }).items;
      expect(waiting.map((e) => e.waitlistPosition).sort((a, b) => a! - b!)).toEqual(rush.map((_, i) => i + 1));
      expect((await getCohort(leadA, target.id).expect(200)).body).toMatchObject({ seatsTaken: capacity, seatsLeft: 0, waitlistLength: 30 });
    });
  });

  // ---- Offers ----------------------------------------------------------------------------------

  describe('offers (cohorts with an offer window)', () => {
    /** A full cohort of one seat held by `holder`, with `waiting` on the waitlist in order. */
    async function fullCohortWithQueue(queueLength: number, offerWindowHours = 48) {
      const target = await cohortOf({ capacity: 1, offerWindowHours });
      const holder = await participant();
      const waiting = [await participant(), await participant(), await participant()].slice(0, queueLength);
      const held = expectEnrolment(await enrolSelf(holder, target.id), 201, { status: 'enrolled' });
      const queue: EnrolmentBody[] = [];
      for (const person of waiting) queue.push(expectEnrolment(await enrolSelf(person, target.id), 201, { status: 'waitlisted' }));
      return { target, holder, held, waiting, queue };
    }

    it('offers a freed seat to the first waitlisted person, who holds it until they answer', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(2);
      const before = Date.now();

      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, { status: 'withdrawn' });

      const offered = (await getEnrolment(waiting[0]!, queue[0]!.id).expect(200)).body as EnrolmentBody;
      expect(offered).toMatchObject({ status: 'offered', waitlistPosition: null });
      const expiresAt = new Date(offered.offerExpiresAt!).getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + 48 * HOUR - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 48 * HOUR + 1000);
      expect(await seatsTaken(target.id)).toBe(1);
      expect((await getEnrolment(waiting[1]!, queue[1]!.id).expect(200)).body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
      expect(await notificationsInCohort(target.id, 'place_offered')).toEqual([
        expect.objectContaining({ recipient_person_id: waiting[0]!.person.id, subject_id: queue[0]!.id, data: expect.objectContaining({ offerExpiresAt: offered.offerExpiresAt }) }),
      ]);
      expect(await notificationsInCohort(target.id, 'promoted_from_waitlist')).toEqual([]);
      // Answer it, so the offer does not linger for other tests' expiry runs.
      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'accept-offer'), 200, { status: 'enrolled' });
    });

    it('emails the offer with a link to where the person accepts or declines it, and when it expires (UK time)', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(1);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});
      const offered = (await getEnrolment(waiting[0]!, queue[0]!.id).expect(200)).body as EnrolmentBody;

      const [offer] = await notificationsInCohort(target.id, 'place_offered');
      const email = TemplateRenderer.fromDirectory().render('place_offered', offer!.data);
      const link = `${api.config.publicUrl}/learning`;
      const expires = formatLondon(new Date(offered.offerExpiresAt!));
      expect(email.text).toContain(`\n${link}\n`);
      expect(email.html).toMatch(new RegExp(`<td class="slp-button"[^>]*>\\s*<a [^>]*href="${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
      expect(email.text).toContain(`accept this place by ${expires} (UK time)`);
      expect(email.subject).toContain(expires);
      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'decline-offer'), 200, { status: 'declined' });
    });

    it('enrols someone who accepts their offer, once', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(1);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});

      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'accept-offer'), 200, { status: 'enrolled', offerExpiresAt: null });

      expect(await enrolmentRow(queue[0]!.id)).toMatchObject({ status: 'enrolled', offer_expires_at: null });
      expect(await seatsTaken(target.id)).toBe(1);
      expect(kinds(await notificationsAbout(queue[0]!.id))).toEqual(['waitlisted', 'place_offered', 'enrolment_confirmed']);
      expect(await auditRows(api, { objectId: queue[0]!.id, action: 'enrolment.accept_offer' })).toEqual([expect.objectContaining({ actor_account_id: waiting[0]!.account.id })]);

      expectProblem(await act(waiting[0]!, queue[0]!.id, 'accept-offer'), 409);
      expect(kinds(await notificationsAbout(queue[0]!.id))).toEqual(['waitlisted', 'place_offered', 'enrolment_confirmed']);
    });

    it('lets only the person answer their offer (lead 403, anyone else 404)', async () => {
      const { holder, held, waiting, queue } = await fullCohortWithQueue(2);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});

      expectProblem(await act(leadA, queue[0]!.id, 'accept-offer'), 403);
      expectProblem(await act(leadA, queue[0]!.id, 'decline-offer'), 403);
      expectProblem(await act(waiting[1]!, queue[0]!.id, 'accept-offer'), 404);
      expectProblem(await act(waiting[1]!, queue[0]!.id, 'decline-offer'), 404);

      expect((await enrolmentRow(queue[0]!.id)).status).toBe('offered');
      // Answer it, so the offer does not linger for other tests' expiry runs.
      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'decline-offer'), 200, { status: 'declined' });
      expectEnrolment(await act(waiting[1]!, queue[1]!.id, 'decline-offer'), 200, { status: 'declined' });
    });

    it('passes a declined offer to the next person, who is offered it in turn', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(2);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});

      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'decline-offer'), 200, { status: 'declined', endReason: 'offer_declined', offerExpiresAt: null });

      expect(await statusesByPerson(target.id)).toMatchObject({ [waiting[0]!.person.id]: 'declined', [waiting[1]!.person.id]: 'offered' });
      expect(await seatsTaken(target.id)).toBe(1);
      expect((await notificationsInCohort(target.id, 'place_offered')).map((row) => row.recipient_person_id)).toEqual([waiting[0]!.person.id, waiting[1]!.person.id]);
      expect(await auditRows(api, { objectId: queue[0]!.id, action: 'enrolment.decline_offer' })).toHaveLength(1);

      expectProblem(await act(waiting[0]!, queue[0]!.id, 'decline-offer'), 409);
      expectProblem(await act(waiting[0]!, queue[0]!.id, 'accept-offer'), 409);
      expect(await notificationsInCohort(target.id, 'place_offered')).toHaveLength(2);
      expectEnrolment(await act(waiting[1]!, queue[1]!.id, 'accept-offer'), 200, { status: 'enrolled' });
    });

    it('frees the seat when the last person declines and nobody is waiting', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(1);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});

      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'decline-offer'), 200, { status: 'declined' });

      expect(await seatsTaken(target.id)).toBe(0);
    });

    it('passes an expired offer to the next person, who gets place_offered; the lapsed one gets offer_expired, once', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(2, 24);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});
      await sql(`update enrolment set offer_expires_at = now() - interval '1 minute' where id = ?`, [queue[0]!.id]);

      // Past its time but not yet swept: it can no longer be accepted, and still holds the seat.
      expectProblem(await act(waiting[0]!, queue[0]!.id, 'accept-offer'), 409);
      expect(await seatsTaken(target.id)).toBe(1);

      const before = Date.now();
      const expired = await api.app.get(EnrolmentService).expireOffers(new Date());

      expect(expired).toBe(1);
      expect(await enrolmentRow(queue[0]!.id)).toMatchObject({ status: 'declined', end_reason: 'offer_expired', offer_expires_at: null });
      const next = await enrolmentRow(queue[1]!.id);
      expect(next.status).toBe('offered');
      const nextExpiry = new Date(next.offer_expires_at!);
      expect(nextExpiry.getTime()).toBeGreaterThanOrEqual(before + 24 * HOUR - 1000);
      expect(nextExpiry.getTime()).toBeLessThanOrEqual(Date.now() + 24 * HOUR + 1000);
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await notificationsAbout(queue[0]!.id)).toEqual([
        expect.objectContaining({ kind: 'waitlisted' }),
        expect.objectContaining({ kind: 'place_offered' }),
        expect.objectContaining({ kind: 'offer_expired', recipient_person_id: waiting[0]!.person.id, subject_id: queue[0]!.id }),
      ]);
      expect((await notificationsAbout(queue[1]!.id)).filter((row) => row.kind === 'place_offered')).toEqual([
        expect.objectContaining({ recipient_person_id: waiting[1]!.person.id, data: expect.objectContaining({ offerExpiresAt: nextExpiry.toISOString() }) }),
      ]);
      expect(await auditRows(api, { objectId: queue[0]!.id, action: 'enrolment.offer_expired' })).toEqual([expect.objectContaining({ actor_account_id: null })]);

      // Running the sweep again changes nothing and emails no one twice.
      expect(await api.app.get(EnrolmentService).expireOffers(new Date())).toBe(0);
      expect(await notificationsInCohort(target.id, 'offer_expired')).toHaveLength(1);
      expect(await notificationsInCohort(target.id, 'place_offered')).toHaveLength(2);

      expectEnrolment(await act(waiting[1]!, queue[1]!.id, 'accept-offer'), 200, { status: 'enrolled' });
    });

    it('frees the seat when an offer expires with nobody left waiting', async () => {
      const { target, holder, held, queue } = await fullCohortWithQueue(1, 1);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});
      await sql(`update enrolment set offer_expires_at = now() - interval '1 second' where id = ?`, [queue[0]!.id]);

      expect(await api.app.get(EnrolmentService).expireOffers(new Date())).toBe(1);

      expect(await seatsTaken(target.id)).toBe(0);
      expect((await enrolmentRow(queue[0]!.id)).status).toBe('declined');
    });

    it('lets a person withdraw from an offer, which passes the seat on', async () => {
      const { target, holder, held, waiting, queue } = await fullCohortWithQueue(2);
      expectEnrolment(await act(holder, held.id, 'withdraw'), 200, {});

      expectEnrolment(await act(waiting[0]!, queue[0]!.id, 'withdraw'), 200, { status: 'withdrawn', offerExpiresAt: null });

      expect(await statusesByPerson(target.id)).toMatchObject({ [waiting[1]!.person.id]: 'offered' });
      expect(await seatsTaken(target.id)).toBe(1);
      expectEnrolment(await act(waiting[1]!, queue[1]!.id, 'decline-offer'), 200, {});
    });
  });

  // ---- Capacity --------------------------------------------------------------------------------

  describe('changing capacity', () => {
    it('raising capacity from 2 to 4 promotes exactly the two oldest waitlisted people', async () => {
      const target = await cohortOf({ capacity: 2 });
      const members = await people(em, 5, orgA);
      const placed = await fill(target.id, members);
      expect(placed.map((p) => [p.status, p.waitlistPosition])).toEqual([
        ['enrolled', null],
        ['enrolled', null],
        ['waitlisted', 1],
        ['waitlisted', 2],
        ['waitlisted', 3],
      ]);

      const response = await patchCohort(leadA, target.id, { capacity: 4 });

      expect({ status: response.status, body: response.body as unknown }).toMatchObject({ status: 200, body: { capacity: 4, seatsTaken: 4, seatsLeft: 0, waitlistLength: 1 } });
      expect(await statusesByPerson(target.id)).toEqual({
        [members[0]!.id]: 'enrolled',
        [members[1]!.id]: 'enrolled',
        [members[2]!.id]: 'enrolled',
        [members[3]!.id]: 'enrolled',
        [members[4]!.id]: 'waitlisted',
      });
      expect(await seatsTaken(target.id)).toBe(4);
      expect((await getEnrolment(leadA, placed[4]!.id).expect(200)).body).toMatchObject({ waitlistPosition: 1 });
      expect((await notificationsInCohort(target.id, 'promoted_from_waitlist')).map((row) => row.subject_id).sort()).toEqual([placed[2]!.id, placed[3]!.id].sort());
      expect(await auditRows(api, { objectId: target.id, action: 'cohort.update' })).toEqual([expect.objectContaining({ actor_account_id: leadA.account.id, details: { fields: ['capacity'] } })]);
    });

    it('refuses to drop capacity below the seats taken (409) and keeps it', async () => {
      const target = await cohortOf({ capacity: 3 });
      await fill(target.id, await people(em, 3, orgA));

      const response = await patchCohort(leadA, target.id, { capacity: 2 });

      expectProblem(response, 409);
      expect((response.body as { detail: string }).detail).toMatch(/3 seats already taken/);
      const [row] = await sql<{ capacity: number; seats_taken: number }>('select capacity, seats_taken from cohort where id = ?', [target.id]);
      expect(row).toEqual({ capacity: 3, seats_taken: 3 });
      expect(await auditRows(api, { objectId: target.id, action: 'cohort.update' })).toEqual([]);
    });

    it('allows capacity down to exactly the seats taken', async () => {
      const target = await cohortOf({ capacity: 5 });
      await fill(target.id, await people(em, 2, orgA));

      expect((await patchCohort(leadA, target.id, { capacity: 2 }).expect(200)).body).toMatchObject({ capacity: 2, seatsTaken: 2, seatsLeft: 0 });
    });

    it('answers a bad capacity with 400, and a lead of another system with 404, changing nothing', async () => {
      const target = await cohortOf({ capacity: 2 });

      expectProblem(await patchCohort(leadA, target.id, { capacity: 0 }), 400, ['capacity']);
      expectProblem(await patchCohort(leadA, target.id, { capacity: 'lots' }), 400, ['capacity']);
      expectProblem(await patchCohort(leadA, target.id, { seats: 10 }), 400);
      expectProblem(await patchCohort(leadB, target.id, { capacity: 10 }), 404);

      const [row] = await sql<{ capacity: number }>('select capacity from cohort where id = ?', [target.id]);
      expect(row!.capacity).toBe(2);
    });
  });

  // ---- Cancelling a cohort ---------------------------------------------------------------------

  describe('cancelling a cohort', () => {
    it('withdraws everyone active and emails each of them once', async () => {
      const target = await cohortOf({ capacity: 2, requiresApproval: true, offerWindowHours: 24 });
      const [first, second, third, fourth] = await people(em, 4, orgA);
      const applicant = await participant();
      const [one, , three] = await fill(target.id, [first!, second!, third!, fourth!]);
      const application = expectEnrolment(await enrolSelf(applicant, target.id), 201, { status: 'pending_approval' });
      expectEnrolment(await act(leadA, one!.id, 'withdraw'), 200, {});
      expect((await enrolmentRow(three!.id)).status).toBe('offered');

      const response = await moveCohort(leadA, target.id, 'cancel');

      expect({ status: response.status, body: response.body as unknown }).toMatchObject({ status: 200, body: { status: 'cancelled', seatsTaken: 0, waitlistLength: 0 } });
      const rows = await enrolmentRows(target.id);
      expect(rows.map((r) => [r.person_id, r.status, r.end_reason])).toEqual([
        [first!.id, 'withdrawn', null],
        [second!.id, 'withdrawn', 'cohort_cancelled'],
        [third!.id, 'withdrawn', 'cohort_cancelled'],
        [fourth!.id, 'withdrawn', 'cohort_cancelled'],
        [applicant.person.id, 'withdrawn', 'cohort_cancelled'],
      ]);
      expect(rows.every((r) => r.waitlist_ticket === null)).toBe(true);
      expect(await seatsTaken(target.id)).toBe(0);
      const cancelled = await notificationsAbout(target.id);
      expect(cancelled.every((row) => row.kind === 'cohort_cancelled' && row.subject_type === 'cohort')).toBe(true);
      expect(cancelled.map((row) => row.recipient_person_id).sort()).toEqual([second!.id, third!.id, fourth!.id, applicant.person.id].sort());
      expect(await auditRows(api, { objectId: target.id, action: 'cohort.cancel' })).toEqual([expect.objectContaining({ actor_account_id: leadA.account.id, details: { from: 'open', to: 'cancelled' } })]);

      expectProblem(await moveCohort(leadA, target.id, 'cancel'), 409);
      expect(await notificationsAbout(target.id)).toHaveLength(4);
      expectProblem(await act(applicant, application.id, 'withdraw'), 409);
      expectProblem(await enrolSelf(applicant, target.id), 409);
      // The withdrawn offer is not swept later as if it had lapsed.
      await sql(`update enrolment set offer_expires_at = now() - interval '1 minute' where cohort_id = ? and offer_expires_at is not null`, [target.id]);
      await api.app.get(EnrolmentService).expireOffers(new Date());
      expect((await enrolmentRow(three!.id)).status).toBe('withdrawn');
      expect(await notificationsInCohort(target.id, 'offer_expired')).toEqual([]);
      expect(await seatsTaken(target.id)).toBe(0);
    });

    it('leaves no expiry on an open offer that the cancellation withdrew', async () => {
      const target = await cohortOf({ capacity: 1, offerWindowHours: 24 });
      const [holder, next] = await fill(target.id, await people(em, 2, orgA));
      expectEnrolment(await act(leadA, holder!.id, 'withdraw'), 200, {});
      expect((await enrolmentRow(next!.id)).status).toBe('offered');

      expect((await moveCohort(leadA, target.id, 'cancel').expect(200)).body).toMatchObject({ status: 'cancelled' });

      // Over, as when the person withdraws from an offer themself: nothing left to expire or show.
      expect((await getEnrolment(leadA, next!.id).expect(200)).body).toMatchObject({ status: 'withdrawn', endReason: 'cohort_cancelled', offerExpiresAt: null });
      expect((await enrolmentRow(next!.id)).offer_expires_at).toBeNull();
    });

    it('does not let a lead of another system cancel the cohort (404)', async () => {
      const target = await cohortOf();
      await fill(target.id, await people(em, 1, orgA));

      expectProblem(await moveCohort(leadB, target.id, 'cancel'), 404);

      expect((await sql<{ status: string }>('select status from cohort where id = ?', [target.id]))[0]!.status).toBe('open');
      expect(await seatsTaken(target.id)).toBe(1);
      expect(await notificationsAbout(target.id)).toEqual([]);
    });

    it('stops enrolment once a lead closes the cohort (409), and takes it again when reopened', async () => {
      const target = await cohortOf();
      const me = await participant();

      expect((await moveCohort(leadA, target.id, 'close').expect(200)).body).toMatchObject({ status: 'closed' });
      const refused = await enrolSelf(me, target.id);
      expectProblem(refused, 409);
      expect((refused.body as { detail: string }).detail).toBe('The cohort is closed, not open for enrolment.');

      expect((await moveCohort(leadA, target.id, 'open').expect(200)).body).toMatchObject({ status: 'open' });
      expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });
    });
  });

  // ---- Completion ------------------------------------------------------------------------------

  describe('completion', () => {
    it('records a lead’s outcome for enrolled people, once, keeping their seats', async () => {
      const target = await cohortOf({ capacity: 3 });
      const [done, notDone] = await fill(target.id, await people(em, 2, orgA));

      expectEnrolment(await act(leadA, done!.id, 'complete', { outcome: 'completed' }), 200, { status: 'completed' });
      expectEnrolment(await act(leadA, notDone!.id, 'complete', { outcome: 'not_completed' }), 200, { status: 'not_completed' });

      expect((await enrolmentRow(done!.id)).status).toBe('completed');
      expect((await enrolmentRow(notDone!.id)).status).toBe('not_completed');
      expect(await seatsTaken(target.id)).toBe(2);
      expect(await auditRows(api, { objectId: done!.id, action: 'enrolment.complete' })).toEqual([
        expect.objectContaining({ actor_account_id: leadA.account.id, details: { cohortId: target.id, status: 'completed' } }),
      ]);

      expectProblem(await act(leadA, done!.id, 'complete', { outcome: 'not_completed' }), 409);
      expectProblem(await act(leadA, done!.id, 'withdraw'), 409);
      expect((await enrolmentRow(done!.id)).status).toBe('completed');
      expect(await auditRows(api, { objectId: done!.id, action: 'enrolment.complete' })).toHaveLength(1);
    });

    it('refuses to complete someone who is not enrolled (409)', async () => {
      const target = await cohortOf({ capacity: 1 });
      const [, waiting] = await fill(target.id, await people(em, 2, orgA));

      expectProblem(await act(leadA, waiting!.id, 'complete', { outcome: 'completed' }), 409);
      expect((await enrolmentRow(waiting!.id)).status).toBe('waitlisted');
    });

    it('answers a bad outcome with 400, a participant with 403 and another system’s lead with 404, changing nothing', async () => {
      const target = await cohortOf();
      const me = await participant();
      const enrolment = expectEnrolment(await enrolSelf(me, target.id), 201, { status: 'enrolled' });

      expectProblem(await act(leadA, enrolment.id, 'complete', { outcome: 'passed' }), 400, ['outcome']);
      expectProblem(await act(leadA, enrolment.id, 'complete', {}), 400, ['outcome']);
      expectProblem(await act(me, enrolment.id, 'complete', { outcome: 'completed' }), 403);
      expectProblem(await act(leadB, enrolment.id, 'complete', { outcome: 'completed' }), 404);

      expect((await enrolmentRow(enrolment.id)).status).toBe('enrolled');
      expect(await auditRows(api, { objectId: enrolment.id, action: 'enrolment.complete' })).toEqual([]);
    });
  });
});
