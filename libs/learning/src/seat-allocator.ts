import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { formatLondon } from '@slp/platform';
import { Cohort } from './cohort.entity';
import { Enrolment, EnrolmentStatus } from './enrolment.entity';
import { CohortFullError } from './learning.errors';
import { EnrolmentEvents } from './enrolment-events';
import { LearningNotifier } from './learning-notifier';
import { Programme } from './programme.entity';
import { admit, promotion, seatsAfterLeaving, seatsToPromote } from './seat-policy';

/**
 * The one waitlist-position query: a waiting enrolment's 1-based position is one more than the
 * number waiting ahead of its ticket in its cohort. `cohortId` and `ticket` are SQL operands (`?`
 * placeholders or columns of an outer query). Counting only those *ahead* gives the same answer
 * whether or not the enrolment's own row is visible yet (a newcomer inside the statement that
 * inserts it, an approval before the flush), so every path uses this one expression.
 */
export function waitlistPositionSql(cohortId: string, ticket: string): string {
  return `((select count(*) from enrolment ahead where ahead.cohort_id = ${cohortId} and ahead.status = 'waitlisted' and ahead.waitlist_ticket < ${ticket})::int + 1)`;
}

/**
 * Applies the seat policy (seat-policy.ts) to the unit of work: every method runs inside a
 * transaction that holds the cohort's row lock (taken by {@link lockCohort}), so concurrent
 * requests, processes and replicas queue on that row; the database's check
 * `seats_taken <= capacity` backs this up. Placement's SQL path applies the same policy itself.
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
    const arrival = admit(cohort);
    if (arrival.outcome === 'full' || arrival.outcome === 'pending_approval') throw new CohortFullError();
    cohort.seatsTaken = arrival.ledger.seatsTaken;
    cohort.waitlistTickets = arrival.ledger.waitlistTickets;
    enrolment.status = arrival.outcome;
    if (arrival.outcome === 'enrolled') {
      enrolment.enrolledAt = now;
      enrolment.waitlistTicket = null;
    } else {
      enrolment.waitlistTicket = arrival.ticket;
    }
    return arrival.outcome;
  }

  /** Frees the seats of enrolments that were in `statuses` and have ended (the seat holders among them). */
  release(cohort: Cohort, ...statuses: EnrolmentStatus[]): void {
    cohort.seatsTaken = seatsAfterLeaving(cohort.seatsTaken, statuses);
  }

  /**
   * Gives every free seat to the waitlist, oldest ticket first: as a place straight away, or as an
   * offer to accept within the cohort's offer window. Each promoted person is emailed.
   */
  async fillFreeSeats(em: EntityManager, cohort: Cohort, programme: Programme, now: Date): Promise<Enrolment[]> {
    const free = seatsToPromote(cohort, cohort.status);
    if (free <= 0) return [];
    const next = await em.find(Enrolment, { cohort, status: 'waitlisted' }, { orderBy: { waitlistTicket: 'asc' }, limit: free, populate: ['person'] });
    for (const enrolment of next) {
      cohort.seatsTaken += 1;
      enrolment.waitlistTicket = null;
      const promoted = promotion(cohort.offerWindowHours, now);
      enrolment.status = promoted.status;
      if (promoted.status === 'offered') {
        enrolment.offerExpiresAt = promoted.offerExpiresAt;
        await this.notifier.enrolment(em, 'place_offered', enrolment, programme, { offerExpiresAt: promoted.offerExpiresAt.toISOString(), offerExpiresAtLondon: formatLondon(promoted.offerExpiresAt) });
      } else {
        enrolment.enrolledAt = promoted.enrolledAt;
        await this.notifier.enrolment(em, 'promoted_from_waitlist', enrolment, programme);
        await this.events.seated(em, enrolment, now);
      }
    }
    return next;
  }

  /** The position `ticket` has in `cohortId`'s waiting list (under the cohort lock, the count is settled). */
  async positionOfTicket(em: EntityManager, cohortId: string, ticket: number): Promise<number> {
    const [row] = await em.execute<{ position: number }[]>(`select ${waitlistPositionSql('?', '?::int')} as position`, [cohortId, ticket]);
    return row!.position;
  }

  /** 1-based position among those still waiting (tickets are unique, so positions are too); null unless waiting. */
  async waitlistPosition(em: EntityManager, enrolment: Enrolment): Promise<number | null> {
    return (await this.waitlistPositions(em, [enrolment])).get(enrolment.id) ?? null;
  }

  /** The waitlist positions of the waiting ones among `enrolments`, in one query (for a page of them). */
  async waitlistPositions(em: EntityManager, enrolments: readonly Enrolment[]): Promise<Map<string, number>> {
    const waiting = enrolments.filter((e) => e.status === 'waitlisted' && e.waitlistTicket != null);
    if (!waiting.length) return new Map();
    const rows = await em.execute<{ id: string; position: number }[]>(
      `select e.id, ${waitlistPositionSql('e.cohort_id', 'e.waitlist_ticket')} as position
         from enrolment e where e.id in (${waiting.map(() => '?').join(', ')})`,
      waiting.map((e) => e.id),
    );
    return new Map(rows.map((row) => [row.id, row.position]));
  }
}
