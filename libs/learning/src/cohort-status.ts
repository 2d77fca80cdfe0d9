import type { Cohort } from './cohort.entity';

export const COHORT_STATUSES = ['draft', 'open', 'closed', 'running', 'completed', 'cancelled'] as const;
export type CohortStatus = (typeof COHORT_STATUSES)[number];

/** The cohort lifecycle: draft → open → closed → running → completed, or cancelled before completion. */
const TRANSITIONS: Readonly<Record<CohortStatus, readonly CohortStatus[]>> = {
  draft: ['open', 'cancelled'],
  open: ['closed', 'cancelled'],
  closed: ['open', 'running', 'cancelled'],
  running: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export function canTransition(from: CohortStatus, to: CohortStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Why a cohort does not take enrolments at `now`, or null when it does. */
export function enrolmentClosedReason(cohort: Pick<Cohort, 'status' | 'enrolmentOpensAt' | 'enrolmentClosesAt'>, now: Date): string | null {
  if (cohort.status !== 'open') return `The cohort is ${cohort.status}, not open for enrolment.`;
  if (now < cohort.enrolmentOpensAt) return `Enrolment opens at ${cohort.enrolmentOpensAt.toISOString()}.`;
  if (now >= cohort.enrolmentClosesAt) return `Enrolment closed at ${cohort.enrolmentClosesAt.toISOString()}.`;
  return null;
}

/** Dates of a cohort in the order they must come: enrolment opens, closes (by the start), start, end. */
export function invalidCohortDates(dates: Pick<Cohort, 'enrolmentOpensAt' | 'enrolmentClosesAt' | 'startsAt' | 'endsAt'>): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (dates.enrolmentClosesAt <= dates.enrolmentOpensAt) problems.push({ field: 'enrolmentClosesAt', message: 'enrolmentClosesAt must be after enrolmentOpensAt' });
  if (dates.enrolmentClosesAt > dates.startsAt) problems.push({ field: 'enrolmentClosesAt', message: 'enrolmentClosesAt must not be after startsAt' });
  if (dates.endsAt <= dates.startsAt) problems.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
  return problems;
}
