import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxMessage, OutboxService } from '@slp/notifications';
import { APP_CONFIG, AppConfig, formatLondon, SqlStatement, toLondonIso } from '@slp/platform';
import type { Session } from './session.entity';

/** What an email needs of a person, a cohort and a programme: entities fit, and so do plain rows. */
export interface RecipientRef {
  readonly id: string;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
}
export interface CohortRef {
  readonly id: string;
  readonly name: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}
export interface ProgrammeRef {
  readonly title: string;
}
export interface EnrolmentRef {
  readonly id: string;
  readonly person: RecipientRef;
  readonly cohort: CohortRef;
}

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

/** What a session invitation needs of a session: an entity fits, and so does a plain row. */
export interface SessionRef {
  readonly id: string;
  readonly sequence: number;
  readonly title: string;
  readonly kind: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly location?: string | null;
  readonly onlineUrl?: string | null;
}

export function sessionSnapshot(session: SessionRef): SessionSnapshot {
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
  constructor(
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enrolment(em: EntityManager, kind: LearningNotificationKind, enrolment: EnrolmentRef, programme: ProgrammeRef, extra: Record<string, unknown> = {}): Promise<void> {
    await this.outbox.enqueue(em, this.enrolmentMessage(kind, enrolment, programme, extra));
  }

  /**
   * The outbox INSERT for an enrolment email, for callers that compose it into one statement;
   * `computed` adds data fields that statement works out itself (a jsonb expression).
   */
  enrolmentStatement(kind: LearningNotificationKind, enrolment: EnrolmentRef, programme: ProgrammeRef, extra: Record<string, unknown> = {}, computed?: SqlStatement): SqlStatement {
    return this.outbox.insertStatement({ ...this.enrolmentMessage(kind, enrolment, programme, extra), ...(computed ? { computedData: computed } : {}) })!;
  }

  private enrolmentMessage(kind: LearningNotificationKind, enrolment: EnrolmentRef, programme: ProgrammeRef, extra: Record<string, unknown>): OutboxMessage {
    return {
      kind,
      recipient: recipient(enrolment.person),
      subject: { type: 'enrolment', id: enrolment.id },
      data: {
        ...cohortData(enrolment.cohort, programme),
        givenName: enrolment.person.givenName,
        enrolmentId: enrolment.id,
        // "Your learning" in the portal: where the person sees (and answers) their enrolment.
        enrolmentUrl: `${this.config.publicUrl}/learning`,
        ...extra,
      },
    };
  }

  async session(em: EntityManager, kind: 'session_scheduled' | 'session_changed' | 'session_cancelled', session: Session, programme: ProgrammeRef, people: readonly RecipientRef[], extra: Record<string, unknown> = {}): Promise<void> {
    await this.outbox.enqueue(em, sessionMessages(kind, session, session.cohort, programme, people, extra));
  }

  /**
   * Someone who joined a cohort after its sessions were scheduled: the invitation (with its .ics
   * REQUEST, same UID and SEQUENCE as everyone else's) for each session still to come. The dedupe
   * key (kind, session, person, sequence) means someone already invited is not invited again.
   */
  sessionInvitations(sessions: readonly SessionRef[], cohort: CohortRef, programme: ProgrammeRef, person: RecipientRef): OutboxMessage[] {
    return sessions.flatMap((session) => sessionMessages('session_scheduled', session, cohort, programme, [person], { joinedAfterScheduling: true }));
  }

  async inviteToSessions(em: EntityManager, sessions: readonly SessionRef[], cohort: CohortRef, programme: ProgrammeRef, person: RecipientRef): Promise<void> {
    await this.outbox.enqueue(em, this.sessionInvitations(sessions, cohort, programme, person));
  }

  /** The outbox INSERT for `messages` (null when there are none), for callers that compose it into one statement. */
  statement(messages: readonly OutboxMessage[]): SqlStatement | null {
    return this.outbox.insertStatement(messages);
  }

  async cohortCancelled(em: EntityManager, cohort: CohortRef, programme: ProgrammeRef, people: readonly RecipientRef[]): Promise<void> {
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

function sessionMessages(kind: 'session_scheduled' | 'session_changed' | 'session_cancelled', session: SessionRef, cohort: CohortRef, programme: ProgrammeRef, people: readonly RecipientRef[], extra: Record<string, unknown>): OutboxMessage[] {
  const data = { ...cohortData(cohort, programme), session: { id: session.id, sequence: session.sequence, ...sessionSnapshot(session) }, ...extra };
  return people.map((person) => ({
    kind,
    recipient: recipient(person),
    subject: { type: 'session', id: session.id },
    occasion: session.sequence,
    data: { ...data, givenName: person.givenName },
  }));
}

function recipient(person: RecipientRef): OutboxMessage['recipient'] {
  return { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` };
}

function cohortData(cohort: CohortRef, programme: ProgrammeRef): Record<string, unknown> {
  return {
    programmeTitle: programme.title,
    cohortId: cohort.id,
    cohortName: cohort.name,
    cohortStartsAt: toLondonIso(cohort.startsAt),
    cohortStartsAtLondon: formatLondon(cohort.startsAt),
    cohortEndsAtLondon: formatLondon(cohort.endsAt),
  };
}
