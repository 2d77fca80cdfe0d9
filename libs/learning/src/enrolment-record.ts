import type { Enrolment, EnrolmentSource, EnrolmentStatus } from './enrolment.entity';

/** What the enrolment services answer with: an enrolment as its person and staff see it. */
export interface EnrolmentRecord {
  readonly id: string;
  readonly cohortId: string;
  readonly person: { readonly id: string; readonly givenName: string; readonly familyName: string };
  readonly status: EnrolmentStatus;
  readonly source: EnrolmentSource;
  /** 1-based place among those still waiting; null unless waitlisted. */
  readonly waitlistPosition: number | null;
  readonly offerExpiresAt: Date | null;
  readonly endReason: string | null;
  readonly createdAt: Date;
  readonly enrolledAt: Date | null;
  readonly endedAt: Date | null;
}

export function toEnrolmentRecord(enrolment: Enrolment, waitlistPosition: number | null): EnrolmentRecord {
  return {
    id: enrolment.id,
    cohortId: enrolment.cohort.id,
    person: { id: enrolment.person.id, givenName: enrolment.person.givenName, familyName: enrolment.person.familyName },
    status: enrolment.status,
    source: enrolment.source,
    waitlistPosition,
    offerExpiresAt: enrolment.offerExpiresAt ?? null,
    endReason: enrolment.endReason ?? null,
    createdAt: enrolment.createdAt,
    enrolledAt: enrolment.enrolledAt ?? null,
    endedAt: enrolment.endedAt ?? null,
  };
}
