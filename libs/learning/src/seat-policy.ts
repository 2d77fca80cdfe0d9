import type { CohortStatus } from './cohort-status';
import type { EnrolmentStatus } from './enrolment.entity';

/**
 * The seat policy: who gets a seat, who waits, who is promoted, and what a departure frees. Pure
 * functions of a cohort's counters, so every path (the SQL hot path of placement, the unit of work
 * of approvals, withdrawals, offers and cancellation) decides the same way; the callers hold the
 * cohort's row lock while they decide and write the result.
 */

/** Statuses that occupy one of the cohort's seats: `seats_taken` counts exactly these. */
export const SEAT_HOLDING_STATUSES: readonly EnrolmentStatus[] = ['enrolled', 'offered', 'completed', 'not_completed'];

/** Cohort statuses whose free seats go to the waiting list (not drafts, and not once finished or cancelled). */
const PROMOTING_STATUSES: readonly CohortStatus[] = ['open', 'closed', 'running'];

export function holdsSeat(status: EnrolmentStatus): boolean {
  return SEAT_HOLDING_STATUSES.includes(status);
}

/** The counters the decisions read and write: the cohort row's, read under its lock. */
export interface SeatLedger {
  readonly capacity: number;
  readonly seatsTaken: number;
  /** Waitlist tickets issued so far: the next one is this plus one (tickets give arrival order). */
  readonly waitlistTickets: number;
  readonly waitlistEnabled: boolean;
}

/** What happens to someone arriving, and the counters afterwards. */
export type Arrival =
  | { readonly outcome: 'pending_approval'; readonly ledger: SeatLedger }
  | { readonly outcome: 'enrolled'; readonly ledger: SeatLedger }
  | { readonly outcome: 'waitlisted'; readonly ticket: number; readonly ledger: SeatLedger }
  | { readonly outcome: 'full' };

/**
 * Someone arrives (or their application is approved): an application first when the cohort needs
 * approval and nobody has given it; else a seat while one is free; else the next waitlist ticket;
 * else (no waiting list) the cohort is full.
 */
export function admit(ledger: SeatLedger, needsApproval = false): Arrival {
  if (needsApproval) return { outcome: 'pending_approval', ledger };
  if (ledger.seatsTaken < ledger.capacity) return { outcome: 'enrolled', ledger: { ...ledger, seatsTaken: ledger.seatsTaken + 1 } };
  if (!ledger.waitlistEnabled) return { outcome: 'full' };
  const ticket = ledger.waitlistTickets + 1;
  return { outcome: 'waitlisted', ticket, ledger: { ...ledger, waitlistTickets: ticket } };
}

/** How many of the waiting may be given a seat now: the free seats, while the cohort still takes people. */
export function seatsToPromote(ledger: Pick<SeatLedger, 'capacity' | 'seatsTaken'>, cohortStatus: CohortStatus): number {
  if (!PROMOTING_STATUSES.includes(cohortStatus)) return 0;
  return Math.max(0, ledger.capacity - ledger.seatsTaken);
}

/** How a promoted person takes their seat: straight away, or as an offer to accept within the cohort's window. */
export type Promotion = { readonly status: 'enrolled'; readonly enrolledAt: Date } | { readonly status: 'offered'; readonly offerExpiresAt: Date };

export function promotion(offerWindowHours: number, now: Date): Promotion {
  if (offerWindowHours > 0) return { status: 'offered', offerExpiresAt: new Date(now.getTime() + offerWindowHours * 3_600_000) };
  return { status: 'enrolled', enrolledAt: now };
}

/** Seats still taken once enrolments in `leaving` statuses end (withdrawn, declined, expired, cancelled): the seat holders among them free theirs. */
export function seatsAfterLeaving(seatsTaken: number, leaving: readonly EnrolmentStatus[]): number {
  const freed = leaving.filter(holdsSeat).length;
  if (freed > seatsTaken) throw new Error(`Seat ledger out of step: ${freed} seat holders leave but only ${seatsTaken} seats are taken.`);
  return seatsTaken - freed;
}
