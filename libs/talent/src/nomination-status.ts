export const NOMINATION_STATUSES = ['submitted', 'awaiting_consent', 'consented', 'declined', 'accepted', 'rejected', 'enrolled', 'withdrawn'] as const;
export type NominationStatus = (typeof NOMINATION_STATUSES)[number];

export const READINESS = ['ready_now', 'ready_1_2_years', 'ready_3_plus_years'] as const;
export type Readiness = (typeof READINESS)[number];

/** Statuses in which a nomination still counts: a second one for the same nominee and target is a conflict. */
export const ACTIVE_NOMINATION_STATUSES: readonly NominationStatus[] = ['submitted', 'awaiting_consent', 'consented', 'accepted', 'enrolled'];

/**
 * submitted → awaiting_consent → consented | declined; consented → accepted | rejected;
 * accepted → enrolled (a cohort place); withdrawn from any step before a decision.
 */
const TRANSITIONS: Readonly<Record<NominationStatus, readonly NominationStatus[]>> = {
  submitted: ['awaiting_consent', 'withdrawn'],
  awaiting_consent: ['consented', 'declined', 'withdrawn'],
  consented: ['accepted', 'enrolled', 'rejected', 'withdrawn'],
  accepted: ['enrolled'],
  declined: [],
  rejected: [],
  enrolled: [],
  withdrawn: [],
};

export function canMoveNomination(from: NominationStatus, to: NominationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
