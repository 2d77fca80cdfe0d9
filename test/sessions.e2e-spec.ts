import { Client } from 'pg';
import type { Response } from 'supertest';
import { Organisation, System } from '@slp/directory';
import { Attendance, Cohort, Programme, Session } from '@slp/learning';
import { addressOf, sessionInvitation, type SessionForInvitation } from '@slp/notifications';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, people, programme } from './support/factories';
import { auditRows, expectNotAudited, expectProblem } from './support/assertions';
import { requestsAs, staffAccounts, twoSystems } from './support/callers';
import { type Component, parseCalendar, prop } from './support/ics-reader';
import { startTestApi, TestApi } from './support/test-api';

interface SessionBody {
  id: string;
  cohortId: string;
  title: string;
  kind: string;
  startsAt: string;
  endsAt: string;
  startsAtLocal: string;
  endsAtLocal: string;
  timeZone: string;
  location: string | null;
  onlineUrl: string | null;
  status: 'scheduled' | 'cancelled';
  sequence: number;
}

interface NotificationRow {
  kind: string;
  recipient_person_id: string;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown> & { session?: Record<string, unknown>; changes?: Record<string, { from: unknown; to: unknown }> };
  dedupe_key: string;
}

type Caller = 'nationalAdmin' | 'adminA' | 'leadA' | 'leadB' | 'coachA' | 'enrolled1' | 'enrolled2' | 'waitlisted' | 'outsider' | 'pB';

/** Checks the invitation's structure and returns its calendar and single event. */
function readInvitation(response: Response): { calendar: Component; event: Component; zone: Component } {
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/calendar\b/);
  const ics = response.text;
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const calendar = parseCalendar(ics);
  expect(calendar.name).toBe('VCALENDAR');
  expect(prop(calendar, 'VERSION').value).toBe('2.0');
  expect(prop(calendar, 'PRODID').value).not.toBe('');
  const events = calendar.components.filter((c) => c.name === 'VEVENT');
  const zones = calendar.components.filter((c) => c.name === 'VTIMEZONE');
  expect(events).toHaveLength(1);
  expect(zones.map((z) => prop(z, 'TZID').value)).toEqual(['Europe/London']);
  expect(zones[0].components.map((c) => c.name).sort()).toEqual(['DAYLIGHT', 'STANDARD']);
  return { calendar, event: events[0], zone: zones[0] };
}

/** 2027-07-01T08:30:00.000Z → 20270701T083000Z */
const icsUtc = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

describe('sessions, their notifications, invitations and attendance (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let programmeA: Programme;
  let main: Cohort;
  const fixtures = {} as Record<Caller, AccountFixture>;
  const token = {} as Record<Caller, string>;
  const enrolmentOf = {} as Record<'enrolled1' | 'enrolled2' | 'waitlisted', string>;
  let enrolledPeople: string[];

  const { get, post, patch, put } = requestsAs(() => api, token);
  const calendarOf = (sessionId: string, as: Caller) => get(`/sessions/${sessionId}/calendar.ics`, as);

  const sessionBody = (overrides: Record<string, unknown> = {}) => ({
    title: 'Systems thinking workshop',
    kind: 'workshop',
    startsAt: '2027-07-01T09:30',
    endsAt: '2027-07-01T12:30',
    location: 'Leeds Civic Hall',
    ...overrides,
  });

  async function createSession(overrides: Record<string, unknown> = {}, cohortId = main.id): Promise<SessionBody> {
    return (await post(`/cohorts/${cohortId}/sessions`, 'leadA', sessionBody(overrides)).expect(201)).body as SessionBody;
  }

  async function notifications(subjectId: string, kind?: string): Promise<NotificationRow[]> {
    return forkEm(api)
      .getConnection()
      .execute<NotificationRow[]>(
        `select kind, recipient_person_id, subject_type, subject_id, data, dedupe_key from notification where subject_id = ?${kind ? ' and kind = ?' : ''} order by created_at, recipient_person_id`,
        kind ? [subjectId, kind] : [subjectId],
      );
  }

  const notificationTotal = async () => Number((await forkEm(api).getConnection().execute<{ n: string }[]>('select count(*) as n from notification'))[0].n);
  const sessionCount = (cohortId: string) => forkEm(api).count(Session, { cohort: cohortId });
  const storedSession = (id: string) => forkEm(api).findOneOrFail(Session, { id });
  const attendanceRows = (sessionId: string) => forkEm(api).find(Attendance, { session: sessionId }, { orderBy: { recordedAt: 'asc' } });
  const recipients = (rows: NotificationRow[]) => rows.map((r) => r.recipient_person_id).sort();

  /**
   * Sends `requests` while `table` is locked in EXCLUSIVE mode (plain reads pass, writes and
   * SELECT … FOR UPDATE wait) and lets go once `waiters` of them wait on a lock: so every request
   * has read before any writes, and a race that could otherwise be missed happens every time.
   */
  async function racing(table: 'session' | 'attendance', waiters: number, requests: () => PromiseLike<Response>[]): Promise<Response[]> {
    const client = new Client({ connectionString: api.config.database.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`lock table ${table} in exclusive mode`);
      const responses = Promise.all(requests());
      let waiting = 0;
      for (const deadline = Date.now() + 5000; Date.now() < deadline && waiting < waiters; await new Promise((resolve) => setTimeout(resolve, 10))) {
        // pg_stat_activity is a snapshot taken once per transaction unless cleared.
        await client.query('select pg_stat_clear_snapshot()');
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`);
        waiting = rows[0].n;
      }
      await client.query('commit');
      // Otherwise the requests ran one after another and the race this sets up never happened.
      if (waiting < waiters) throw new Error(`only ${waiting} of ${waiters} requests waited on the ${table} lock`);
      return await responses;
    } finally {
      await client.end();
    }
  }

  async function enrol(cohortId: string, personId: string): Promise<{ id: string; status: string }> {
    return (await post(`/cohorts/${cohortId}/enrolments`, 'leadA', { personId }).expect(201)).body as { id: string; status: string };
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    Object.assign(fixtures, await staffAccounts(em, { systemA, orgA }));
    fixtures.leadB = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
    fixtures.coachA = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA });
    for (const caller of ['enrolled1', 'enrolled2', 'waitlisted', 'outsider'] as const) fixtures[caller] = await account(em, { organisation: orgA });
    fixtures.pB = await account(em, { organisation: orgB });
    for (const caller of Object.keys(fixtures) as Caller[]) token[caller] = accessTokenFor(api, fixtures[caller]);

    programmeA = await programme(em, systemA, { title: 'Leading Across Systems' });
    main = await cohort(em, programmeA, { capacity: 2, waitlistEnabled: true, name: 'Spring 2027' });
    for (const caller of ['enrolled1', 'enrolled2', 'waitlisted'] as const) enrolmentOf[caller] = (await enrol(main.id, fixtures[caller].person.id)).id;
    enrolledPeople = [fixtures.enrolled1.person.id, fixtures.enrolled2.person.id].sort();
    const waiting = await get(`/enrolments/${enrolmentOf.waitlisted}`, 'waitlisted').expect(200);
    expect((waiting.body as { status: string }).status).toBe('waitlisted');
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('scheduling', () => {
    it('stores a summer time given without an offset as London time: 09:30 is 08:30Z', async () => {
      const response = await post(`/cohorts/${main.id}/sessions`, 'leadA', sessionBody({ startsAt: '2027-07-01T09:30', endsAt: '2027-07-01T12:30' })).expect(201);

      const created = response.body as SessionBody;
      expect(created).toEqual({
        id: expect.any(String),
        cohortId: main.id,
        title: 'Systems thinking workshop',
        kind: 'workshop',
        startsAt: '2027-07-01T08:30:00.000Z',
        endsAt: '2027-07-01T11:30:00.000Z',
        startsAtLocal: '2027-07-01T09:30:00+01:00',
        endsAtLocal: '2027-07-01T12:30:00+01:00',
        timeZone: 'Europe/London',
        location: 'Leeds Civic Hall',
        onlineUrl: null,
        status: 'scheduled',
        sequence: 0,
      });
      const stored = await storedSession(created.id);
      expect([stored.startsAt.toISOString(), stored.endsAt.toISOString(), stored.sequence]).toEqual(['2027-07-01T08:30:00.000Z', '2027-07-01T11:30:00.000Z', 0]);
      expect((await get(`/sessions/${created.id}`, 'enrolled1').expect(200)).body).toEqual(created);
      expect(await auditRows(api, { objectId: created.id, action: 'session.create' })).toEqual([
        expect.objectContaining({ actor_account_id: fixtures.leadA.account.id, object_type: 'session', request_id: response.headers['x-request-id'], details: { cohortId: main.id } }),
      ]);
    });

    it('stores a winter time given without an offset as London time: 09:30 is 09:30Z', async () => {
      const created = await createSession({ startsAt: '2027-01-15T09:30', endsAt: '2027-01-15T16:00' });

      expect(created).toMatchObject({ startsAt: '2027-01-15T09:30:00.000Z', endsAt: '2027-01-15T16:00:00.000Z', startsAtLocal: '2027-01-15T09:30:00+00:00', endsAtLocal: '2027-01-15T16:00:00+00:00' });
      expect((await storedSession(created.id)).startsAt.toISOString()).toBe('2027-01-15T09:30:00.000Z');
    });

    it('takes a time with an offset or Z as that instant', async () => {
      const withOffset = await createSession({ startsAt: '2027-07-01T09:30:00+01:00', endsAt: '2027-07-01T10:30:00+01:00' });
      const inUtc = await createSession({ startsAt: '2027-07-01T09:30:00Z', endsAt: '2027-07-01T10:30:00Z' });

      expect(withOffset).toMatchObject({ startsAt: '2027-07-01T08:30:00.000Z', startsAtLocal: '2027-07-01T09:30:00+01:00' });
      expect(inUtc).toMatchObject({ startsAt: '2027-07-01T09:30:00.000Z', startsAtLocal: '2027-07-01T10:30:00+01:00' });
    });

    it('accepts an online session with a link and no location', async () => {
      const created = await createSession({ location: undefined, onlineUrl: 'https://meet.nhs.example/abc-defg', kind: 'action_learning_set' });

      expect(created).toMatchObject({ location: null, onlineUrl: 'https://meet.nhs.example/abc-defg', kind: 'action_learning_set' });
    });

    it('emails session_scheduled once to each enrolled person, not to the waitlisted or anyone else', async () => {
      const created = await createSession({ title: 'Coaching for change', startsAt: '2027-07-08T09:30', endsAt: '2027-07-08T12:00' });

      const rows = await notifications(created.id);
      expect(rows.map((r) => r.kind)).toEqual(['session_scheduled', 'session_scheduled']);
      expect(recipients(rows)).toEqual(enrolledPeople);
      expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(2);
      for (const row of rows) {
        expect(row.subject_type).toBe('session');
        expect(row.subject_id).toBe(created.id);
        expect(row.data).toMatchObject({
          programmeTitle: 'Leading Across Systems',
          cohortId: main.id,
          cohortName: 'Spring 2027',
          givenName: 'Test',
          session: { id: created.id, sequence: 0, title: 'Coaching for change', kind: 'workshop', startsAt: '2027-07-08T09:30:00+01:00', endsAt: '2027-07-08T12:00:00+01:00', startsAtLondon: 'Thursday 8 July 2027, 9:30am', location: 'Leeds Civic Hall', onlineUrl: null },
        });
      }
      expect(rows.some((r) => r.recipient_person_id === fixtures.waitlisted.person.id)).toBe(false);
    });

    it.each([
      ['an end before the start', { endsAt: '2027-07-01T09:00' }, ['endsAt']],
      ['an end equal to the start', { endsAt: '2027-07-01T09:30' }, ['endsAt']],
      ['neither location nor online link', { location: undefined }, ['location']],
      ['a blank location and no online link', { location: '   ' }, ['location']],
      ['an unknown kind', { kind: 'webinar' }, ['kind']],
      ['an online link that is not https', { onlineUrl: 'http://meet.example/abc' }, ['onlineUrl']],
      ['a start that is not a date-time', { startsAt: 'next Thursday' }, ['startsAt']],
      ['a missing title', { title: undefined }, ['title']],
      ['an unknown field', { status: 'cancelled' }, ['status']],
    ])('rejects %s with 400, storing and emailing nothing', async (_case, overrides, fields) => {
      const [sessionsBefore, emailsBefore] = [await sessionCount(main.id), await notificationTotal()];

      const response = await post(`/cohorts/${main.id}/sessions`, 'leadA', sessionBody(overrides));

      expectProblem(response, 400, fields);
      expect(await sessionCount(main.id)).toBe(sessionsBefore);
      expect(await notificationTotal()).toBe(emailsBefore);
      await expectNotAudited(api, response);
    });

    it('lets only managers of the programme schedule sessions', async () => {
      const before = await sessionCount(main.id);

      expectProblem(await post(`/cohorts/${main.id}/sessions`, 'enrolled1', sessionBody()), 403);
      expectProblem(await post(`/cohorts/${main.id}/sessions`, 'coachA', sessionBody()), 403);
      expectProblem(await post(`/cohorts/${main.id}/sessions`, 'leadB', sessionBody()), 404);
      expect(await sessionCount(main.id)).toBe(before);
    });

    it('refuses sessions for a completed or cancelled cohort (409)', async () => {
      for (const status of ['completed', 'cancelled'] as const) {
        const finished = await cohort(forkEm(api), programmeA, { status });
        expectProblem(await post(`/cohorts/${finished.id}/sessions`, 'leadA', sessionBody()), 409);
        expect(await sessionCount(finished.id)).toBe(0);
      }
    });

    it('lists a cohort’s sessions in start order to those who can see the cohort', async () => {
      const own = await cohort(forkEm(api), programmeA, { status: 'open' });
      const later = await createSession({ title: 'Later', startsAt: '2027-09-01T09:30', endsAt: '2027-09-01T10:30' }, own.id);
      const earlier = await createSession({ title: 'Earlier', startsAt: '2027-08-01T09:30', endsAt: '2027-08-01T10:30' }, own.id);

      const listed = (await get(`/cohorts/${own.id}/sessions`, 'outsider').expect(200)).body as { items: SessionBody[] };

      expect(listed.items.map((s) => s.id)).toEqual([earlier.id, later.id]);
      expectProblem(await get(`/cohorts/${own.id}/sessions`, 'leadB'), 404);
      expectProblem(await get(`/cohorts/${own.id}/sessions`, 'pB'), 404);
      expectProblem(await get(`/sessions/${earlier.id}`, 'pB'), 404);
    });
  });

  describe('changing a session', () => {
    it('bumps the sequence once per change and emails each enrolled person exactly what changed', async () => {
      const created = await createSession({ title: 'Leading through complexity', startsAt: '2027-07-15T09:30', endsAt: '2027-07-15T12:30' });

      const moved = await patch(`/sessions/${created.id}`, 'leadA', { startsAt: '2027-07-15T10:00', endsAt: '2027-07-15T13:00' }).expect(200);

      expect(moved.body).toMatchObject({ sequence: 1, startsAt: '2027-07-15T09:00:00.000Z', startsAtLocal: '2027-07-15T10:00:00+01:00', endsAtLocal: '2027-07-15T13:00:00+01:00', title: 'Leading through complexity' });
      let changed = await notifications(created.id, 'session_changed');
      expect(changed).toHaveLength(2);
      expect(recipients(changed)).toEqual(enrolledPeople);
      for (const row of changed) {
        expect(row.subject_type).toBe('session');
        expect(row.data.session).toMatchObject({ id: created.id, sequence: 1, startsAt: '2027-07-15T10:00:00+01:00' });
        expect(row.data.changes).toMatchObject({
          startsAt: { from: '2027-07-15T09:30:00+01:00', to: '2027-07-15T10:00:00+01:00' },
          endsAt: { from: '2027-07-15T12:30:00+01:00', to: '2027-07-15T13:00:00+01:00' },
        });
        for (const unchanged of ['title', 'kind', 'location', 'onlineUrl']) expect(row.data.changes).not.toHaveProperty(unchanged);
      }
      expect(await auditRows(api, { requestId: moved.headers['x-request-id'] as string })).toEqual([
        expect.objectContaining({ action: 'session.update', object_id: created.id, actor_account_id: fixtures.leadA.account.id, details: expect.objectContaining({ sequence: 1 }) }),
      ]);

      const relocated = await patch(`/sessions/${created.id}`, 'leadA', { location: 'Bradford City Hall', title: 'Leading through uncertainty' }).expect(200);

      expect(relocated.body).toMatchObject({ sequence: 2, location: 'Bradford City Hall', title: 'Leading through uncertainty' });
      changed = await notifications(created.id, 'session_changed');
      expect(changed).toHaveLength(4);
      const second = changed.filter((r) => (r.data.session as { sequence: number }).sequence === 2);
      expect(recipients(second)).toEqual(enrolledPeople);
      for (const row of second) {
        expect(row.data.changes).toEqual({ location: { from: 'Leeds Civic Hall', to: 'Bradford City Hall' }, title: { from: 'Leading through complexity', to: 'Leading through uncertainty' } });
      }
      expect((await storedSession(created.id)).sequence).toBe(2);
      expect(await notifications(created.id, 'session_scheduled')).toHaveLength(2);
    });

    it('neither bumps the sequence nor emails anyone when a change changes nothing', async () => {
      const created = await createSession({ startsAt: '2027-07-22T09:30', endsAt: '2027-07-22T12:30' });
      const emailsBefore = await notificationTotal();

      // The same values, the start given as the same instant in UTC.
      const same = await patch(`/sessions/${created.id}`, 'leadA', { title: created.title, startsAt: '2027-07-22T08:30:00Z', location: created.location }).expect(200);
      const empty = await patch(`/sessions/${created.id}`, 'leadA', {}).expect(200);

      expect(same.body).toMatchObject({ sequence: 0 });
      expect(empty.body).toMatchObject({ sequence: 0 });
      expect((await storedSession(created.id)).sequence).toBe(0);
      expect(await notifications(created.id, 'session_changed')).toEqual([]);
      expect(await notificationTotal()).toBe(emailsBefore);
      await expectNotAudited(api, same);
      await expectNotAudited(api, empty);
    });

    it.each([
      ['an end before the start', { endsAt: '2027-07-29T08:00' }, ['endsAt']],
      ['a start after the end', { startsAt: '2027-07-29T13:00' }, ['endsAt']],
      ['clearing the location with no online link', { location: null }, ['location']],
      ['an unknown kind', { kind: 'webinar' }, ['kind']],
      ['a sequence (the server keeps it)', { sequence: 7 }, ['sequence']],
    ])('rejects %s with 400 and changes nothing', async (_case, body, fields) => {
      const created = await createSession({ startsAt: '2027-07-29T09:30', endsAt: '2027-07-29T12:30' });

      const response = await patch(`/sessions/${created.id}`, 'leadA', body);

      expectProblem(response, 400, fields);
      const stored = await storedSession(created.id);
      expect({ sequence: stored.sequence, startsAt: stored.startsAt.toISOString(), endsAt: stored.endsAt.toISOString(), location: stored.location, kind: stored.kind }).toEqual({
        sequence: 0,
        startsAt: created.startsAt,
        endsAt: created.endsAt,
        location: 'Leeds Civic Hall',
        kind: 'workshop',
      });
      expect(await notifications(created.id, 'session_changed')).toEqual([]);
      await expectNotAudited(api, response);
    });

    it('lets only managers of the programme change a session', async () => {
      const created = await createSession();

      expectProblem(await patch(`/sessions/${created.id}`, 'enrolled1', { title: 'Hijacked' }), 403);
      expectProblem(await patch(`/sessions/${created.id}`, 'coachA', { title: 'Hijacked' }), 403);
      expectProblem(await patch(`/sessions/${created.id}`, 'leadB', { title: 'Hijacked' }), 404);
      expectProblem(await patch('/sessions/0193c6a0-0000-7000-8000-00000000beef', 'leadA', { title: 'Nowhere' }), 404);
      expect((await storedSession(created.id)).title).toBe(created.title);
      expect(await notifications(created.id, 'session_changed')).toEqual([]);
    });

    it('counts every one of several simultaneous changes: one sequence step and one email each', async () => {
      const created = await createSession({ startsAt: '2027-08-05T09:30', endsAt: '2027-08-05T12:30' });
      const titles = ['Version A', 'Version B', 'Version C', 'Version D'];

      const responses = await racing('session', titles.length, () => titles.map((title) => patch(`/sessions/${created.id}`, 'leadA', { title })));

      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect((await storedSession(created.id)).sequence).toBe(4);
      const changed = await notifications(created.id, 'session_changed');
      expect(changed).toHaveLength(titles.length * enrolledPeople.length);
      expect(changed.map((r) => (r.data.session as { sequence: number }).sequence).sort()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    });
  });

  describe('cancelling a session', () => {
    it('cancels it, bumps the sequence and emails session_cancelled once to each enrolled person', async () => {
      const created = await createSession({ startsAt: '2027-08-12T09:30', endsAt: '2027-08-12T12:30' });
      await patch(`/sessions/${created.id}`, 'leadA', { title: 'Moved once' }).expect(200);

      const response = await post(`/sessions/${created.id}/cancel`, 'leadA').expect(200);

      expect(response.body).toMatchObject({ id: created.id, status: 'cancelled', sequence: 2 });
      expect(await storedSession(created.id)).toMatchObject({ status: 'cancelled', sequence: 2 });
      const cancelled = await notifications(created.id, 'session_cancelled');
      expect(recipients(cancelled)).toEqual(enrolledPeople);
      for (const row of cancelled) expect(row.data.session).toMatchObject({ id: created.id, sequence: 2, title: 'Moved once' });
      expect(await auditRows(api, { objectId: created.id, action: 'session.cancel' })).toEqual([expect.objectContaining({ actor_account_id: fixtures.leadA.account.id, details: { sequence: 2 } })]);

      const again = await post(`/sessions/${created.id}/cancel`, 'leadA');
      expectProblem(again, 409);
      expectProblem(await patch(`/sessions/${created.id}`, 'leadA', { title: 'Back on?' }), 409);
      expect(await storedSession(created.id)).toMatchObject({ status: 'cancelled', sequence: 2, title: 'Moved once' });
      expect(await notifications(created.id, 'session_cancelled')).toHaveLength(2);
      expect(await notifications(created.id)).toHaveLength(6);
      await expectNotAudited(api, again);
    });

    it('cancels a session once when two cancellations arrive together: the other is refused (409)', async () => {
      const created = await createSession({ startsAt: '2027-08-19T09:30', endsAt: '2027-08-19T12:30' });

      const responses = await racing('session', 2, () => [post(`/sessions/${created.id}/cancel`, 'leadA'), post(`/sessions/${created.id}/cancel`, 'leadA')]);

      expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await storedSession(created.id)).toMatchObject({ status: 'cancelled', sequence: 1 });
      expect(await auditRows(api, { objectId: created.id, action: 'session.cancel' })).toHaveLength(1);
    });

    it('never changes a session after cancelling it, even when the change and the cancellation arrive together', async () => {
      const created = await createSession({ startsAt: '2027-08-26T09:30', endsAt: '2027-08-26T12:30' });

      const [changed, cancelled] = await racing('session', 2, () => [patch(`/sessions/${created.id}`, 'leadA', { title: 'Changed at the last minute' }), post(`/sessions/${created.id}/cancel`, 'leadA')]);

      expect(cancelled.status).toBe(200);
      expect([200, 409]).toContain(changed.status);
      const stored = await storedSession(created.id);
      // Each accepted request is one step of the sequence, and the cancellation is the last.
      expect(stored).toMatchObject({ status: 'cancelled', sequence: changed.status === 200 ? 2 : 1 });
      expect(cancelled.body).toMatchObject({ sequence: stored.sequence });
      expect(await notifications(created.id, 'session_changed')).toHaveLength(changed.status === 200 ? 2 : 0);
    });

    it('lets only managers of the programme cancel a session', async () => {
      const created = await createSession();

      expectProblem(await post(`/sessions/${created.id}/cancel`, 'enrolled1'), 403);
      expectProblem(await post(`/sessions/${created.id}/cancel`, 'leadB'), 404);
      expect((await storedSession(created.id)).status).toBe('scheduled');
      expect(await notifications(created.id, 'session_cancelled')).toEqual([]);
    });
  });

  describe('calendar.ics', () => {
    it('gives an enrolled person an RFC 5545 invitation with London times, a UTC DTSTAMP and the VTIMEZONE', async () => {
      const created = await createSession({ title: 'Systems leadership, day one', startsAt: '2027-07-01T09:30', endsAt: '2027-07-01T12:30' });
      const before = new Date(Date.now() - 1000);

      const response = await calendarOf(created.id, 'enrolled1');

      const { calendar, event } = readInvitation(response);
      const after = new Date(Date.now() + 1000);
      expect(prop(calendar, 'METHOD').value).toBe('REQUEST');
      expect(prop(event, 'UID').value).toContain(created.id);
      expect(prop(event, 'SEQUENCE').value).toBe('0');
      expect(prop(event, 'STATUS').value).toBe('CONFIRMED');
      expect(prop(event, 'DTSTART')).toEqual({ name: 'DTSTART', params: { TZID: 'Europe/London' }, value: '20270701T093000' });
      expect(prop(event, 'DTEND')).toEqual({ name: 'DTEND', params: { TZID: 'Europe/London' }, value: '20270701T123000' });
      expect(prop(event, 'SUMMARY').value).toBe('Systems leadership\\, day one (Leading Across Systems)');
      expect(prop(event, 'LOCATION').value).toBe('Leeds Civic Hall');
      const stamp = prop(event, 'DTSTAMP');
      expect(stamp.params).toEqual({});
      expect(stamp.value).toMatch(/^\d{8}T\d{6}Z$/);
      expect(stamp.value >= icsUtc(before) && stamp.value <= icsUtc(after)).toBe(true);
      // RFC 5545 §3.1/§3.4: the last content line ends with CRLF too.
      expect(response.text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    });

    it('writes a winter session in GMT', async () => {
      const created = await createSession({ startsAt: '2027-01-20T09:30', endsAt: '2027-01-20T11:00' });

      const { event } = readInvitation(await calendarOf(created.id, 'enrolled2'));

      expect(prop(event, 'DTSTART').value).toBe('20270120T093000');
      expect(prop(event, 'DTEND').value).toBe('20270120T110000');
    });

    it('gives it to the cohort’s staff', async () => {
      const created = await createSession();

      for (const caller of ['leadA', 'coachA', 'adminA', 'nationalAdmin'] as const) readInvitation(await calendarOf(created.id, caller));
    });

    it('hides it (404) from people who are not enrolled: the waitlisted, others of the system, other systems', async () => {
      const created = await createSession();

      for (const caller of ['waitlisted', 'outsider', 'pB', 'leadB'] as const) {
        const response = await calendarOf(created.id, caller);
        expectProblem(response, 404);
        expect(response.text).not.toContain('BEGIN:VCALENDAR');
      }
    });

    it('keeps the UID across changes, follows the sequence, and becomes METHOD:CANCEL once cancelled', async () => {
      const created = await createSession({ startsAt: '2027-07-01T09:30', endsAt: '2027-07-01T12:30' });
      const first = readInvitation(await calendarOf(created.id, 'enrolled1')).event;

      await patch(`/sessions/${created.id}`, 'leadA', { startsAt: '2027-07-02T14:00', endsAt: '2027-07-02T16:00' }).expect(200);
      const moved = readInvitation(await calendarOf(created.id, 'enrolled1'));
      await post(`/sessions/${created.id}/cancel`, 'leadA').expect(200);
      const cancelled = readInvitation(await calendarOf(created.id, 'enrolled1'));

      expect(prop(moved.event, 'UID').value).toBe(prop(first, 'UID').value);
      expect(prop(cancelled.event, 'UID').value).toBe(prop(first, 'UID').value);
      expect(prop(moved.calendar, 'METHOD').value).toBe('REQUEST');
      expect(prop(moved.event, 'SEQUENCE').value).toBe('1');
      expect(prop(moved.event, 'DTSTART').value).toBe('20270702T140000');
      expect(prop(cancelled.calendar, 'METHOD').value).toBe('CANCEL');
      expect(prop(cancelled.event, 'STATUS').value).toBe('CANCELLED');
      expect(prop(cancelled.event, 'SEQUENCE').value).toBe('2');
      expect((await storedSession(created.id)).sequence).toBe(2);
    });
  });

  describe('attendance', () => {
    type Status = 'present' | 'absent' | 'apologies';
    const record = (sessionId: string, records: { enrolmentId: string; status: Status | string }[], as: Caller = 'leadA') => put(`/sessions/${sessionId}/attendance`, as, { records });

    it('records attendance, shows it to the lead and to each person on their own enrolment, and audits it', async () => {
      const created = await createSession();

      const response = await record(created.id, [
        { enrolmentId: enrolmentOf.enrolled1, status: 'present' },
        { enrolmentId: enrolmentOf.enrolled2, status: 'apologies' },
      ]).expect(200);

      expect((response.body as { items: unknown[] }).items).toEqual([
        { sessionId: created.id, enrolmentId: enrolmentOf.enrolled1, status: 'present', recordedAt: expect.any(String) },
        { sessionId: created.id, enrolmentId: enrolmentOf.enrolled2, status: 'apologies', recordedAt: expect.any(String) },
      ]);
      const listed = (await get(`/sessions/${created.id}/attendance`, 'leadA').expect(200)).body as { items: { enrolmentId: string; status: string }[] };
      expect(listed.items.map((a) => [a.enrolmentId, a.status]).sort()).toEqual(
        [
          [enrolmentOf.enrolled1, 'present'],
          [enrolmentOf.enrolled2, 'apologies'],
        ].sort(),
      );
      const own = (await get(`/enrolments/${enrolmentOf.enrolled1}`, 'enrolled1').expect(200)).body as { attendance: { sessionId: string; status: string }[] };
      expect(own.attendance.filter((a) => a.sessionId === created.id)).toEqual([{ sessionId: created.id, status: 'present', recordedAt: expect.any(String) }]);
      expectProblem(await get(`/enrolments/${enrolmentOf.enrolled1}`, 'enrolled2'), 404);
      const audited = await auditRows(api, { requestId: response.headers['x-request-id'] as string });
      expect(audited).toEqual([expect.objectContaining({ action: 'attendance.record', object_type: 'session', object_id: created.id, actor_account_id: fixtures.leadA.account.id })]);
      expect((audited[0].details as { enrolmentIds: string[] }).enrolmentIds.sort()).toEqual([enrolmentOf.enrolled1, enrolmentOf.enrolled2].sort());
    });

    it('corrects a record with a second PUT, keeping one record per person', async () => {
      const created = await createSession();
      await record(created.id, [{ enrolmentId: enrolmentOf.enrolled1, status: 'absent' }]).expect(200);

      await record(created.id, [{ enrolmentId: enrolmentOf.enrolled1, status: 'present' }]).expect(200);

      const rows = await attendanceRows(created.id);
      expect(rows.map((a) => [a.enrolment.id, a.status])).toEqual([[enrolmentOf.enrolled1, 'present']]);
      const own = (await get(`/enrolments/${enrolmentOf.enrolled1}`, 'enrolled1').expect(200)).body as { attendance: { sessionId: string; status: string }[] };
      expect(own.attendance.filter((a) => a.sessionId === created.id).map((a) => a.status)).toEqual(['present']);
    });

    it('records attendance once when the same record arrives twice at once', async () => {
      const created = await createSession();
      const body = { records: [{ enrolmentId: enrolmentOf.enrolled2, status: 'present' }] };

      const responses = await racing('attendance', 2, () => [put(`/sessions/${created.id}/attendance`, 'leadA', body), put(`/sessions/${created.id}/attendance`, 'leadA', body)]);

      // PUT is idempotent (RFC 9110 §9.2.2): repeating it, even at once, is not a conflict.
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      expect((await attendanceRows(created.id)).map((a) => [a.enrolment.id, a.status])).toEqual([[enrolmentOf.enrolled2, 'present']]);
    });

    it('rejects an unknown enrolment id with 400 on records.N.enrolmentId and stores none of the records', async () => {
      const created = await createSession();

      const response = await record(created.id, [
        { enrolmentId: enrolmentOf.enrolled1, status: 'present' },
        { enrolmentId: '0193c6a0-0000-7000-8000-00000000beef', status: 'absent' },
      ]);

      expectProblem(response, 400, ['records.1.enrolmentId']);
      expect((response.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['records.1.enrolmentId']);
      expect(await attendanceRows(created.id)).toEqual([]);
      await expectNotAudited(api, response);
    });

    it('rejects enrolments of another cohort and people who are only waitlisted, storing nothing', async () => {
      const created = await createSession();
      const other = await cohort(forkEm(api), programmeA, { status: 'open' });
      const [stranger] = await people(forkEm(api), 1, orgA);
      const foreign = await enrol(other.id, stranger.id);

      const response = await record(created.id, [
        { enrolmentId: foreign.id, status: 'present' },
        { enrolmentId: enrolmentOf.enrolled2, status: 'present' },
        { enrolmentId: enrolmentOf.waitlisted, status: 'present' },
      ]);

      expectProblem(response, 400);
      expect((response.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['records.0.enrolmentId', 'records.2.enrolmentId']);
      expect(await attendanceRows(created.id)).toEqual([]);
    });

    it('rejects the same enrolment twice in one request (400), storing nothing', async () => {
      const created = await createSession();

      const response = await record(created.id, [
        { enrolmentId: enrolmentOf.enrolled1, status: 'present' },
        { enrolmentId: enrolmentOf.enrolled1, status: 'absent' },
      ]);

      expectProblem(response, 400, ['records']);
      expect(await attendanceRows(created.id)).toEqual([]);
    });

    it.each([
      ['an unknown status', { records: [{ enrolmentId: '0193c6a0-0000-7000-8000-00000000beef', status: 'late' }] }, ['records.0.status']],
      ['a malformed enrolment id', { records: [{ enrolmentId: 'me', status: 'present' }] }, ['records.0.enrolmentId']],
      ['no records', { records: [] }, ['records']],
      ['records that are not a list', { records: 'all present' }, ['records']],
    ])('rejects %s with 400', async (_case, body, fields) => {
      const created = await createSession();

      expectProblem(await put(`/sessions/${created.id}/attendance`, 'leadA', body), 400, fields);
      expect(await attendanceRows(created.id)).toEqual([]);
    });

    it('lets only managers of the programme record attendance', async () => {
      const created = await createSession();
      const body = { records: [{ enrolmentId: enrolmentOf.enrolled1, status: 'present' }] };

      expectProblem(await put(`/sessions/${created.id}/attendance`, 'enrolled1', body), 403);
      expectProblem(await put(`/sessions/${created.id}/attendance`, 'coachA', body), 403);
      expectProblem(await put(`/sessions/${created.id}/attendance`, 'leadB', body), 404);
      expectProblem(await get(`/sessions/${created.id}/attendance`, 'enrolled1'), 403);
      expect(await attendanceRows(created.id)).toEqual([]);
    });
  });

  describe('joining a cohort after its sessions were scheduled', () => {
    /** A cohort with one session to come, one moved (sequence 1), one past and one cancelled. */
    async function cohortWithSessions(options: Parameters<typeof cohort>[2]) {
      const target = await cohort(forkEm(api), programmeA, options);
      const upcoming = await createSession({ title: 'Upcoming', startsAt: '2027-07-01T09:30', endsAt: '2027-07-01T12:30' }, target.id);
      const moved = await createSession({ title: 'Moved', startsAt: '2027-07-02T09:30', endsAt: '2027-07-02T12:30' }, target.id);
      await patch(`/sessions/${moved.id}`, 'leadA', { location: 'Bradford City Hall' }).expect(200);
      const past = await createSession({ title: 'Past', startsAt: '2027-07-03T09:30', endsAt: '2027-07-03T12:30' }, target.id);
      await forkEm(api).getConnection().execute(`update session set starts_at = now() - interval '2 days', ends_at = now() - interval '2 days' + interval '1 hour' where id = ?`, [past.id]);
      const cancelled = await createSession({ title: 'Cancelled', startsAt: '2027-07-04T09:30', endsAt: '2027-07-04T12:30' }, target.id);
      await post(`/sessions/${cancelled.id}/cancel`, 'leadA').expect(200);
      return { target, upcoming, moved, past, cancelled, toCome: [[upcoming.id, 0], [moved.id, 1]] as [string, number][] };
    }

    /** The session invitations `personId` was sent, as [session id, sequence], in start order. */
    async function invitationsOf(personId: string, sessionIds: string[]): Promise<[string, number][]> {
      const rows = await forkEm(api)
        .getConnection()
        .execute<NotificationRow[]>(`select kind, recipient_person_id, subject_type, subject_id, data, dedupe_key from notification where kind = 'session_scheduled' and recipient_person_id = ? and subject_id in (?) order by data->'session'->>'startsAt'`, [personId, sessionIds]);
      return rows.map((row) => [row.subject_id, Number(row.data.session!.sequence)]);
    }

    const allOf = (fixture: Awaited<ReturnType<typeof cohortWithSessions>>) => [fixture.upcoming.id, fixture.moved.id, fixture.past.id, fixture.cancelled.id];
    const asPerson = (who: AccountFixture) => ({ Authorization: `Bearer ${accessTokenFor(api, who)}` });

    it('invites someone enrolled directly to each session still to come, with the same UID and SEQUENCE as everyone else', async () => {
      const fixture = await cohortWithSessions({ capacity: 5 });
      const [newcomer] = await people(forkEm(api), 1, orgA);

      await enrol(fixture.target.id, newcomer!.id);

      expect(await invitationsOf(newcomer!.id, allOf(fixture))).toEqual(fixture.toCome);
      // The invitation attached to the email is the event calendar.ics serves: same UID, same SEQUENCE, a REQUEST.
      const [row] = await notifications(fixture.moved.id, 'session_scheduled');
      const attached = parseCalendar(sessionInvitation(row!.data.session as unknown as SessionForInvitation, { programmeTitle: String(row!.data.programmeTitle), cohortName: String(row!.data.cohortName), organiserEmail: addressOf(api.config.mail.from), cancelled: false }).content);
      const served = readInvitation(await calendarOf(fixture.moved.id, 'leadA'));
      const event = attached.components.find((c) => c.name === 'VEVENT')!;
      expect(prop(attached, 'METHOD').value).toBe('REQUEST');
      expect(prop(event, 'UID').value).toBe(prop(served.event, 'UID').value);
      expect(prop(event, 'SEQUENCE').value).toBe('1');
      expect(prop(event, 'LOCATION').value).toBe('Bradford City Hall');
      expect(row!.data).toMatchObject({ joinedAfterScheduling: true, givenName: newcomer!.givenName });
    });

    it('invites someone promoted from the waitlist, but not while they wait, and never twice when they come back', async () => {
      const fixture = await cohortWithSessions({ capacity: 1, offerWindowHours: 0 });
      const [holder, waiting] = await people(forkEm(api), 2, orgA);
      const held = await enrol(fixture.target.id, holder!.id);
      const queued = await enrol(fixture.target.id, waiting!.id);
      expect(queued.status).toBe('waitlisted');
      expect(await invitationsOf(waiting!.id, allOf(fixture))).toEqual([]);

      await post(`/enrolments/${held.id}/withdraw`, 'leadA').expect(200);

      expect((await get(`/enrolments/${queued.id}`, 'leadA').expect(200)).body).toMatchObject({ status: 'enrolled' });
      expect(await invitationsOf(waiting!.id, allOf(fixture))).toEqual(fixture.toCome);

      // The one who withdrew comes back when a seat frees up: they had the invitations already.
      await post(`/enrolments/${queued.id}/withdraw`, 'leadA').expect(200);
      await enrol(fixture.target.id, holder!.id);
      expect(await invitationsOf(holder!.id, allOf(fixture))).toEqual(fixture.toCome);
    });

    it('invites someone whose application is approved, and someone who accepts an offered place', async () => {
      const approval = await cohortWithSessions({ capacity: 5, requiresApproval: true });
      const applicant = await account(forkEm(api), { organisation: orgA });
      const applied = (await api.http().post(`/api/v1/cohorts/${approval.target.id}/enrolments`).set(asPerson(applicant)).send({}).expect(201)).body as { id: string; status: string };
      expect(applied.status).toBe('pending_approval');
      expect(await invitationsOf(applicant.person.id, allOf(approval))).toEqual([]);
      await post(`/enrolments/${applied.id}/approve`, 'leadA').expect(200);
      expect(await invitationsOf(applicant.person.id, allOf(approval))).toEqual(approval.toCome);

      const offers = await cohortWithSessions({ capacity: 1, offerWindowHours: 24 });
      const [holder] = await people(forkEm(api), 1, orgA);
      const held = await enrol(offers.target.id, holder!.id);
      const hopeful = await account(forkEm(api), { organisation: orgA });
      const queued = (await api.http().post(`/api/v1/cohorts/${offers.target.id}/enrolments`).set(asPerson(hopeful)).send({}).expect(201)).body as { id: string; status: string };
      await post(`/enrolments/${held.id}/withdraw`, 'leadA').expect(200);
      expect((await api.http().get(`/api/v1/enrolments/${queued.id}`).set(asPerson(hopeful)).expect(200)).body).toMatchObject({ status: 'offered' });
      // An offer is not a place yet.
      expect(await invitationsOf(hopeful.person.id, allOf(offers))).toEqual([]);
      await api.http().post(`/api/v1/enrolments/${queued.id}/accept-offer`).set(asPerson(hopeful)).send().expect(200);
      expect(await invitationsOf(hopeful.person.id, allOf(offers))).toEqual(offers.toCome);
    });
  });

  describe('cancelling the cohort', () => {
    it('cancels its scheduled sessions (sequence + 1), emails everyone cohort_cancelled, and sends the invited a CANCEL per session', async () => {
      const doomed = await cohort(forkEm(api), programmeA, { capacity: 2 });
      const members = await people(forkEm(api), 3, orgA);
      for (const member of members) await enrol(doomed.id, member.id);
      const invited = members.slice(0, 2).map((m) => m.id).sort();
      const scheduled = await createSession({}, doomed.id);
      const moved = await createSession({ startsAt: '2027-07-05T09:30', endsAt: '2027-07-05T10:30' }, doomed.id);
      await patch(`/sessions/${moved.id}`, 'leadA', { title: 'Moved' }).expect(200);
      const alreadyCancelled = await createSession({ startsAt: '2027-07-06T09:30', endsAt: '2027-07-06T10:30' }, doomed.id);
      await post(`/sessions/${alreadyCancelled.id}/cancel`, 'leadA').expect(200);

      await post(`/cohorts/${doomed.id}/cancel`, 'leadA').expect(200);

      expect(await storedSession(scheduled.id)).toMatchObject({ status: 'cancelled', sequence: 1 });
      expect(await storedSession(moved.id)).toMatchObject({ status: 'cancelled', sequence: 2 });
      expect(await storedSession(alreadyCancelled.id)).toMatchObject({ status: 'cancelled', sequence: 1 });
      const listed = (await get(`/cohorts/${doomed.id}/sessions`, 'leadA').expect(200)).body as { items: SessionBody[] };
      expect(listed.items.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
      // The two enrolled had the invitations; the waitlisted member did not, and gets no session email.
      for (const [session, sequence] of [[scheduled, 1], [moved, 2]] as const) {
        const cancellations = await notifications(session.id, 'session_cancelled');
        expect(recipients(cancellations)).toEqual(invited);
        for (const row of cancellations) expect(row.data).toMatchObject({ becauseCohortCancelled: true, session: { sequence } });
      }
      expect(await notifications(alreadyCancelled.id, 'session_cancelled')).toHaveLength(2);
      const cohortEmails = await notifications(doomed.id, 'cohort_cancelled');
      expect(recipients(cohortEmails)).toEqual(members.map((m) => m.id).sort());
      const invitation = readInvitation(await calendarOf(scheduled.id, 'leadA'));
      expect(prop(invitation.calendar, 'METHOD').value).toBe('CANCEL');
      expect(prop(invitation.event, 'SEQUENCE').value).toBe('1');
    });
  });
});
