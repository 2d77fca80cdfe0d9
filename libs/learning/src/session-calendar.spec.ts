import { sessionUid } from '@slp/notifications';
import { sessionCalendar } from './session-calendar';
import { Session } from './session.entity';
import { type Component, parseCalendar, prop } from '../../../test/support/ics-reader';

function only(component: Component, name: string): Component {
  const found = component.components.filter((c) => c.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

const SESSION_ID = '0193c6a0-0000-7000-8000-0000000000aa';
const CONTEXT = { programmeTitle: 'Leading Across Systems', cohortName: 'Spring 2027', organiserEmail: 'no-reply@slp.example' };
/** A summer (BST) instant, so a DTSTAMP written in London time would be an hour off UTC. */
const NOW = new Date('2027-06-15T12:34:56Z');

function session(overrides: Partial<Session> = {}): Session {
  return Object.assign(new Session(), {
    id: SESSION_ID,
    title: 'Systems thinking workshop',
    kind: 'workshop',
    startsAt: new Date('2027-07-01T08:30:00Z'),
    endsAt: new Date('2027-07-01T12:00:00Z'),
    location: 'Leeds Civic Hall',
    onlineUrl: null,
    status: 'scheduled',
    sequence: 0,
    ...overrides,
  } satisfies Partial<Session>);
}

function eventOf(ics: string): { calendar: Component; event: Component } {
  const calendar = parseCalendar(ics);
  return { calendar, event: only(calendar, 'VEVENT') };
}

describe('sessionCalendar', () => {
  it('ends every content line with CRLF, the last one included (RFC 5545 §3.1, §3.4)', () => {
    const ics = sessionCalendar(session(), CONTEXT, NOW);

    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('is a well-formed VCALENDAR with one VEVENT, the required properties and lines of at most 75 octets', () => {
    const ics = sessionCalendar(session({ title: 'A long title, with commas; semicolons — and ünïcödé, that runs past seventy-five octets' }), CONTEXT, NOW);

    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

    const { calendar, event } = eventOf(ics);
    expect(calendar.name).toBe('VCALENDAR');
    expect(prop(calendar, 'VERSION').value).toBe('2.0');
    expect(prop(calendar, 'PRODID').value).not.toBe('');
    for (const name of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'SEQUENCE', 'STATUS', 'ORGANIZER']) expect(() => prop(event, name)).not.toThrow();
    expect(prop(event, 'ORGANIZER').value).toBe('mailto:no-reply@slp.example');
    // Folded text unfolds to the original, with TEXT escaping (RFC 5545 §3.3.11).
    expect(prop(event, 'SUMMARY').value).toBe('A long title\\, with commas\\; semicolons — and ünïcödé\\, that runs past seventy-five octets (Leading Across Systems)');
  });

  it('invites with METHOD:REQUEST and STATUS:CONFIRMED while the session is on', () => {
    const { calendar, event } = eventOf(sessionCalendar(session(), CONTEXT, NOW));

    expect(prop(calendar, 'METHOD').value).toBe('REQUEST');
    expect(prop(event, 'STATUS').value).toBe('CONFIRMED');
  });

  it('cancels with METHOD:CANCEL and STATUS:CANCELLED once the session is cancelled', () => {
    const { calendar, event } = eventOf(sessionCalendar(session({ status: 'cancelled', sequence: 1 }), CONTEXT, NOW));

    expect(prop(calendar, 'METHOD').value).toBe('CANCEL');
    expect(prop(event, 'STATUS').value).toBe('CANCELLED');
    expect(prop(event, 'SEQUENCE').value).toBe('1');
  });

  it('keeps the same UID across changes and cancellation, and gives other sessions other UIDs', () => {
    const original = prop(eventOf(sessionCalendar(session(), CONTEXT, NOW)).event, 'UID').value;
    const moved = prop(eventOf(sessionCalendar(session({ title: 'Renamed', startsAt: new Date('2027-07-02T08:30:00Z'), endsAt: new Date('2027-07-02T10:00:00Z'), sequence: 2 }), CONTEXT, new Date('2027-06-20T09:00:00Z'))).event, 'UID').value;
    const cancelled = prop(eventOf(sessionCalendar(session({ status: 'cancelled', sequence: 3 }), CONTEXT, NOW)).event, 'UID').value;
    const other = prop(eventOf(sessionCalendar(session({ id: '0193c6a0-0000-7000-8000-0000000000bb' }), CONTEXT, NOW)).event, 'UID').value;

    expect(original).toBe(sessionUid(SESSION_ID));
    expect(original).toContain(SESSION_ID);
    expect(moved).toBe(original);
    expect(cancelled).toBe(original);
    expect(other).not.toBe(original);
  });

  it.each([0, 1, 7])('writes SEQUENCE equal to the session’s sequence (%i)', (sequence) => {
    expect(prop(eventOf(sessionCalendar(session({ sequence }), CONTEXT, NOW)).event, 'SEQUENCE').value).toBe(String(sequence));
  });

  it.each([
    ['in summer (BST)', new Date('2027-06-15T12:34:56Z'), '20270615T123456Z'],
    ['in winter (GMT)', new Date('2027-01-15T09:05:01.999Z'), '20270115T090501Z'],
    ['just after midnight London time in summer', new Date('2027-07-31T23:30:00Z'), '20270731T233000Z'],
  ])('writes DTSTAMP in UTC %s', (_when, now, expected) => {
    const stamp = prop(eventOf(sessionCalendar(session(), CONTEXT, now)).event, 'DTSTAMP');

    expect(stamp.params).toEqual({});
    expect(stamp.value).toBe(expected);
  });

  it('writes BST times as Europe/London local times (08:30Z is 09:30 local in July)', () => {
    const { event } = eventOf(sessionCalendar(session({ startsAt: new Date('2027-07-01T08:30:00Z'), endsAt: new Date('2027-07-01T12:00:00Z') }), CONTEXT, NOW));

    expect(prop(event, 'DTSTART')).toEqual({ name: 'DTSTART', params: { TZID: 'Europe/London' }, value: '20270701T093000' });
    expect(prop(event, 'DTEND')).toEqual({ name: 'DTEND', params: { TZID: 'Europe/London' }, value: '20270701T130000' });
  });

  it('writes GMT times as Europe/London local times (09:30Z is 09:30 local in January)', () => {
    const { event } = eventOf(sessionCalendar(session({ startsAt: new Date('2027-01-15T09:30:00Z'), endsAt: new Date('2027-01-15T16:00:00Z') }), CONTEXT, NOW));

    expect(prop(event, 'DTSTART')).toEqual({ name: 'DTSTART', params: { TZID: 'Europe/London' }, value: '20270115T093000' });
    expect(prop(event, 'DTEND')).toEqual({ name: 'DTEND', params: { TZID: 'Europe/London' }, value: '20270115T160000' });
  });

  it('writes a session that crosses the autumn clock change with each end in its own offset', () => {
    // 31 October 2027, clocks go back at 02:00 BST: 00:30Z is 01:30 BST, 03:00Z is 03:00 GMT.
    const { event } = eventOf(sessionCalendar(session({ startsAt: new Date('2027-10-31T00:30:00Z'), endsAt: new Date('2027-10-31T03:00:00Z') }), CONTEXT, NOW));

    expect(prop(event, 'DTSTART').value).toBe('20271031T013000');
    expect(prop(event, 'DTEND').value).toBe('20271031T030000');
  });

  it('defines the Europe/London VTIMEZONE that every TZID refers to, with its GMT and BST rules', () => {
    const { calendar, event } = eventOf(sessionCalendar(session(), CONTEXT, NOW));
    const zones = calendar.components.filter((c) => c.name === 'VTIMEZONE');

    expect(zones.map((z) => prop(z, 'TZID').value)).toEqual(['Europe/London']);
    const zone = zones[0];
    const standard = only(zone, 'STANDARD');
    const daylight = only(zone, 'DAYLIGHT');
    expect(prop(standard, 'TZOFFSETTO').value).toBe('+0000');
    expect(prop(standard, 'TZOFFSETFROM').value).toBe('+0100');
    expect(prop(daylight, 'TZOFFSETTO').value).toBe('+0100');
    expect(prop(daylight, 'TZOFFSETFROM').value).toBe('+0000');
    for (const part of [standard, daylight]) expect(() => prop(part, 'DTSTART')).not.toThrow();
    const referenced = new Set(event.properties.map((p) => p.params.TZID).filter(Boolean));
    expect([...referenced]).toEqual(['Europe/London']);
  });

  it('uses the location, falling back to the online link, and links the online session', () => {
    const inPerson = eventOf(sessionCalendar(session({ location: 'Leeds Civic Hall', onlineUrl: null }), CONTEXT, NOW)).event;
    const online = eventOf(sessionCalendar(session({ location: null, onlineUrl: 'https://meet.example/abc' }), CONTEXT, NOW)).event;

    expect(prop(inPerson, 'LOCATION').value).toBe('Leeds Civic Hall');
    expect(inPerson.properties.some((p) => p.name === 'URL')).toBe(false);
    expect(prop(online, 'LOCATION').value).toBe('https://meet.example/abc');
    expect(prop(online, 'URL').value).toBe('https://meet.example/abc');
    expect(prop(online, 'DESCRIPTION').value).toContain('Join online: https://meet.example/abc');
  });
});
