import { DateTime } from 'luxon';
import type { EnrolmentRecord, LeadershipLevel, SessionKind, SessionRecord } from '@slp/learning';
import { formatLondon, LONDON } from '@slp/platform';

export const LEVEL_LABELS: Readonly<Record<LeadershipLevel, string>> = {
  foundations: 'Foundations',
  first_line: 'First-line leadership',
  mid_level: 'Mid-level leadership',
  senior: 'Senior leadership',
  executive: 'Executive leadership',
  system: 'System leadership',
};

const SESSION_KIND_LABELS: Readonly<Record<SessionKind, string>> = {
  workshop: 'Workshop',
  action_learning_set: 'Action learning set',
  masterclass: 'Masterclass',
  coaching: 'Coaching',
  residential: 'Residential',
};

/** A status as a design system tag: words a participant understands, and a colour for the kind of state. */
export interface StatusTag {
  readonly text: string;
  readonly classes: string;
}

export function statusTag(enrolment: Pick<EnrolmentRecord, 'status' | 'waitlistPosition'>): StatusTag {
  switch (enrolment.status) {
    case 'enrolled':
      return { text: 'Enrolled', classes: 'nhsuk-tag--green' };
    case 'waitlisted':
      return { text: enrolment.waitlistPosition ? `Waiting list – ${enrolment.waitlistPosition}` : 'Waiting list', classes: 'nhsuk-tag--yellow' };
    case 'pending_approval':
      return { text: 'Application sent', classes: 'nhsuk-tag--blue' };
    case 'offered':
      return { text: 'Place offered', classes: 'nhsuk-tag--orange' };
    case 'completed':
      return { text: 'Completed', classes: 'nhsuk-tag--green' };
    case 'not_completed':
      return { text: 'Not completed', classes: 'nhsuk-tag--grey' };
    case 'withdrawn':
      return { text: 'Withdrawn', classes: 'nhsuk-tag--grey' };
    case 'declined':
      return { text: 'Declined', classes: 'nhsuk-tag--grey' };
    case 'rejected':
      return { text: 'Not successful', classes: 'nhsuk-tag--red' };
  }
}

/** e.g. "1 December 2026", in England's time. */
export function londonDate(date: Date): string {
  return DateTime.fromJSDate(date, { zone: LONDON }).toFormat('d LLLL yyyy');
}

/** e.g. "Tuesday 1 December 2026, 9:30am to 12:30pm" (or to another day's date and time). */
export function sessionWhen(session: Pick<SessionRecord, 'startsAt' | 'endsAt'>): string {
  const start = DateTime.fromJSDate(session.startsAt, { zone: LONDON });
  const end = DateTime.fromJSDate(session.endsAt, { zone: LONDON });
  const endText = start.hasSame(end, 'day') ? end.toFormat('h:mma').toLowerCase() : formatLondon(session.endsAt);
  return `${formatLondon(session.startsAt)} to ${endText}`;
}

/** A session as the cohort and learning pages list it. */
export interface SessionView {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
  readonly when: string;
  readonly location: string | null;
  readonly onlineUrl: string | null;
  readonly cancelled: boolean;
}

export function toSessionView(session: SessionRecord): SessionView {
  return {
    id: session.id,
    title: session.title,
    kind: SESSION_KIND_LABELS[session.kind],
    when: sessionWhen(session),
    location: session.location,
    // Only web links are shown as links: anything else in the field is shown as text.
    onlineUrl: session.onlineUrl && /^https?:\/\//i.test(session.onlineUrl) ? session.onlineUrl : null,
    cancelled: session.status === 'cancelled',
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id in a page address; anything else is a page that does not exist. */
export function isId(value: string): boolean {
  return UUID.test(value);
}
