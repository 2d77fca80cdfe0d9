import ical, { foldLines, ICalAttendee, ICalAttendeeRole, ICalAttendeeStatus, type ICalCalendar, ICalCalendarMethod, type ICalEvent, ICalEventStatus } from 'ical-generator';
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

const ATTENDEE = { rsvp: false, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED } as const;

/** The whole calendar for an event, as the library writes it (DTSTAMP not yet fixed). */
function calendarFor(event: InvitationEvent): { calendar: ICalCalendar; vevent: ICalEvent } {
  const calendar = ical({
    prodId: { company: 'System Leadership Platform', product: 'Sessions', language: 'EN' },
    method: event.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    name: event.calendarName,
  });
  calendar.timezone({ name: LONDON, generator: londonVtimezone });
  const start = london(event.start);
  const vevent = calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    // The library would write DTSTAMP in the event's zone, which RFC 5545 forbids: it is replaced
    // by a UTC one. Handing it the start (already in London) spares a zone conversion.
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
    attendees: event.attendee ? [{ name: event.attendee.name, email: event.attendee.email, ...ATTENDEE }] : [],
  });
  return { calendar, vevent };
}

/** DTSTAMP in UTC (RFC 5545 §3.8.7.2), and every content line ending with CRLF, the last one too (§3.1). */
function finish(text: string, now: Date): string {
  const stamped = text.replace(/^DTSTAMP:.*$/m, `DTSTAMP:${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`);
  return stamped.endsWith('\r\n') ? stamped : `${stamped}\r\n`;
}

/** An invitation written whole by the library: the reference the cached path must equal, byte for byte. */
export function uncachedInvitationText(event: InvitationEvent, now: Date): string {
  return finish(calendarFor(event).calendar.toString(), now);
}

/**
 * A session's invitation is the same for everyone its email goes to but for the ATTENDEE line and
 * DTSTAMP. The library writes it once per session (with a placeholder attendee, to mark where the
 * line goes) and each email gets only its own folded ATTENDEE line: a tenth of the work.
 */
interface SharedInvitation {
  readonly vevent: ICalEvent;
  readonly head: string;
  readonly tail: string;
}
const sharedInvitations = new Map<string, SharedInvitation>();
const PLACEHOLDER = { name: 'Attendee placeholder', email: 'attendee.placeholder@invalid' };

function attendeeLines(vevent: ICalEvent, attendee: { readonly name: string; readonly email: string }): string {
  return foldLines(new ICalAttendee({ name: attendee.name, email: attendee.email, ...ATTENDEE }, vevent).toString());
}

function sharedInvitation(event: InvitationEvent): SharedInvitation {
  const key = JSON.stringify({ ...event, attendee: undefined });
  let shared = sharedInvitations.get(key);
  if (!shared) {
    const { calendar, vevent } = calendarFor({ ...event, attendee: PLACEHOLDER });
    const text = calendar.toString();
    const slot = attendeeLines(vevent, PLACEHOLDER);
    const at = text.indexOf(slot);
    if (at < 0) throw new Error('The invitation has no place for its attendee.');
    shared = { vevent, head: text.slice(0, at), tail: text.slice(at + slot.length) };
    if (sharedInvitations.size >= 200) sharedInvitations.clear();
    sharedInvitations.set(key, shared);
  }
  return shared;
}

/** An iTIP (RFC 5546) invitation: METHOD REQUEST, or CANCEL once cancelled, with Europe/London times and VTIMEZONE. */
export function calendarInvitation(event: InvitationEvent, now = new Date()): { method: 'REQUEST' | 'CANCEL'; content: string } {
  const method = event.cancelled ? 'CANCEL' : 'REQUEST';
  const shared = sharedInvitation(event);
  const attendee = event.attendee ? attendeeLines(shared.vevent, event.attendee) : '';
  return { method, content: finish(`${shared.head}${attendee}${shared.tail}`, now) };
}

/** A session as stored, or as snapshotted into an outbox row (times then as ISO strings). */
export interface SessionForInvitation {
  readonly id: string;
  readonly sequence: number;
  readonly title: string;
  readonly startsAt: Date | string;
  readonly endsAt: Date | string;
  readonly location?: string | null;
  readonly onlineUrl?: string | null;
}

export interface SessionInvitationContext {
  readonly programmeTitle: string;
  readonly cohortName: string;
  readonly organiserEmail: string;
  readonly cancelled: boolean;
  readonly attendee?: { readonly name: string; readonly email: string };
}

/**
 * A session's invitation, the same whether it is downloaded (`calendar.ics`) or attached to a
 * session email: REQUEST while it is on, CANCEL once cancelled, SEQUENCE rising with every change.
 */
export function sessionInvitation(session: SessionForInvitation, context: SessionInvitationContext, now = new Date()): { method: 'REQUEST' | 'CANCEL'; content: string } {
  return calendarInvitation(
    {
      uid: sessionUid(session.id),
      sequence: session.sequence,
      start: new Date(session.startsAt),
      end: new Date(session.endsAt),
      summary: `${session.title} (${context.programmeTitle})`,
      description: `${context.programmeTitle}, ${context.cohortName}${session.onlineUrl ? `\nJoin online: ${session.onlineUrl}` : ''}`,
      location: session.location ?? null,
      url: session.onlineUrl ?? null,
      cancelled: context.cancelled,
      calendarName: `${context.programmeTitle}: ${context.cohortName}`,
      organiserEmail: context.organiserEmail,
      attendee: context.attendee,
    },
    now,
  );
}

/** The same UID for every version of a session, so calendars update the event rather than add one (RFC 5545 §3.8.4.7). */
export function sessionUid(sessionId: string): string {
  return `session-${sessionId}@system-leadership-platform`;
}

/** "Name <address>" or a bare address, as an organiser's email. */
export function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}
