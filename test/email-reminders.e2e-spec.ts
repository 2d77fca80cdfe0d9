import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Cohort } from '@slp/learning';
import { SessionRemindersService } from '@slp/learning';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { auditRows, expectProblem } from './support/assertions';
import { AcceptedEmail, ControlledSmtpSink } from './support/controlled-smtp-sink';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, organisation, programme, system } from './support/factories';
import { parseCalendar, prop } from './support/ics-reader';
import { leafParts, MimePart, parseMime } from './support/mime';
import { deleteRedisKeys, eventually, messageIdOf, notificationStates, tally } from './support/outbox-fixtures';
import { startTestApi, TestApi, testConfig } from './support/test-api';

type Participant = 'p1' | 'p2' | 'p3';

interface SessionBody {
  id: string;
  startsAt: string;
  sequence: number;
}

interface OutboxRow {
  id: string;
  kind: string;
  recipient_person_id: string;
  recipient_email: string;
}

const HOUR = 3_600_000;

describe('session emails and reminders (e2e: two workers, real SMTP server)', () => {
  let sink: ControlledSmtpSink;
  let api: TestApi;
  let workerA: INestApplicationContext;
  let workerB: INestApplicationContext;
  let target: Cohort;
  let leadToken: string;
  const people = {} as Record<Participant, AccountFixture>;
  const token = {} as Record<Participant, string>;

  const asLead = () => ({ Authorization: `Bearer ${leadToken}` });

  async function createSession(startsAt: string, endsAt: string, title = 'Systems thinking workshop'): Promise<SessionBody> {
    const response = await api.http().post(`/api/v1/cohorts/${target.id}/sessions`).set(asLead()).send({ title, kind: 'workshop', startsAt, endsAt, location: 'Leeds Civic Hall' }).expect(201);
    return response.body as SessionBody;
  }

  async function rows(subjectId: string, kind: string): Promise<OutboxRow[]> {
    return forkEm(api)
      .getConnection()
      .execute<OutboxRow[]>(`select id, kind, recipient_person_id, recipient_email from notification where subject_id = ? and kind = ? order by recipient_email`, [subjectId, kind]);
  }

  /** Waits until every row is sent, then returns the one email the sink accepted for each (failing on none or more). */
  async function deliveredOnce(outbox: OutboxRow[]): Promise<Map<string, AcceptedEmail>> {
    expect(outbox.length).toBeGreaterThan(0);
    const ids = outbox.map((r) => r.id);
    await eventually(
      async () => (await notificationStates(api.config.database.url, ids)).every((r) => r.status === 'sent') || undefined,
      15_000,
      async () => JSON.stringify(tally((await notificationStates(api.config.database.url, ids)).map((r) => r.status))),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const byRow = new Map<string, AcceptedEmail>();
    for (const row of outbox) {
      const copies = sink.received.filter((m) => m.messageId === messageIdOf(row.id));
      expect({ row: row.id, copies: copies.length }).toEqual({ row: row.id, copies: 1 });
      expect(copies[0]!.to).toEqual([row.recipient_email]);
      byRow.set(row.id, copies[0]!);
    }
    return byRow;
  }

  /** The email's one text/calendar alternative; the invite.ics attachment (for clients that ignore the alternative) holds the same calendar. */
  function calendarPart(email: AcceptedEmail): MimePart {
    const leaves = leafParts(parseMime(email.raw));
    const parts = leaves.filter((part) => part.type === 'text/calendar');
    expect(parts).toHaveLength(1);
    const attachment = leaves.find((part) => part.type === 'application/ics');
    if (attachment) expect(attachment.body).toBe(parts[0]!.body);
    return parts[0]!;
  }

  beforeAll(async () => {
    sink = await ControlledSmtpSink.start();
    api = await startTestApi({ SMTP_URL: sink.url });
    const workerConfig = () => testConfig(api.config.database.url, { SMTP_URL: sink.url, MAIL_RETRY_BASE_MS: '50', REDIS_PREFIX: api.config.redis.prefix });
    workerA = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig()), { logger: false });
    workerB = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig()), { logger: false });

    const em = forkEm(api);
    const sys = await system(em);
    const org = await organisation(em, sys);
    const lead = await account(em, { roles: ['programme_lead'], systems: [sys], organisation: org });
    leadToken = accessTokenFor(api, lead);
    for (const name of ['p1', 'p2', 'p3'] as const) {
      people[name] = await account(em, { organisation: org, email: `${name}.reminders@trust.nhs.example` });
      token[name] = accessTokenFor(api, people[name]);
    }
    target = await cohort(em, await programme(em, sys, { title: 'Leading Across Systems' }), { capacity: 10, name: 'Summer 2027' });
    for (const name of ['p1', 'p2', 'p3'] as const) {
      const enrolment = await api.http().post(`/api/v1/cohorts/${target.id}/enrolments`).set(asLead()).send({ personId: people[name].person.id }).expect(201);
      expect((enrolment.body as { status: string }).status).toBe('enrolled');
    }
    // p3 switches reminders off in their preferences.
    const put = await api.http().put('/api/v1/me/notification-preferences').set('Authorization', `Bearer ${token.p3}`).send({ reminders: false }).expect(200);
    expect(put.body).toEqual({ reminders: false });
  });

  afterAll(async () => {
    await workerA?.close();
    await workerB?.close();
    await api?.close();
    await sink?.close();
    if (api) await deleteRedisKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', api.config.redis.prefix);
  });

  describe('calendar invitations', () => {
    let session: SessionBody;

    beforeAll(async () => {
      session = await createSession('2027-07-01T09:30', '2027-07-01T12:30');
    });

    it("sends each enrolled person a session_scheduled email with a text/calendar part: METHOD:REQUEST, the session's UID, SEQUENCE 0", async () => {
      const outbox = await rows(session.id, 'session_scheduled');
      expect(outbox.map((r) => r.recipient_person_id).sort()).toEqual([people.p1.person.id, people.p2.person.id, people.p3.person.id].sort());

      const emails = await deliveredOnce(outbox);

      for (const row of outbox) {
        const email = emails.get(row.id)!;
        const part = calendarPart(email);
        expect(part.params.method).toBe('REQUEST');
        const calendar = parseCalendar(part.body);
        expect(prop(calendar, 'METHOD').value).toBe('REQUEST');
        const [event, ...more] = calendar.components.filter((c) => c.name === 'VEVENT');
        expect(more).toEqual([]);
        expect(prop(event!, 'UID').value).toBe(`session-${session.id}@system-leadership-platform`);
        expect(prop(event!, 'SEQUENCE').value).toBe('0');
        expect(prop(event!, 'STATUS').value).toBe('CONFIRMED');
        expect(prop(event!, 'DTSTART')).toMatchObject({ params: { TZID: 'Europe/London' }, value: '20270701T093000' });
        expect(event!.properties.filter((p) => p.name === 'ATTENDEE').map((p) => p.value.toLowerCase())).toEqual([`mailto:${row.recipient_email}`]);
        // A service email, not a reminder: nothing to unsubscribe from.
        expect(email.header('list-unsubscribe')).toBeUndefined();
      }
    });

    it('sends a moved session as METHOD:REQUEST for the same UID with SEQUENCE 1 and the new time', async () => {
      await api.http().patch(`/api/v1/sessions/${session.id}`).set(asLead()).send({ startsAt: '2027-07-01T13:30', endsAt: '2027-07-01T16:30' }).expect(200);
      const outbox = await rows(session.id, 'session_changed');
      expect(outbox).toHaveLength(3);

      const emails = await deliveredOnce(outbox);

      for (const row of outbox) {
        const part = calendarPart(emails.get(row.id)!);
        expect(part.params.method).toBe('REQUEST');
        const calendar = parseCalendar(part.body);
        expect(prop(calendar, 'METHOD').value).toBe('REQUEST');
        const [event] = calendar.components.filter((c) => c.name === 'VEVENT');
        expect(prop(event!, 'UID').value).toBe(`session-${session.id}@system-leadership-platform`);
        expect(prop(event!, 'SEQUENCE').value).toBe('1');
        expect(prop(event!, 'DTSTART')).toMatchObject({ params: { TZID: 'Europe/London' }, value: '20270701T133000' });
      }
    });

    it('sends a cancelled session as METHOD:CANCEL for the same UID, SEQUENCE 2, STATUS:CANCELLED', async () => {
      await api.http().post(`/api/v1/sessions/${session.id}/cancel`).set(asLead()).expect(200);
      const outbox = await rows(session.id, 'session_cancelled');
      expect(outbox).toHaveLength(3);

      const emails = await deliveredOnce(outbox);

      for (const row of outbox) {
        const part = calendarPart(emails.get(row.id)!);
        expect(part.params.method).toBe('CANCEL');
        const calendar = parseCalendar(part.body);
        expect(prop(calendar, 'METHOD').value).toBe('CANCEL');
        const [event] = calendar.components.filter((c) => c.name === 'VEVENT');
        expect(prop(event!, 'UID').value).toBe(`session-${session.id}@system-leadership-platform`);
        expect(prop(event!, 'SEQUENCE').value).toBe('2');
        expect(prop(event!, 'STATUS').value).toBe('CANCELLED');
      }
    });
  });

  describe('reminders', () => {
    let session: SessionBody;
    let startsAt: Date;
    const remindersA = () => workerA.get(SessionRemindersService);
    const remindersB = () => workerB.get(SessionRemindersService);

    beforeAll(async () => {
      session = await createSession('2027-08-02T10:00', '2027-08-02T16:00', 'Action learning set 2');
      startsAt = new Date(session.startsAt);
    });

    it('creates each 7-day reminder once, however often and on however many workers createDue runs, and none for people who switched reminders off', async () => {
      const now = new Date(startsAt.getTime() - 3 * 24 * HOUR);

      const counts = await Promise.all([remindersA().createDue(now), remindersB().createDue(now), remindersA().createDue(now), remindersB().createDue(now)]);
      const again = await remindersA().createDue(now);

      expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
      expect(again).toBe(0);
      const outbox = await rows(session.id, 'session_reminder_7d');
      expect(outbox.map((r) => r.recipient_person_id).sort()).toEqual([people.p1.person.id, people.p2.person.id].sort());
      expect(await rows(session.id, 'session_reminder_24h')).toEqual([]);
      await deliveredOnce(outbox);
      const p3Reminders = await forkEm(api).getConnection().execute(`select id from notification where recipient_person_id = ? and kind like 'session_reminder%'`, [people.p3.person.id]);
      expect(p3Reminders).toEqual([]);
      expect(sink.to(people.p3.email).filter((m) => m.header('list-unsubscribe'))).toEqual([]);
    });

    it('creates the 24-hour reminder once per person the day before, and does not repeat the 7-day one', async () => {
      const now = new Date(startsAt.getTime() - 12 * HOUR);

      const counts = await Promise.all([remindersA().createDue(now), remindersB().createDue(now)]);

      expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
      expect(await remindersB().createDue(now)).toBe(0);
      const outbox = await rows(session.id, 'session_reminder_24h');
      expect(outbox.map((r) => r.recipient_person_id).sort()).toEqual([people.p1.person.id, people.p2.person.id].sort());
      expect(await rows(session.id, 'session_reminder_7d')).toHaveLength(2);
      await deliveredOnce(outbox);
    });

    it('sends reminders with List-Unsubscribe (a signed one-click link for that person) and List-Unsubscribe-Post: List-Unsubscribe=One-Click', async () => {
      const outbox = await rows(session.id, 'session_reminder_7d');
      expect(outbox.map((r) => r.recipient_person_id).sort()).toEqual([people.p1.person.id, people.p2.person.id].sort());
      const emails = await deliveredOnce(outbox);

      for (const row of outbox) {
        const email = emails.get(row.id)!;
        const header = email.header('list-unsubscribe');
        expect(header).toMatch(/^<http:\/\/localhost:3001\/unsubscribe\?token=[^>]+>$/);
        const link = new URL(header!.slice(1, -1));
        expect(link.searchParams.get('token')).toMatch(new RegExp(`^${row.recipient_person_id}\\.[A-Za-z0-9_-]{43}$`));
        expect(email.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
        // The body offers the same link.
        const text = leafParts(parseMime(email.raw)).find((part) => part.type === 'text/plain')!.body;
        expect(text).toContain(link.toString());
      }
    });

    it('switches reminders off with the one-click POST from the email (204, no sign-in), and later sessions get no reminder for that person', async () => {
      const [p1Reminder] = (await rows(session.id, 'session_reminder_7d')).filter((r) => r.recipient_person_id === people.p1.person.id);
      const email = sink.received.find((m) => m.messageId === messageIdOf(p1Reminder!.id))!;
      const link = apiUnsubscribeLink(email.header('list-unsubscribe')!);

      await api.http().post(`${link.pathname}${link.search}`).expect(204);

      expect((await api.http().get('/api/v1/me/notification-preferences').set('Authorization', `Bearer ${token.p1}`).expect(200)).body).toEqual({ reminders: false });
      expect((await api.http().get('/api/v1/me/notification-preferences').set('Authorization', `Bearer ${token.p2}`).expect(200)).body).toEqual({ reminders: true });
      expect(await auditRows(api, { objectId: people.p1.person.id, action: 'notification_preference.unsubscribe' })).toEqual([
        expect.objectContaining({ actor_account_id: null, object_type: 'person', details: { remindersEnabled: false } }),
      ]);
      // Clicking again changes nothing and still answers 204.
      await api.http().post(`${link.pathname}${link.search}`).expect(204);

      const later = await createSession('2027-09-06T10:00', '2027-09-06T16:00', 'Action learning set 3');
      const created = await remindersA().createDue(new Date(new Date(later.startsAt).getTime() - 3 * 24 * HOUR));
      expect(created).toBe(1);
      expect((await rows(later.id, 'session_reminder_7d')).map((r) => r.recipient_person_id)).toEqual([people.p2.person.id]);
    });

    it('accepts the one-click POST as mail providers send it (RFC 8058: form-encoded body "List-Unsubscribe=One-Click")', async () => {
      const [p2Reminder] = (await rows(session.id, 'session_reminder_7d')).filter((r) => r.recipient_person_id === people.p2.person.id);
      const email = sink.received.find((m) => m.messageId === messageIdOf(p2Reminder!.id))!;
      const link = apiUnsubscribeLink(email.header('list-unsubscribe')!);

      const response = await api.http().post(`${link.pathname}${link.search}`).set('Content-Type', 'application/x-www-form-urlencoded').send(email.header('list-unsubscribe-post')!);

      expect(response.status).toBe(204);
      expect((await api.http().get('/api/v1/me/notification-preferences').set('Authorization', `Bearer ${token.p2}`).expect(200)).body).toEqual({ reminders: false });
    });

    it('refuses a bad unsubscribe token with 400 problem+json and changes nothing', async () => {
      const p2Token = new URL(sink.received.find((m) => m.to[0] === people.p2.email && m.header('list-unsubscribe'))!.header('list-unsubscribe')!.slice(1, -1)).searchParams.get('token')!;
      const [personId, signature] = p2Token.split('.') as [string, string];
      const forged = `${people.p3.person.id}.${signature}`; // p2's signature on p3's id
      const tampered = `${personId}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
      // p3 turns reminders back on, so a forged token working would show.
      await api.http().put('/api/v1/me/notification-preferences').set('Authorization', `Bearer ${token.p3}`).send({ reminders: true }).expect(200);

      for (const bad of ['nonsense', forged, tampered, `${people.p3.person.id}.`, '.']) {
        const response = await api.http().post('/api/v1/notification-preferences/unsubscribe').query({ token: bad });
        expectProblem(response, 400, ['token']);
      }
      expectProblem(await api.http().post('/api/v1/notification-preferences/unsubscribe'), 400, ['token']);

      expect((await api.http().get('/api/v1/me/notification-preferences').set('Authorization', `Bearer ${token.p3}`).expect(200)).body).toEqual({ reminders: true });
    });
  });
});

/**
 * The email's link is the portal's /unsubscribe page (PUBLIC_URL), which answers the one-click
 * POST through the same service; here the API's endpoint takes the link's own token instead.
 */
function apiUnsubscribeLink(header: string): URL {
  const link = new URL(header.slice(1, -1));
  expect(link.pathname).toBe('/unsubscribe');
  return new URL(`/api/v1/notification-preferences/unsubscribe${link.search}`, link.origin);
}
