import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { DateTime } from 'luxon';
import { LONDON } from '@slp/platform';
import type { Session } from './session.entity';

export interface CalendarContext {
  readonly programmeTitle: string;
  readonly cohortName: string;
  readonly organiserEmail: string;
  /** Who the invitation is for (RFC 5546 §3.2.2: a REQUEST names at least one attendee). */
  readonly attendee?: { readonly name: string; readonly email: string };
}

/** The same UID for every version of a session, so calendars update the event rather than add one (RFC 5545 §3.8.4.7). */
export function sessionUid(session: Pick<Session, 'id'>): string {
  return `session-${session.id}@system-leadership-platform`;
}

/**
 * An iTIP (RFC 5546) invitation for a session: METHOD REQUEST while it is on, CANCEL once
 * cancelled, SEQUENCE rising with every change, and Europe/London times with their VTIMEZONE.
 */
export function sessionCalendar(session: Session, context: CalendarContext, now = new Date()): string {
  const cancelled = session.status === 'cancelled';
  const calendar = ical({
    prodId: { company: 'System Leadership Platform', product: 'Sessions', language: 'EN' },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    name: `${context.programmeTitle}: ${context.cohortName}`,
  });
  calendar.timezone({ name: LONDON, generator: (zone) => tzlib_get_ical_block(zone)[0] });
  const london = (date: Date) => DateTime.fromJSDate(date).setZone(LONDON);
  calendar.createEvent({
    id: sessionUid(session),
    sequence: session.sequence,
    stamp: london(now),
    start: london(session.startsAt),
    end: london(session.endsAt),
    timezone: LONDON,
    summary: `${session.title} (${context.programmeTitle})`,
    description: [`${context.programmeTitle}, ${context.cohortName}`, session.onlineUrl ? `Join online: ${session.onlineUrl}` : null].filter(Boolean).join('\n'),
    location: session.location ?? session.onlineUrl ?? undefined,
    url: session.onlineUrl ?? undefined,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: 'System Leadership Platform', email: context.organiserEmail },
    attendees: context.attendee ? [{ name: context.attendee.name, email: context.attendee.email, rsvp: false, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED }] : [],
  });
  // DTSTAMP must be UTC (RFC 5545 §3.8.7.2); the library writes it in the calendar's zone.
  const stamp = DateTime.fromJSDate(now).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
  const text = calendar.toString().replace(/^DTSTAMP:.*$/m, `DTSTAMP:${stamp}`);
  // Every content line ends with CRLF, the last one too (RFC 5545 §3.1).
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
