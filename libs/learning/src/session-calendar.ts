import { calendarInvitation, sessionUid } from '@slp/notifications';
import type { Session } from './session.entity';

export interface CalendarContext {
  readonly programmeTitle: string;
  readonly cohortName: string;
  readonly organiserEmail: string;
  /** Who the invitation is for (RFC 5546 §3.2.2: a REQUEST names at least one attendee). */
  readonly attendee?: { readonly name: string; readonly email: string };
}


/** A session's invitation: REQUEST while it is on, CANCEL once cancelled, SEQUENCE rising with every change. */
export function sessionCalendar(session: Pick<Session, 'id' | 'sequence' | 'status' | 'startsAt' | 'endsAt' | 'title' | 'location' | 'onlineUrl'>, context: CalendarContext, now = new Date()): string {
  return calendarInvitation(
    {
      uid: sessionUid(session.id),
      sequence: session.sequence,
      start: session.startsAt,
      end: session.endsAt,
      summary: `${session.title} (${context.programmeTitle})`,
      description: [`${context.programmeTitle}, ${context.cohortName}`, session.onlineUrl ? `Join online: ${session.onlineUrl}` : null].filter(Boolean).join('\n'),
      location: session.location ?? null,
      url: session.onlineUrl ?? null,
      cancelled: session.status === 'cancelled',
      calendarName: `${context.programmeTitle}: ${context.cohortName}`,
      organiserEmail: context.organiserEmail,
      attendee: context.attendee,
    },
    now,
  ).content;
}
