import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { formatLondon } from '@slp/platform';
import { Cohort } from './cohort.entity';
import { Enrolment } from './enrolment.entity';
import { CohortFullError } from './learning.errors';
import { EnrolmentEvents } from './enrolment-events';
import { LearningNotifier } from './learning-notifier';
import { Programme } from './programme.entity';

/**
 * The one place seats and the waitlist change. Every method runs inside a transaction that holds
 * the cohort's row lock (taken by {@link lockCohort}), so concurrent requests, processes and
 * replicas queue on that row; the database's check `seats_taken <= capacity` backs this up.
 */
@Injectable()
export class SeatAllocator {
  constructor(
    private readonly notifier: LearningNotifier,
    private readonly events: EnrolmentEvents,
  ) {}

  /** `SELECT … FOR UPDATE` on the cohort, re-read from the database: held until the transaction ends. */
  lockCohort(em: EntityManager, cohortId: string): Promise<Cohort | null> {
    return em.findOne(Cohort, { id: cohortId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }

  /** Gives `enrolment` a seat if one is free, else a waitlist ticket; a full cohort without a waitlist refuses. */
  seatOrWaitlist(cohort: Cohort, enrolment: Enrolment, now: Date): 'enrolled' | 'waitlisted' {
    if (cohort.seatsTaken < cohort.capacity) {
      cohort.seatsTaken += 1;
      enrolment.status = 'enrolled';
      enrolment.enrolledAt = now;
      enrolment.waitlistTicket = null;
      return 'enrolled';
    }
    if (!cohort.waitlistEnabled) throw new CohortFullError();
    cohort.waitlistTickets += 1;
    enrolment.status = 'waitlisted';
    enrolment.waitlistTicket = cohort.waitlistTickets;
    return 'waitlisted';
  }

  /** Frees the seat an enrolled or offered person held. */
  releaseSeat(cohort: Cohort): void {
    cohort.seatsTaken -= 1;
  }

  /**
   * Gives every free seat to the waitlist, oldest ticket first: as a place straight away, or as an
   * offer to accept within the cohort's offer window. Each promoted person is emailed.
   */
  async fillFreeSeats(em: EntityManager, cohort: Cohort, programme: Programme, now: Date): Promise<Enrolment[]> {
    const free = cohort.capacity - cohort.seatsTaken;
    if (free <= 0 || !['open', 'closed', 'running'].includes(cohort.status)) return [];
    const next = await em.find(Enrolment, { cohort, status: 'waitlisted' }, { orderBy: { waitlistTicket: 'asc' }, limit: free, populate: ['person'] });
    for (const enrolment of next) {
      cohort.seatsTaken += 1;
      enrolment.waitlistTicket = null;
      if (cohort.offerWindowHours > 0) {
        enrolment.status = 'offered';
        enrolment.offerExpiresAt = new Date(now.getTime() + cohort.offerWindowHours * 3_600_000);
        await this.notifier.enrolment(em, 'place_offered', enrolment, programme, { offerExpiresAt: enrolment.offerExpiresAt.toISOString(), offerExpiresAtLondon: formatLondon(enrolment.offerExpiresAt) });
      } else {
        enrolment.status = 'enrolled';
        enrolment.enrolledAt = now;
        await this.notifier.enrolment(em, 'promoted_from_waitlist', enrolment, programme);
        await this.events.seated(em, enrolment, now);
      }
    }
    return next;
  }

  /** 1-based position among those still waiting (tickets are unique, so positions are too). */
  async waitlistPosition(em: EntityManager, enrolment: Enrolment): Promise<number | null> {
    return (await this.waitlistPositions(em, [enrolment])).get(enrolment.id) ?? null;
  }

  /** The waitlist positions of the waiting ones among `enrolments`, in one query (for a page of them). */
  async waitlistPositions(em: EntityManager, enrolments: readonly Enrolment[]): Promise<Map<string, number>> {
    const waiting = enrolments.filter((e) => e.status === 'waitlisted' && e.waitlistTicket != null);
    if (!waiting.length) return new Map();
    const rows = await em.execute<{ id: string; position: number }[]>(
      `select e.id, (select count(*) from enrolment w where w.cohort_id = e.cohort_id and w.status = 'waitlisted' and w.waitlist_ticket <= e.waitlist_ticket)::int as position
         from enrolment e where e.id in (${waiting.map(() => '?').join(', ')})`,
      waiting.map((e) => e.id),
    );
    return new Map(rows.map((row) => [row.id, row.position]));
  }
}
