import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { Person } from '@slp/identity';
import { AccessScope, AuditService, ConflictError, findPage, ForbiddenError, InvalidInputError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Cohort } from './cohort.entity';
import { canTransition, CohortStatus, invalidCohortDates } from './cohort-status';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment } from './enrolment.entity';
import { InvalidTransitionError } from './learning.errors';
import { LearningNotifier } from './learning-notifier';
import { ProgrammeAccess } from './programme-access';
import { Programme } from './programme.entity';
import { ProgrammesService } from './programmes.service';
import { SeatAllocator } from './seat-allocator';
import { Session } from './session.entity';
import { cohortVisibleTo } from './learning.queries';

export interface CohortInput {
  readonly name: string;
  readonly capacity: number;
  readonly enrolmentOpensAt: Date;
  readonly enrolmentClosesAt: Date;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly requiresApproval: boolean;
  readonly waitlistEnabled: boolean;
  readonly offerWindowHours?: number;
}

export interface CohortFilter {
  readonly programmeId?: string;
  readonly status?: CohortStatus;
  readonly systemId?: string;
}

/** A cohort with what the caller may do with it. */
export interface VisibleCohort {
  readonly cohort: Cohort;
  readonly programme: Programme;
  readonly canManage: boolean;
  readonly canOversee: boolean;
}

export interface CohortCounts {
  readonly waitlistLength: number;
}

@Injectable()
export class CohortsService {
  constructor(
    private readonly em: EntityManager,
    private readonly programmes: ProgrammesService,
    private readonly seats: SeatAllocator,
    private readonly notifier: LearningNotifier,
    private readonly audit: AuditService,
  ) {}

  async create(scope: AccessScope, programmeId: string, input: CohortInput): Promise<Cohort> {
    const programme = await this.programmes.get(scope, programmeId);
    if (!ProgrammeAccess.canManage(scope, programme.system?.id ?? null)) throw new ForbiddenError('You cannot add cohorts to this programme.');
    assertDates(input);
    return this.em.transactional(async (em) => {
      const cohort = em.create(Cohort, {
        programme: em.getReference(Programme, programme.id),
        name: input.name,
        capacity: input.capacity,
        seatsTaken: 0,
        waitlistTickets: 0,
        enrolmentOpensAt: input.enrolmentOpensAt,
        enrolmentClosesAt: input.enrolmentClosesAt,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        status: 'draft',
        requiresApproval: input.requiresApproval,
        waitlistEnabled: input.waitlistEnabled,
        offerWindowHours: input.offerWindowHours ?? 0,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'cohort.create', objectType: 'cohort', objectId: cohort.id, details: { programmeId } });
      return cohort;
    });
  }

  /** The cohort if the caller may see it: staff of its system, or anyone it is open to (not drafts), or someone enrolled in it. */
  async getVisible(scope: AccessScope, id: string, em: EntityManager = this.em): Promise<VisibleCohort> {
    const cohort = await em.findOne(Cohort, { id }, { populate: ['programme', 'programme.system'] });
    if (!cohort) throw NotFoundError.of('cohort', id);
    const programme = cohort.programme;
    const systemId = programme.system?.id ?? null;
    // Managers (leads, admins) are staff, so whoever may manage may oversee.
    if (ProgrammeAccess.canOversee(scope, systemId)) return { cohort, programme, canManage: ProgrammeAccess.canManage(scope, systemId), canOversee: true };
    const person = await em.findOne(Person, { id: scope.personId }, { populate: ['organisation'] });
    const ownSystemId = person?.organisation?.system.id ?? null;
    // Whether they are enrolled only matters when the cohort is not open to them anyway.
    const visible = cohortVisibleTo(scope, { systemId, status: cohort.status }, ownSystemId, false) || cohortVisibleTo(scope, { systemId, status: cohort.status }, ownSystemId, (await em.count(Enrolment, { cohort, person: scope.personId })) > 0);
    if (!visible) throw NotFoundError.of('cohort', id);
    return { cohort, programme, canManage: false, canOversee: false };
  }

  async getManaged(scope: AccessScope, id: string, em: EntityManager = this.em): Promise<VisibleCohort> {
    const visible = await this.getVisible(scope, id, em);
    if (!visible.canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can change this cohort.');
    return visible;
  }

  /** Cohorts the caller oversees, plus open cohorts they could join. */
  async list(scope: AccessScope, filter: CohortFilter, page: PageRequest): Promise<Page<Cohort>> {
    const person = await this.em.findOne(Person, { id: scope.personId }, { populate: ['organisation'] });
    const ownSystem = person?.organisation?.system.id ?? null;
    const staffSystems = scope.staffSystems;
    const oversee: FilterQuery<Cohort>[] = staffSystems !== 'all' && staffSystems.length ? [{ programme: { system: { $in: [...staffSystems] } } }] : [];
    const joinable: FilterQuery<Cohort> = { status: 'open', programme: { $or: [{ system: null }, ...(ownSystem ? [{ system: ownSystem }] : [])] } };
    // A national admin sees all; an empty filter inside $or would be dropped, so it never goes there.
    const where: FilterQuery<Cohort> = { $and: [staffSystems === 'all' ? {} : { $or: [...oversee, joinable] }] };
    if (filter.programmeId) where.$and!.push({ programme: filter.programmeId });
    if (filter.status) where.$and!.push({ status: filter.status });
    if (filter.systemId) where.$and!.push({ programme: { system: filter.systemId } });
    return findPage(this.em, Cohort, where, { startsAt: 'asc', id: 'asc' }, page, ['programme', 'programme.system']);
  }

  /** How many wait for each cohort. */
  async counts(cohorts: readonly Cohort[]): Promise<Map<string, CohortCounts>> {
    const ids = cohorts.map((c) => c.id);
    const rows: { cohort_id: string; waiting: string }[] = ids.length
      ? await this.em.getConnection().execute(`select cohort_id, count(*) as waiting from enrolment where status = 'waitlisted' and cohort_id in (${ids.map(() => '?').join(',')}) group by cohort_id`, ids)
      : [];
    const waiting = new Map(rows.map((r) => [r.cohort_id, Number(r.waiting)]));
    return new Map(ids.map((id) => [id, { waitlistLength: waiting.get(id) ?? 0 }]));
  }

  /**
   * Changes a cohort. Capacity may rise (the waitlist is promoted, oldest first) but not drop
   * below the seats already taken.
   */
  async update(scope: AccessScope, id: string, input: Partial<CohortInput>): Promise<Cohort> {
    await this.getManaged(scope, id);
    return this.em.transactional(async (em) => {
      const cohort = (await this.seats.lockCohort(em, id))!;
      const programme = await em.findOneOrFail(Programme, { id: cohort.programme.id });
      if (cohort.status === 'completed' || cohort.status === 'cancelled') throw new ConflictError(`A ${cohort.status} cohort cannot be changed.`);
      if (input.capacity !== undefined && input.capacity < cohort.seatsTaken) {
        throw new ConflictError(`Capacity cannot drop below the ${cohort.seatsTaken} seats already taken.`);
      }
      const changed = Object.entries(input).filter(([, value]) => value !== undefined).map(([key]) => key);
      em.assign(cohort, Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)));
      assertDates(cohort);
      await this.seats.fillFreeSeats(em, cohort, programme, new Date());
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'cohort.update', objectType: 'cohort', objectId: cohort.id, details: { fields: changed } });
      return cohort;
    });
  }

  /** Moves the cohort along its lifecycle (see cohort-status.ts); cancelling withdraws everyone. */
  async transition(scope: AccessScope, id: string, to: CohortStatus): Promise<Cohort> {
    await this.getManaged(scope, id);
    return this.em.transactional(async (em) => {
      const cohort = (await this.seats.lockCohort(em, id))!;
      if (!canTransition(cohort.status, to)) throw new InvalidTransitionError(`A ${cohort.status} cohort cannot become ${to}.`);
      const from = cohort.status;
      cohort.status = to;
      if (to === 'cancelled') await this.withdrawEveryone(em, cohort);
      this.audit.record(em, { actorAccountId: scope.accountId, action: `cohort.${verbFor(to)}`, objectType: 'cohort', objectId: cohort.id, details: { from, to } });
      return cohort;
    });
  }

  private async withdrawEveryone(em: EntityManager, cohort: Cohort): Promise<void> {
    const now = new Date();
    const programme = await em.findOneOrFail(Programme, { id: cohort.programme.id });
    const active = await em.find(Enrolment, { cohort, status: { $in: [...ACTIVE_ENROLMENT_STATUSES] } }, { populate: ['person'] });
    // Those enrolled had each session's invitation: they get its cancellation too.
    const invited = active.filter((e) => e.status === 'enrolled').map((e) => e.person);
    this.seats.release(cohort, ...active.map((e) => e.status));
    for (const enrolment of active) {
      enrolment.status = 'withdrawn';
      enrolment.endReason = 'cohort_cancelled';
      enrolment.endedAt = now;
      enrolment.waitlistTicket = null;
      enrolment.offerExpiresAt = null;
    }
    // Sessions go too. Each one still to come is cancelled in the calendars it was sent to (an iTIP
    // CANCEL per session: one message cannot cancel several events); the cohort email explains why.
    await this.notifier.cohortCancelled(em, cohort, programme, active.map((e) => e.person));
    const sessions = await em.find(Session, { cohort, status: 'scheduled' }, { orderBy: { startsAt: 'asc', id: 'asc' } });
    for (const session of sessions) {
      session.status = 'cancelled';
      session.sequence += 1;
      if (session.endsAt > now && invited.length) await this.notifier.session(em, 'session_cancelled', session, programme, invited, { becauseCohortCancelled: true });
    }
  }
}

function verbFor(status: CohortStatus): string {
  return { draft: 'draft', open: 'open', closed: 'close', running: 'start', completed: 'complete', cancelled: 'cancel' }[status];
}

function assertDates(dates: Pick<Cohort, 'enrolmentOpensAt' | 'enrolmentClosesAt' | 'startsAt' | 'endsAt'>): void {
  const problems = invalidCohortDates(dates);
  if (problems.length) throw new InvalidInputError('The cohort’s dates are out of order.', problems);
}
