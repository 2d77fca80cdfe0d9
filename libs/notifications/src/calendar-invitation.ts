import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { DateTime } from 'luxon';
import { LONDON } from '@slp/platform';

export interface InvitationEvent {
  /** Stable across versions, so calendars update the event rather than add one (RFC 5545 §3.8.4.7). */
  readonly uid: string;
  /** Rises with every change (RFC 5545 §3.8.7.4). */
  readonly sequence: number;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly description: string;
  readonly location: string | null;
  readonly url: string | null;
  readonly cancelled: boolean;
  readonly calendarName: string;
  readonly organiserEmail: string;
  /** Who the invitation is for (RFC 5546 §3.2.2: a REQUEST names at least one attendee). */
  readonly attendee?: { readonly name: string; readonly email: string };
}

/** London's VTIMEZONE never changes while the process runs: build it once, not per email. */
let londonTimezone: string | undefined;
function londonVtimezone(): string {
  londonTimezone ??= tzlib_get_ical_block(LONDON)[0];
  return londonTimezone;
}

/**
 * A session's start or end in London time. Converting a zone is the costly part of an invitation,
 * and a session's reminders go to everyone enrolled with the same two instants: remember recent ones.
 */
const londonTimes = new Map<number, DateTime>();
function london(date: Date): DateTime {
  const epoch = date.getTime();
  let zoned = londonTimes.get(epoch);
  if (!zoned) {
    if (londonTimes.size >= 1_000) londonTimes.clear();
    zoned = DateTime.fromMillis(epoch, { zone: LONDON });
    londonTimes.set(epoch, zoned);
  }
  return zoned;
}

/** An iTIP (RFC 5546) invitation: METHOD REQUEST, or CANCEL once cancelled, with Europe/London times and VTIMEZONE. */
export function calendarInvitation(event: InvitationEvent, now = new Date()): { method: 'REQUEST' | 'CANCEL'; content: string } {
  const method = event.cancelled ? 'CANCEL' : 'REQUEST';
  const calendar = ical({
    prodId: { company: 'System Leadership Platform', product: 'Sessions', language: 'EN' },
    method: event.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    name: event.calendarName,
  });
  calendar.timezone({ name: LONDON, generator: londonVtimezone });
  const start = london(event.start);
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    // The library would write DTSTAMP in the event's zone, which RFC 5545 forbids: it is written
    // below, in UTC. Handing it the start (already in London) spares a zone conversion per email.
    stamp: start,
    start,
    end: london(event.end),
    timezone: LONDON,
    summary: event.summary,
    description: event.description,
    location: event.location ?? event.url ?? undefined,
    url: event.url ?? undefined,
    status: event.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: 'System Leadership Platform', email: event.organiserEmail },
    attendees: event.attendee ? [{ name: event.attendee.name, email: event.attendee.email, rsvp: false, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED }] : [],
  });
  // DTSTAMP must be UTC (RFC 5545 §3.8.7.2); the library writes it in the calendar's zone.
  const stamp = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  const text = calendar.toString().replace(/^DTSTAMP:.*$/m, `DTSTAMP:${stamp}`);
  // Every content line ends with CRLF, the last one too (RFC 5545 §3.1).
  return { method, content: text.endsWith('\r\n') ? text : `${text}\r\n` };
}

/** The same UID for every version of a session, so calendars update the event rather than add one (RFC 5545 §3.8.4.7). */
export function sessionUid(sessionId: string): string {
  return `session-${sessionId}@system-leadership-platform`;
}

/** "Name <address>" or a bare address, as an organiser's email. */
export function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}
