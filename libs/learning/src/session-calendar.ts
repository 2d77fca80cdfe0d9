import { sessionInvitation, type SessionInvitationContext } from '@slp/notifications';
import type { Session } from './session.entity';

/** Everything but whether it is cancelled, which the session's status says. */
export type CalendarContext = Omit<SessionInvitationContext, 'cancelled'>;

/** A session's invitation: REQUEST while it is on, CANCEL once cancelled, SEQUENCE rising with every change. */
export function sessionCalendar(session: Pick<Session, 'id' | 'sequence' | 'status' | 'startsAt' | 'endsAt' | 'title' | 'location' | 'onlineUrl'>, context: CalendarContext, now = new Date()): string {
  return sessionInvitation(session, { ...context, cancelled: session.status === 'cancelled' }, now).content;
}
