import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Person } from '@slp/identity';
import { AccessScope, AuditService, ConflictError, findPage, ForbiddenError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Cohort } from './cohort.entity';
import { enrolmentClosedReason } from './cohort-status';
import { CohortsService } from './cohorts.service';
import { ineligibilityReason } from './eligibility';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment, EnrolmentSource, EnrolmentStatus } from './enrolment.entity';
import { AlreadyEnrolledError, EnrolmentClosedError, InvalidTransitionError, NotEligibleError } from './learning.errors';
import { LearningNotifier } from './learning-notifier';
import { ProgrammeAccess } from './programme-access';
import { Programme } from './programme.entity';
import { SeatAllocator } from './seat-allocator';

export interface EnrolmentView {
  readonly enrolment: Enrolment;
  readonly waitlistPosition: number | null;
}

export interface PlaceInput {
  readonly cohortId: string;
  readonly person: Person;
  readonly source: EnrolmentSource;
  /** Skip the cohort's approval step (a lead enrolling someone, an accepted nomination). */
  readonly preApproved: boolean;
  readonly actorAccountId: string;
}

@Injectable()
export class EnrolmentService {
  constructor(
    private readonly em: EntityManager,
    private readonly cohorts: CohortsService,
    private readonly seats: SeatAllocator,
    private readonly notifier: LearningNotifier,
    private readonly audit: AuditService,
  ) {}

  /** A participant enrols themself (or applies, when the cohort needs approval). */
  async enrolSelf(scope: AccessScope, cohortId: string): Promise<EnrolmentView> {
    const { cohort } = await this.cohorts.getVisible(scope, cohortId);
    const person = await this.em.findOneOrFail(Person, { id: scope.personId });
    return this.em.transactional((em) => this.place(em, { cohortId: cohort.id, person, source: 'self', preApproved: false, actorAccountId: scope.accountId }));
  }

  /** A lead or admin of the programme enrols someone from their systems. */
  async enrolOnBehalf(scope: AccessScope, cohortId: string, personId: string): Promise<EnrolmentView> {
    const { cohort } = await this.cohorts.getManaged(scope, cohortId);
    const person = await this.em.findOne(Person, { id: personId }, { populate: ['organisation'] });
    if (!person || !scope.canSeeStaffDataOf(person.organisation?.system.id)) throw NotFoundError.of('person', personId);
    return this.em.transactional((em) => this.place(em, { cohortId: cohort.id, person, source: 'lead', preApproved: true, actorAccountId: scope.accountId }));
  }

  /**
   * Puts a person into a cohort: the one path every enrolment takes (self, lead, accepted
   * nomination). Runs in the caller's transaction and takes the cohort's row lock, so seats and
   * waitlist positions are decided one at a time per cohort.
   */
  async place(em: EntityManager, input: PlaceInput): Promise<EnrolmentView> {
    const now = new Date();
    const cohort = await this.seats.lockCohort(em, input.cohortId);
    if (!cohort) throw NotFoundError.of('cohort', input.cohortId);
    const programme = await em.findOneOrFail(Programme, { id: cohort.programme.id });
    const closed = enrolmentClosedReason(cohort, now);
    if (closed) throw new EnrolmentClosedError(closed);
    const ineligible = ineligibilityReason(programme, input.person);
    if (ineligible) throw new NotEligibleError(ineligible);
    if (await em.count(Enrolment, { cohort, person: input.person, status: { $in: [...ACTIVE_ENROLMENT_STATUSES] } })) throw new AlreadyEnrolledError();

    const enrolment = em.create(Enrolment, { cohort, person: input.person, status: 'pending_approval', source: input.source, createdAt: now, updatedAt: now });
    if (cohort.requiresApproval && !input.preApproved) {
      await this.notifier.enrolment(em, 'application_received', enrolment, programme);
    } else {
      const placed = this.seats.seatOrWaitlist(cohort, enrolment, now);
      if (placed === 'enrolled') await this.notifier.enrolment(em, 'enrolment_confirmed', enrolment, programme);
    }
    const waitlistPosition = enrolment.status === 'waitlisted' ? await this.waitlistPositionOnArrival(em, cohort, enrolment) : null;
    if (waitlistPosition !== null) await this.notifier.enrolment(em, 'waitlisted', enrolment, programme, { waitlistPosition });
    this.audit.record(em, { actorAccountId: input.actorAccountId, action: 'enrolment.create', objectType: 'enrolment', objectId: enrolment.id, details: { cohortId: cohort.id, status: enrolment.status, source: input.source } });
    await this.flushUnique(em);
    return { enrolment, waitlistPosition };
  }

  /** Approves an application: a seat if free, else the waitlist (409 when full without one). */
  async approve(scope: AccessScope, id: string): Promise<EnrolmentView> {
    return this.decide(scope, id, async (em, enrolment, cohort, programme, now) => {
      if (enrolment.status !== 'pending_approval') throw new InvalidTransitionError(`Only applications awaiting approval can be approved; this one is ${enrolment.status}.`);
      const placed = this.seats.seatOrWaitlist(cohort, enrolment, now);
      const waitlistPosition = placed === 'waitlisted' ? await this.waitlistPositionOnArrival(em, cohort, enrolment) : null;
      await this.notifier.enrolment(em, 'application_approved', enrolment, programme, { outcome: placed, waitlistPosition });
      return 'approve';
    });
  }

  async reject(scope: AccessScope, id: string, reason: string): Promise<EnrolmentView> {
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
  async withdraw(scope: AccessScope, id: string): Promise<EnrolmentView> {
    return this.act(scope, id, 'self_or_manager', async (em, enrolment, cohort, programme, now) => {
      if (!ACTIVE_ENROLMENT_STATUSES.includes(enrolment.status)) throw new InvalidTransitionError(`A ${enrolment.status} enrolment cannot be withdrawn.`);
      const heldSeat = enrolment.status === 'enrolled' || enrolment.status === 'offered';
      enrolment.status = 'withdrawn';
      enrolment.endedAt = now;
      enrolment.waitlistTicket = null;
      enrolment.offerExpiresAt = null;
      if (heldSeat) {
        this.seats.releaseSeat(cohort);
        await this.seats.fillFreeSeats(em, cohort, programme, now);
      }
      return 'withdraw';
    });
  }

  async acceptOffer(scope: AccessScope, id: string): Promise<EnrolmentView> {
    return this.act(scope, id, 'self', async (em, enrolment, _cohort, programme, now) => {
      if (enrolment.status !== 'offered') throw new InvalidTransitionError(`There is no open offer on this enrolment; it is ${enrolment.status}.`);
      if (enrolment.offerExpiresAt && enrolment.offerExpiresAt <= now) throw new ConflictError('This offer has expired.');
      enrolment.status = 'enrolled';
      enrolment.enrolledAt = now;
      enrolment.offerExpiresAt = null;
      await this.notifier.enrolment(em, 'enrolment_confirmed', enrolment, programme);
      return 'accept_offer';
    });
  }

  async declineOffer(scope: AccessScope, id: string): Promise<EnrolmentView> {
    return this.act(scope, id, 'self', async (em, enrolment, cohort, programme, now) => {
      if (enrolment.status !== 'offered') throw new InvalidTransitionError(`There is no open offer on this enrolment; it is ${enrolment.status}.`);
      this.endOffer(enrolment, 'offer_declined', now);
      this.seats.releaseSeat(cohort);
      await this.seats.fillFreeSeats(em, cohort, programme, now);
      return 'decline_offer';
    });
  }

  async complete(scope: AccessScope, id: string, outcome: 'completed' | 'not_completed'): Promise<EnrolmentView> {
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
          this.seats.releaseSeat(cohort);
          await this.notifier.enrolment(em, 'offer_expired', enrolment, programme);
          this.audit.record(em, { actorAccountId: null, action: 'enrolment.offer_expired', objectType: 'enrolment', objectId: enrolment.id, details: { cohortId } });
        }
        await this.seats.fillFreeSeats(em, cohort, programme, now);
        return lapsed.length;
      });
    }
    return expired;
  }

  async get(scope: AccessScope, id: string): Promise<EnrolmentView> {
    const enrolment = await this.em.findOne(Enrolment, { id }, { populate: ['cohort', 'cohort.programme', 'cohort.programme.system', 'person'] });
    if (!enrolment || !this.canSee(scope, enrolment)) throw NotFoundError.of('enrolment', id);
    return { enrolment, waitlistPosition: await this.seats.waitlistPosition(this.em, enrolment) };
  }

  async listForCohort(scope: AccessScope, cohortId: string, status: EnrolmentStatus | undefined, page: PageRequest): Promise<Page<EnrolmentView>> {
    const { cohort, canOversee } = await this.cohorts.getVisible(scope, cohortId);
    if (!canOversee) throw new ForbiddenError('Only staff of this programme’s system can list its enrolments.');
    const where: FilterQuery<Enrolment> = { cohort };
    if (status) where.status = status;
    return this.withPositions(await findPage(this.em, Enrolment, where, { createdAt: 'asc', id: 'asc' }, page, ['person']));
  }

  async listMine(scope: AccessScope, page: PageRequest): Promise<Page<EnrolmentView>> {
    return this.withPositions(await findPage(this.em, Enrolment, { person: scope.personId }, { createdAt: 'desc', id: 'desc' }, page, ['cohort', 'cohort.programme']));
  }

  private async withPositions(page: Page<Enrolment>): Promise<Page<EnrolmentView>> {
    const items = await Promise.all(page.items.map(async (enrolment) => ({ enrolment, waitlistPosition: await this.seats.waitlistPosition(this.em, enrolment) })));
    return { items, nextCursor: page.nextCursor };
  }

  private canSee(scope: AccessScope, enrolment: Enrolment): boolean {
    return enrolment.person.id === scope.personId || ProgrammeAccess.canOversee(scope, enrolment.cohort.programme.system?.id ?? null);
  }

  /** Approve or reject: managers of the programme only. */
  private decide(scope: AccessScope, id: string, change: EnrolmentChange): Promise<EnrolmentView> {
    return this.act(scope, id, 'manager', async (em, enrolment, cohort, programme, now) => {
      const verb = await change(em, enrolment, cohort, programme, now);
      enrolment.decidedByAccountId = scope.accountId;
      enrolment.decidedAt = now;
      return verb;
    });
  }

  /** Loads the enrolment, checks who may act, locks its cohort, applies `change`, audits: one transaction. */
  private async act(scope: AccessScope, id: string, who: 'self' | 'manager' | 'self_or_manager', change: EnrolmentChange): Promise<EnrolmentView> {
    const found = await this.em.findOne(Enrolment, { id }, { populate: ['cohort', 'cohort.programme', 'cohort.programme.system', 'person'] });
    if (!found || !this.canSee(scope, found)) throw NotFoundError.of('enrolment', id);
    const self = found.person.id === scope.personId;
    const manager = ProgrammeAccess.canManage(scope, found.cohort.programme.system?.id ?? null);
    const allowed = who === 'self' ? self : who === 'manager' ? manager : self || manager;
    if (!allowed) throw new ForbiddenError(who === 'self' ? 'Only the person enrolled can do this.' : 'Only programme leads and admins of this programme’s system can do this.');
    return this.em.transactional(async (em) => {
      const now = new Date();
      const cohort = (await this.seats.lockCohort(em, found.cohort.id))!;
      const enrolment = await em.findOneOrFail(Enrolment, { id }, { refresh: true, populate: ['person'] });
      const programme = await em.findOneOrFail(Programme, { id: cohort.programme.id });
      const verb = await change(em, enrolment, cohort, programme, now);
      this.audit.record(em, { actorAccountId: scope.accountId, action: `enrolment.${verb}`, objectType: 'enrolment', objectId: enrolment.id, details: { cohortId: cohort.id, status: enrolment.status } });
      // Written first, so the position counts this enrolment among those waiting.
      await em.flush();
      return { enrolment, waitlistPosition: await this.seats.waitlistPosition(em, enrolment) };
    });
  }

  private endOffer(enrolment: Enrolment, reason: string, now: Date): void {
    enrolment.status = 'declined';
    enrolment.endReason = reason;
    enrolment.endedAt = now;
    enrolment.offerExpiresAt = null;
  }

  /** The newcomer's position: everyone already waiting plus one (computed under the cohort lock, before flush). */
  private async waitlistPositionOnArrival(em: EntityManager, cohort: Cohort, enrolment: Enrolment): Promise<number> {
    return (await em.count(Enrolment, { cohort, status: 'waitlisted', id: { $ne: enrolment.id } })) + 1;
  }

  /** A concurrent duplicate slips past the check only to hit the partial unique index: same answer. */
  private async flushUnique(em: EntityManager): Promise<void> {
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new AlreadyEnrolledError();
      throw error;
    }
  }
}

type EnrolmentChange = (em: EntityManager, enrolment: Enrolment, cohort: Cohort, programme: Programme, now: Date) => Promise<string>;
