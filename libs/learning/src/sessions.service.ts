import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '@slp/identity';
import { addressOf } from '@slp/notifications';
import { AccessScope, APP_CONFIG, AppConfig, AuditService, ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '@slp/platform';
import { Cohort } from './cohort.entity';
import { CohortsService } from './cohorts.service';
import { Enrolment } from './enrolment.entity';
import { EnrolmentEvents, EnrolmentSeatedListener } from './enrolment-events';
import { LearningNotifier, sessionSnapshot } from './learning-notifier';
import { ProgrammeAccess } from './programme-access';
import { Programme } from './programme.entity';
import { sessionCalendar } from './session-calendar';
import { Session, SessionKind } from './session.entity';

export interface SessionInput {
  readonly title: string;
  readonly kind: SessionKind;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly location?: string | null;
  readonly onlineUrl?: string | null;
}

@Injectable()
export class SessionsService implements OnModuleInit, EnrolmentSeatedListener {
  constructor(
    private readonly em: EntityManager,
    private readonly cohorts: CohortsService,
    private readonly notifier: LearningNotifier,
    private readonly audit: AuditService,
    private readonly enrolmentEvents: EnrolmentEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.enrolmentEvents.onSeated(this);
  }

  /**
   * Someone took up a seat after the cohort's sessions were scheduled (approved, promoted from the
   * waitlist, accepted an offer): they get the invitation to each session still to come, in the
   * same transaction. (A direct enrolment does the same inside its placement statement.)
   */
  async enrolmentSeated(em: EntityManager, enrolment: Enrolment, now: Date): Promise<void> {
    const sessions = await em.find(Session, { cohort: enrolment.cohort.id, status: 'scheduled', startsAt: { $gt: now } }, { orderBy: { startsAt: 'asc', id: 'asc' } });
    if (!sessions.length) return;
    const cohort = await em.findOneOrFail(Cohort, { id: enrolment.cohort.id }, { populate: ['programme'] });
    await em.populate(enrolment, ['person']);
    await this.notifier.inviteToSessions(em, sessions, cohort, cohort.programme, enrolment.person);
  }

  async create(scope: AccessScope, cohortId: string, input: SessionInput): Promise<Session> {
    const { cohort, programme } = await this.cohorts.getManaged(scope, cohortId);
    if (cohort.status === 'completed' || cohort.status === 'cancelled') throw new ConflictError(`A ${cohort.status} cohort cannot have new sessions.`);
    assertSession(input);
    return this.em.transactional(async (em) => {
      const session = em.create(Session, { cohort: em.getReference(Cohort, cohort.id), title: input.title, kind: input.kind, startsAt: input.startsAt, endsAt: input.endsAt, location: input.location ?? null, onlineUrl: input.onlineUrl ?? null, status: 'scheduled', sequence: 0, createdAt: new Date(), updatedAt: new Date() });
      await em.flush();
      await this.notifier.session(em, 'session_scheduled', await em.findOneOrFail(Session, { id: session.id }, { populate: ['cohort'] }), programme, await this.enrolledPeople(em, cohort.id));
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'session.create', objectType: 'session', objectId: session.id, details: { cohortId } });
      return session;
    });
  }

  async list(scope: AccessScope, cohortId: string): Promise<Session[]> {
    const { cohort } = await this.cohorts.getVisible(scope, cohortId);
    return this.em.find(Session, { cohort }, { orderBy: { startsAt: 'asc', id: 'asc' } });
  }

  /** A session for anyone who can see its cohort. */
  async get(scope: AccessScope, id: string): Promise<{ session: Session; programme: Programme; canManage: boolean }> {
    const session = await this.em.findOne(Session, { id });
    if (!session) throw NotFoundError.of('session', id);
    const visible = await this.cohorts.getVisible(scope, session.cohort.id).catch(() => {
      throw NotFoundError.of('session', id);
    });
    return { session, programme: visible.programme, canManage: visible.canManage };
  }

  /** Changes a session: SEQUENCE rises, and enrolled people are emailed what changed. */
  async update(scope: AccessScope, id: string, input: Partial<SessionInput>): Promise<Session> {
    const { session, programme, canManage } = await this.get(scope, id);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can change sessions.');
    if (session.status === 'cancelled') throw new ConflictError('A cancelled session cannot be changed.');
    return this.em.transactional(async (em) => {
      const current = await this.lockSession(em, id);
      const before = sessionSnapshot(current);
      em.assign(current, Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)));
      assertSession(current);
      const after = sessionSnapshot(current);
      const changes = Object.fromEntries(
        (Object.keys(after) as (keyof typeof after)[]).filter((key) => before[key] !== after[key]).map((key) => [key, { from: before[key], to: after[key] }]),
      );
      if (!Object.keys(changes).length) return current;
      current.sequence += 1;
      await this.notifier.session(em, 'session_changed', current, programme, await this.enrolledPeople(em, current.cohort.id), { changes });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'session.update', objectType: 'session', objectId: current.id, details: { fields: Object.keys(changes), sequence: current.sequence } });
      return current;
    });
  }

  async cancel(scope: AccessScope, id: string): Promise<Session> {
    const { session, programme, canManage } = await this.get(scope, id);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can cancel sessions.');
    if (session.status === 'cancelled') throw new ConflictError('The session is already cancelled.');
    return this.em.transactional(async (em) => {
      const current = await this.lockSession(em, id);
      current.status = 'cancelled';
      current.sequence += 1;
      await this.notifier.session(em, 'session_cancelled', current, programme, await this.enrolledPeople(em, current.cohort.id));
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'session.cancel', objectType: 'session', objectId: current.id, details: { sequence: current.sequence } });
      return current;
    });
  }

  /** The invitation (.ics), for people enrolled in the cohort and its staff. */
  async calendar(scope: AccessScope, id: string): Promise<string> {
    const { session, programme } = await this.get(scope, id);
    const cohort = await this.em.findOneOrFail(Cohort, { id: session.cohort.id });
    const staff = ProgrammeAccess.canOversee(scope, programme.system?.id ?? null) || ProgrammeAccess.canManage(scope, programme.system?.id ?? null);
    const attending = await this.em.findOne(Enrolment, { cohort, person: scope.personId, status: { $in: ['enrolled', 'completed', 'not_completed'] } }, { populate: ['person'] });
    if (!staff && !attending) throw NotFoundError.of('session', id);
    const attendee = attending ? { name: `${attending.person.givenName} ${attending.person.familyName}`, email: attending.person.email } : undefined;
    return sessionCalendar(session, { programmeTitle: programme.title, cohortName: cohort.name, organiserEmail: addressOf(this.config.mail.from), attendee });
  }

  /**
   * Re-reads the session under a row lock, so concurrent changes queue and each gets its own
   * SEQUENCE (and email); a session cancelled meanwhile is a 409.
   */
  private async lockSession(em: EntityManager, id: string): Promise<Session> {
    const session = await em.findOneOrFail(Session, { id }, { refresh: true, lockMode: LockMode.PESSIMISTIC_WRITE });
    if (session.status === 'cancelled') throw new ConflictError('The session is cancelled.');
    await em.populate(session, ['cohort']);
    return session;
  }

  private async enrolledPeople(em: EntityManager, cohortId: string): Promise<Person[]> {
    const enrolments = await em.find(Enrolment, { cohort: cohortId, status: 'enrolled' }, { populate: ['person'] });
    return enrolments.map((e) => e.person);
  }
}

function assertSession(input: Pick<SessionInput, 'startsAt' | 'endsAt' | 'location' | 'onlineUrl'>): void {
  if (input.endsAt <= input.startsAt) throw new InvalidInputError('The session ends before it starts.', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
  if (!input.location && !input.onlineUrl) throw new InvalidInputError('Say where the session is.', [{ field: 'location', message: 'location or onlineUrl is required' }]);
}
