import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Person } from '@slp/identity';
import { OutboxMessage, OutboxService } from '@slp/notifications';
import { formatLondon, toLondonIso } from '@slp/platform';
import type { Cohort } from './cohort.entity';
import type { Enrolment } from './enrolment.entity';
import type { Programme } from './programme.entity';
import type { Session } from './session.entity';

/** Every email the learning context sends, as outbox kinds (templates are keyed by these). */
export const LEARNING_NOTIFICATION_KINDS = [
  'enrolment_confirmed',
  'waitlisted',
  'application_received',
  'application_approved',
  'application_rejected',
  'place_offered',
  'offer_expired',
  'promoted_from_waitlist',
  'session_scheduled',
  'session_changed',
  'session_cancelled',
  'cohort_cancelled',
] as const;
export type LearningNotificationKind = (typeof LEARNING_NOTIFICATION_KINDS)[number];

/** The session fields an email shows; a change email shows which of them changed. */
export interface SessionSnapshot {
  readonly title: string;
  readonly kind: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly startsAtLondon: string;
  readonly endsAtLondon: string;
  readonly location: string | null;
  readonly onlineUrl: string | null;
}

export function sessionSnapshot(session: Session): SessionSnapshot {
  return {
    title: session.title,
    kind: session.kind,
    startsAt: toLondonIso(session.startsAt),
    endsAt: toLondonIso(session.endsAt),
    startsAtLondon: formatLondon(session.startsAt),
    endsAtLondon: formatLondon(session.endsAt),
    location: session.location ?? null,
    onlineUrl: session.onlineUrl ?? null,
  };
}

/** Builds the learning emails' outbox rows (with a snapshot of what each template needs) and writes them. */
@Injectable()
export class LearningNotifier {
  constructor(private readonly outbox: OutboxService) {}

  async enrolment(em: EntityManager, kind: LearningNotificationKind, enrolment: Enrolment, programme: Programme, extra: Record<string, unknown> = {}): Promise<void> {
    const cohort = enrolment.cohort;
    await this.outbox.enqueue(em, {
      kind,
      recipient: recipient(enrolment.person),
      subject: { type: 'enrolment', id: enrolment.id },
      // An enrolment can be offered a place only once, but may be waitlisted, promoted etc. once each.
      data: { ...cohortData(cohort, programme), givenName: enrolment.person.givenName, enrolmentId: enrolment.id, ...extra },
    });
  }

  async session(em: EntityManager, kind: 'session_scheduled' | 'session_changed' | 'session_cancelled', session: Session, programme: Programme, people: readonly Person[], extra: Record<string, unknown> = {}): Promise<void> {
    const data = { ...cohortData(session.cohort, programme), session: { id: session.id, sequence: session.sequence, ...sessionSnapshot(session) }, ...extra };
    await this.outbox.enqueue(
      em,
      people.map(
        (person): OutboxMessage => ({
          kind,
          recipient: recipient(person),
          subject: { type: 'session', id: session.id },
          occasion: session.sequence,
          data: { ...data, givenName: person.givenName },
        }),
      ),
    );
  }

  async cohortCancelled(em: EntityManager, cohort: Cohort, programme: Programme, people: readonly Person[]): Promise<void> {
    await this.outbox.enqueue(
      em,
      people.map((person) => ({
        kind: 'cohort_cancelled',
        recipient: recipient(person),
        subject: { type: 'cohort', id: cohort.id },
        data: { ...cohortData(cohort, programme), givenName: person.givenName },
      })),
    );
  }
}

function recipient(person: Person): OutboxMessage['recipient'] {
  return { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` };
}

function cohortData(cohort: Cohort, programme: Programme): Record<string, unknown> {
  return {
    programmeTitle: programme.title,
    cohortId: cohort.id,
    cohortName: cohort.name,
    cohortStartsAt: toLondonIso(cohort.startsAt),
    cohortStartsAtLondon: formatLondon(cohort.startsAt),
    cohortEndsAtLondon: formatLondon(cohort.endsAt),
  };
}
