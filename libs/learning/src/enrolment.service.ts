import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { Grade, StaffGroup } from '@slp/identity';
import { AccessScope, AuditService, ConflictError, EmailNotVerifiedError, findPage, ForbiddenError, isUniqueViolation, newId, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Cohort } from './cohort.entity';
import { CohortStatus, enrolmentClosedReason } from './cohort-status';
import { EnrolmentEvents } from './enrolment-events';
import { EnrolmentRecord, toEnrolmentRecord } from './enrolment-record';
import { CohortsService } from './cohorts.service';
import { ineligibilityReason } from './eligibility';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment, EnrolmentSource, EnrolmentStatus } from './enrolment.entity';
import { AlreadyEnrolledError, CohortFullError, EnrolmentClosedError, InvalidTransitionError, NotEligibleError } from './learning.errors';
import { LearningNotifier } from './learning-notifier';
import { ProgrammeAccess } from './programme-access';
import { Programme } from './programme.entity';
import { SeatAllocator, waitlistPositionSql } from './seat-allocator';
import { admit, holdsSeat } from './seat-policy';

export interface PlaceInput {
  readonly cohortId: string;
  readonly personId: string;
  readonly source: EnrolmentSource;
  /**
   * Who is asking, checked under the cohort lock: `self` (the person; the cohort must be open to
   * them), `manager` (a lead or admin of the programme's system), or `trusted` (the caller has
   * authorised already, e.g. accepting a nomination).
   */
  readonly access: 'self' | 'manager' | 'trusted';
  /** Skip the cohort's approval step (a lead enrolling someone, an accepted nomination). */
  readonly preApproved: boolean;
  readonly scope: AccessScope | null;
  readonly actorAccountId: string | null;
}

/** The locked cohort row with what placement needs of its programme. */
interface CohortRow {
  id: string;
  name: string;
  status: CohortStatus;
  capacity: number;
  seats_taken: number;
  waitlist_tickets: number;
  waitlist_enabled: boolean;
  requires_approval: boolean;
  enrolment_opens_at: Date;
  enrolment_closes_at: Date;
  starts_at: Date;
  ends_at: Date;
  system_id: string | null;
  title: string;
  eligible_staff_groups: StaffGroup[];
  min_grade: Grade | null;
  max_grade: Grade | null;
  eligible_grades: Grade[];
}

/** A session still to come, as the placement query reads it. */
interface UpcomingSessionRow {
  id: string;
  sequence: number;
  title: string;
  kind: string;
  starts_at: string;
  ends_at: string;
  location: string | null;
  online_url: string | null;
}

interface PersonRow {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  staff_group: StaffGroup | null;
  grade: Grade | null;
  system_id: string | null;
}

@Injectable()
export class EnrolmentService {
  constructor(
    private readonly em: EntityManager,
    private readonly cohorts: CohortsService,
    private readonly seats: SeatAllocator,
    private readonly notifier: LearningNotifier,
    private readonly audit: AuditService,
    private readonly events: EnrolmentEvents,
  ) {}

  /** A participant enrols themself (or applies, when the cohort needs approval). */
  enrolSelf(scope: AccessScope, cohortId: string): Promise<EnrolmentRecord> {
    if (!scope.emailVerified) throw new EmailNotVerifiedError('Verify your email address before enrolling: follow the link in the email we sent when you registered, or ask for a new one (POST /api/v1/auth/verify-email/resend).');
    return this.em.transactional((em) => this.place(em, { cohortId, personId: scope.personId, source: 'self', access: 'self', preApproved: false, scope, actorAccountId: scope.accountId }));
  }

  /** A lead or admin of the programme enrols someone from their systems. */
  enrolOnBehalf(scope: AccessScope, cohortId: string, personId: string): Promise<EnrolmentRecord> {
    return this.em.transactional((em) => this.place(em, { cohortId, personId, source: 'lead', access: 'manager', preApproved: true, scope, actorAccountId: scope.accountId }));
  }

  /**
   * Puts a person into a cohort: the one path every enrolment takes (self, lead, accepted
   * nomination), run in the caller's transaction. It takes the cohort's row lock first, so seats
   * and waitlist tickets are decided one at a time per cohort, then checks access, the enrolment
   * window, eligibility and duplicates under that lock.
   *
   * This is the platform's hottest write, so it speaks SQL rather than the unit of work: the same
   * rows and rules, about half the CPU (see bench/enrolment.bench.mjs).
   */
  async place(em: EntityManager, input: PlaceInput): Promise<EnrolmentRecord> {
    const now = new Date();
    // Round trip 1: lock the cohort; read its programme and the person alongside.
    const [row] = await em.execute<(CohortRow & { person: PersonRow | null; sessions: UpcomingSessionRow[] | null })[]>(
      `select c.id, c.name, c.status, c.capacity, c.seats_taken, c.waitlist_tickets, c.waitlist_enabled, c.requires_approval,
              c.enrolment_opens_at, c.enrolment_closes_at, c.starts_at, c.ends_at,
              p.system_id, p.title, p.eligible_staff_groups, p.min_grade, p.max_grade, p.eligible_grades,
              (select json_build_object('id', pe.id, 'email', pe.email, 'given_name', pe.given_name, 'family_name', pe.family_name,
                                        'staff_group', pe.staff_group, 'grade', pe.grade, 'system_id', o.system_id)
                 from person pe left join organisation o on o.id = pe.organisation_id where pe.id = ? and pe.erased_at is null) as person,
              -- Sessions still to come: someone who gets a seat now is invited to each (no extra round trip).
              (select json_agg(json_build_object('id', s.id, 'sequence', s.sequence, 'title', s.title, 'kind', s.kind, 'starts_at', s.starts_at,
                                                 'ends_at', s.ends_at, 'location', s.location, 'online_url', s.online_url) order by s.starts_at, s.id)
                 from session s where s.cohort_id = c.id and s.status = 'scheduled' and s.starts_at > ?) as sessions
         from cohort c join programme p on p.id = c.programme_id
        where c.id = ? for update of c`,
      [input.personId, now, input.cohortId],
    );
    if (!row) throw NotFoundError.of('cohort', input.cohortId);
    const { person: personJson, sessions: upcoming, ...cohort } = row;
    const person = personJson ?? undefined;
    // The driver hands timestamps over as text; the rules compare instants.
    for (const key of ['enrolment_opens_at', 'enrolment_closes_at', 'starts_at', 'ends_at'] as const) cohort[key] = new Date(cohort[key]);
    await this.authorisePlacement(em, input, cohort, person);
    if (!person) throw NotFoundError.of('person', input.personId);
    const closed = enrolmentClosedReason({ status: cohort.status, enrolmentOpensAt: cohort.enrolment_opens_at, enrolmentClosesAt: cohort.enrolment_closes_at }, now);
    if (closed) throw new EnrolmentClosedError(closed);
    const ineligible = ineligibilityReason(
      { eligibleStaffGroups: cohort.eligible_staff_groups, minGrade: cohort.min_grade, maxGrade: cohort.max_grade, eligibleGrades: cohort.eligible_grades },
      { staffGroup: person.staff_group, grade: person.grade },
    );
    if (ineligible) throw new NotEligibleError(ineligible);

    const record: Mutable<EnrolmentRecord> = {
      id: newId(),
      cohortId: cohort.id,
      person: { id: person.id, givenName: person.given_name, familyName: person.family_name },
      status: 'pending_approval',
      source: input.source,
      waitlistPosition: null,
      offerExpiresAt: null,
      endReason: null,
      createdAt: now,
      enrolledAt: null,
      endedAt: null,
    };
    const arrival = admit(
      { capacity: cohort.capacity, seatsTaken: cohort.seats_taken, waitlistTickets: cohort.waitlist_tickets, waitlistEnabled: cohort.waitlist_enabled },
      cohort.requires_approval && !input.preApproved,
    );
    if (arrival.outcome === 'full') throw new CohortFullError();
    record.status = arrival.outcome;
    if (arrival.outcome === 'enrolled') record.enrolledAt = now;
    const ticket = arrival.outcome === 'waitlisted' ? arrival.ticket : null;

    const ref = {
      id: record.id,
      person: { id: person.id, email: person.email, givenName: person.given_name, familyName: person.family_name },
      cohort: { id: cohort.id, name: cohort.name, startsAt: cohort.starts_at, endsAt: cohort.ends_at },
    };
    const kind = record.status === 'enrolled' ? 'enrolment_confirmed' : record.status === 'waitlisted' ? 'waitlisted' : 'application_received';
    // A newcomer's position is counted by the writing statement: it runs after the lock was granted, so the count is settled
    // (round trip 1's own snapshot predates the wait for the lock), and the email carries the same figure.
    const email = this.notifier.enrolmentStatement(kind, ref, { title: cohort.title }, {}, ticket !== null ? { sql: `jsonb_build_object('waitlistPosition', (select position from positioned))`, params: [] } : undefined);
    // Seated people are invited to the sessions already scheduled; the waitlisted and applicants when they get a seat.
    const invitations =
      record.status === 'enrolled' && upcoming?.length
        ? this.notifier.statement(
            this.notifier.sessionInvitations(
              upcoming.map((s) => ({ id: s.id, sequence: s.sequence, title: s.title, kind: s.kind, startsAt: new Date(s.starts_at), endsAt: new Date(s.ends_at), location: s.location, onlineUrl: s.online_url })),
              ref.cohort,
              { title: cohort.title },
              ref.person,
            ),
          )
        : null;
    const audit = this.audit.insertStatement({ actorAccountId: input.actorAccountId, action: 'enrolment.create', objectType: 'enrolment', objectId: record.id, details: { cohortId: cohort.id, status: record.status, source: input.source } });
    const ledger = arrival.ledger;
    try {
      // Round trip 2: the enrolment, the cohort's seats, the email and the audit entry, as one statement.
      const [written] = await em.execute<{ position: number | null }[]>(
        `with ${ticket !== null ? `positioned as (select ${waitlistPositionSql('?', '?::int')} as position),` : ''}
         placed as (
           insert into enrolment (id, cohort_id, person_id, status, source, waitlist_ticket, enrolled_at, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?)),
         seats as (update cohort set seats_taken = ?, waitlist_tickets = ?, updated_at = ? where id = ?),
         emailed as (${email.sql}),${invitations ? `
         invited as (${invitations.sql}),` : ''}
         audited as (${audit.sql})
         select ${ticket !== null ? '(select position from positioned)' : 'null::int'} as position`,
        [
          ...(ticket !== null ? [cohort.id, ticket] : []),
          ...[record.id, cohort.id, person.id, record.status, record.source, ticket, record.enrolledAt, now, now],
          ...[ledger.seatsTaken, ledger.waitlistTickets, now, cohort.id],
          ...email.params,
          ...(invitations?.params ?? []),
          ...audit.params,
        ],
      );
      record.waitlistPosition = written?.position ?? null;
    } catch (error) {
      // One active enrolment per person per cohort is a partial unique index; the statement (and the seat) rolls back.
      if (isUniqueViolation(error, 'enrolment_one_active_per_person')) throw new AlreadyEnrolledError();
      throw error;
    }
    return record;
  }

  /** Who may place whom: checked under the lock, with the programme's system from the locked row. */
  private async authorisePlacement(em: EntityManager, input: PlaceInput, cohort: CohortRow, person: PersonRow | undefined): Promise<void> {
    if (input.access === 'trusted') return;
    const scope = input.scope!;
    const systemId = cohort.system_id;
    if (input.access === 'manager') {
      if (!ProgrammeAccess.canManage(scope, systemId)) {
        // Someone who can see the cohort learns they may not enrol others; anyone else, that it is not there.
        const [caller] = await em.execute<{ system_id: string | null }[]>('select o.system_id from person p left join organisation o on o.id = p.organisation_id where p.id = ?', [scope.personId]);
        const visible = ProgrammeAccess.canOversee(scope, systemId) || (cohort.status !== 'draft' && ProgrammeAccess.isOpenTo(caller?.system_id ?? null, systemId));
        if (visible) throw new ForbiddenError('Only programme leads and admins of this programme’s system can enrol other people.');
        throw NotFoundError.of('cohort', cohort.id);
      }
      // Leads enrol people of their own systems only.
      if (!person || !scope.canSeeStaffDataOf(person.system_id)) throw NotFoundError.of('person', input.personId);
      return;
    }
    const staff = ProgrammeAccess.canOversee(scope, systemId) || ProgrammeAccess.canManage(scope, systemId);
    if (!staff && (cohort.status === 'draft' || !ProgrammeAccess.isOpenTo(person?.system_id ?? null, systemId))) throw NotFoundError.of('cohort', cohort.id);
  }

  /** Approves an application: a seat if free, else the waitlist (409 when full without one). */
  async approve(scope: AccessScope, id: string): Promise<EnrolmentRecord> {
    return this.decide(scope, id, async (em, enrolment, cohort, programme, now) => {
      if (enrolment.status !== 'pending_approval') throw new InvalidTransitionError(`Only applications awaiting approval can be approved; this one is ${enrolment.status}.`);
      const placed = this.seats.seatOrWaitlist(cohort, enrolment, now);
      if (placed === 'enrolled') await this.events.seated(em, enrolment, now);
      const waitlistPosition = placed === 'waitlisted' ? await this.seats.positionOfTicket(em, cohort.id, enrolment.waitlistTicket!) : null;
      await this.notifier.enrolment(em, 'application_approved', enrolment, programme, { outcome: placed, waitlistPosition });
      return 'approve';
    });
  }

  async reject(scope: AccessScope, id: string, reason: string): Promise<EnrolmentRecord> {
    return this.decide(scope, id, async (em, enrolment, _cohort, programme, now) => {
      if (enrolment.status !== 'pending_approval') throw new InvalidTransitionError(`Only applications awaiting approval can be rejected; this one is ${enrolment.status}.`);
      enrolment.status = 'rejected';
      enrolment.endReason = reason;
      enrolment.endedAt = now;
      await this.notifier.enrolment(em, 'application_rejected', enrolment, programme, { reason });
      return 'reject';
    });
  }

  /** The person (or a lead) withdraws; a freed seat goes to the waitlist in the same transaction. */
  async withdraw(scope: AccessScope, id: string): Promise<EnrolmentRecord> {
    return this.act(scope, id, 'self_or_manager', this.withdrawal(null));
  }

  /**
   * Erasure (or the retention job) withdraws a person's active enrolment by the same path as a
   * withdrawal, so a freed seat goes to the waiting list; run inside the erasure's transaction.
   */
  async withdrawOnErasure(actorAccountId: string | null, id: string): Promise<EnrolmentRecord> {
    const found = await this.em.findOne(Enrolment, { id }, { fields: ['id', 'cohort'] });
    if (!found) throw NotFoundError.of('enrolment', id);
    return this.change(actorAccountId, id, found.cohort.id, this.withdrawal('person_erased'));
  }

  async acceptOffer(scope: AccessScope, id: string): Promise<EnrolmentRecord> {
    return this.act(scope, id, 'self', async (em, enrolment, _cohort, programme, now) => {
      if (enrolment.status !== 'offered') throw new InvalidTransitionError(`There is no open offer on this enrolment; it is ${enrolment.status}.`);
      if (enrolment.offerExpiresAt && enrolment.offerExpiresAt <= now) throw new ConflictError('This offer has expired.');
      enrolment.status = 'enrolled';
      enrolment.enrolledAt = now;
      enrolment.offerExpiresAt = null;
      await this.notifier.enrolment(em, 'enrolment_confirmed', enrolment, programme);
      await this.events.seated(em, enrolment, now);
      return 'accept_offer';
    });
  }

  async declineOffer(scope: AccessScope, id: string): Promise<EnrolmentRecord> {
    return this.act(scope, id, 'self', async (em, enrolment, cohort, programme, now) => {
      if (enrolment.status !== 'offered') throw new InvalidTransitionError(`There is no open offer on this enrolment; it is ${enrolment.status}.`);
      this.endOffer(enrolment, 'offer_declined', now);
      this.seats.release(cohort, 'offered');
      await this.seats.fillFreeSeats(em, cohort, programme, now);
      return 'decline_offer';
    });
  }

  async complete(scope: AccessScope, id: string, outcome: 'completed' | 'not_completed'): Promise<EnrolmentRecord> {
    return this.act(scope, id, 'manager', async (_em, enrolment, _cohort, _programme, now) => {
      if (enrolment.status !== 'enrolled') throw new InvalidTransitionError(`Only enrolled people can complete; this enrolment is ${enrolment.status}.`);
      enrolment.status = outcome;
      enrolment.endedAt = now;
      return 'complete';
    });
  }

  /**
   * Expires offers whose window has passed and passes each seat to the next person. Safe to run
   * from several workers at once: each cohort is handled under its row lock and re-checked.
   */
  async expireOffers(now = new Date()): Promise<number> {
    const due = await this.em.fork().find(Enrolment, { status: 'offered', offerExpiresAt: { $lte: now } }, { fields: ['id', 'cohort'], limit: 500 });
    const cohortIds = [...new Set(due.map((e) => e.cohort.id))];
    let expired = 0;
    for (const cohortId of cohortIds) {
      expired += await this.em.fork().transactional(async (em) => {
        const cohort = (await this.seats.lockCohort(em, cohortId))!;
        const programme = await em.findOneOrFail(Programme, { id: cohort.programme.id });
        const lapsed = await em.find(Enrolment, { cohort, status: 'offered', offerExpiresAt: { $lte: now } }, { populate: ['person'] });
        for (const enrolment of lapsed) {
          this.endOffer(enrolment, 'offer_expired', now);
          this.seats.release(cohort, 'offered');
          await this.notifier.enrolment(em, 'offer_expired', enrolment, programme);
          this.audit.record(em, { actorAccountId: null, action: 'enrolment.offer_expired', objectType: 'enrolment', objectId: enrolment.id, details: { cohortId } });
        }
        await this.seats.fillFreeSeats(em, cohort, programme, now);
        return lapsed.length;
      });
    }
    return expired;
  }

  async get(scope: AccessScope, id: string): Promise<EnrolmentRecord> {
    const enrolment = await this.em.findOne(Enrolment, { id }, { populate: ['cohort', 'cohort.programme', 'cohort.programme.system', 'person'] });
    if (!enrolment || !this.canSee(scope, enrolment)) throw NotFoundError.of('enrolment', id);
    return toEnrolmentRecord(enrolment, await this.seats.waitlistPosition(this.em, enrolment));
  }

  async listForCohort(scope: AccessScope, cohortId: string, status: EnrolmentStatus | undefined, page: PageRequest): Promise<Page<EnrolmentRecord>> {
    const { cohort, canOversee } = await this.cohorts.getVisible(scope, cohortId);
    if (!canOversee) throw new ForbiddenError('Only staff of this programme’s system can list its enrolments.');
    const where: FilterQuery<Enrolment> = { cohort };
    if (status) where.status = status;
    return this.withPositions(await findPage(this.em, Enrolment, where, { createdAt: 'asc', id: 'asc' }, page, ['person']));
  }

  async listMine(scope: AccessScope, page: PageRequest): Promise<Page<EnrolmentRecord>> {
    return this.withPositions(await findPage(this.em, Enrolment, { person: scope.personId }, { createdAt: 'desc', id: 'desc' }, page, ['cohort', 'cohort.programme']));
  }

  private async withPositions(page: Page<Enrolment>): Promise<Page<EnrolmentRecord>> {
    const positions = await this.seats.waitlistPositions(this.em, page.items);
    return { items: page.items.map((enrolment) => toEnrolmentRecord(enrolment, positions.get(enrolment.id) ?? null)), nextCursor: page.nextCursor };
  }

  private canSee(scope: AccessScope, enrolment: Enrolment): boolean {
    return enrolment.person.id === scope.personId || ProgrammeAccess.canOversee(scope, enrolment.cohort.programme.system?.id ?? null);
  }

  /** Approve or reject: managers of the programme only. */
  private decide(scope: AccessScope, id: string, change: EnrolmentChange): Promise<EnrolmentRecord> {
    return this.act(scope, id, 'manager', async (em, enrolment, cohort, programme, now) => {
      const verb = await change(em, enrolment, cohort, programme, now);
      enrolment.decidedByAccountId = scope.accountId;
      enrolment.decidedAt = now;
      return verb;
    });
  }

  /** Loads the enrolment, checks who may act, locks its cohort, applies `change`, audits: one transaction. */
  private async act(scope: AccessScope, id: string, who: 'self' | 'manager' | 'self_or_manager', change: EnrolmentChange): Promise<EnrolmentRecord> {
    const found = await this.em.findOne(Enrolment, { id }, { populate: ['cohort', 'cohort.programme', 'cohort.programme.system', 'person'] });
    if (!found || !this.canSee(scope, found)) throw NotFoundError.of('enrolment', id);
    const self = found.person.id === scope.personId;
    const manager = ProgrammeAccess.canManage(scope, found.cohort.programme.system?.id ?? null);
    const allowed = who === 'self' ? self : who === 'manager' ? manager : self || manager;
    if (!allowed) throw new ForbiddenError(who === 'self' ? 'Only the person enrolled can do this.' : 'Only programme leads and admins of this programme’s system can do this.');
    return this.change(scope.accountId, id, found.cohort.id, change);
  }

  /** Locks the enrolment's cohort, applies `change` and audits it, in one transaction (the caller has authorised). */
  private async change(actorAccountId: string | null, id: string, cohortId: string, change: EnrolmentChange): Promise<EnrolmentRecord> {
    return this.em.transactional(async (em) => {
      const now = new Date();
      const cohort = (await this.seats.lockCohort(em, cohortId))!;
      const enrolment = await em.findOneOrFail(Enrolment, { id }, { refresh: true, populate: ['person'] });
      const programme = await em.findOneOrFail(Programme, { id: cohort.programme.id });
      const verb = await change(em, enrolment, cohort, programme, now);
      this.audit.record(em, { actorAccountId, action: `enrolment.${verb}`, objectType: 'enrolment', objectId: enrolment.id, details: { cohortId: cohort.id, status: enrolment.status } });
      // Written first, so the position counts this enrolment among those waiting.
      await em.flush();
      return toEnrolmentRecord(enrolment, await this.seats.waitlistPosition(em, enrolment));
    });
  }

  /** Withdrawal: a seat it frees goes to the next person waiting (or is offered), under the cohort lock. */
  private withdrawal(endReason: string | null): EnrolmentChange {
    return async (em, enrolment, cohort, programme, now) => {
      if (!ACTIVE_ENROLMENT_STATUSES.includes(enrolment.status)) throw new InvalidTransitionError(`A ${enrolment.status} enrolment cannot be withdrawn.`);
      const leaving = enrolment.status;
      enrolment.status = 'withdrawn';
      enrolment.endedAt = now;
      enrolment.waitlistTicket = null;
      enrolment.offerExpiresAt = null;
      if (endReason) enrolment.endReason = endReason;
      if (holdsSeat(leaving)) {
        this.seats.release(cohort, leaving);
        await this.seats.fillFreeSeats(em, cohort, programme, now);
      }
      return 'withdraw';
    };
  }

  private endOffer(enrolment: Enrolment, reason: string, now: Date): void {
    enrolment.status = 'declined';
    enrolment.endReason = reason;
    enrolment.endedAt = now;
    enrolment.offerExpiresAt = null;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type EnrolmentChange = (em: EntityManager, enrolment: Enrolment, cohort: Cohort, programme: Programme, now: Date) => Promise<string>;

