import type { BulkEnrolmentResult, BulkEnrolmentStatus } from '@slp/imports';

export class BulkEnrolmentRowDto {
  /** The row's line in the file (the header is line 1). */
  row!: number;
  email!: string;
  /** `enrolled`, `waitlisted`, `already_enrolled` (an active enrolment exists), or `error` (see `error`). */
  status!: BulkEnrolmentStatus;
  waitlistPosition!: number | null;
  error!: string | null;
  personId!: string | null;
  enrolmentId!: string | null;
  /** The person was added to the platform (without an account) for this row. */
  personCreated!: boolean;
}

export class BulkEnrolmentSummaryDto {
  rows!: number;
  enrolled!: number;
  waitlisted!: number;
  alreadyEnrolled!: number;
  errors!: number;
  peopleCreated!: number;
}

export class BulkEnrolmentDto {
  results!: BulkEnrolmentRowDto[];
  summary!: BulkEnrolmentSummaryDto;
}

export function toBulkEnrolmentDto(results: readonly BulkEnrolmentResult[]): BulkEnrolmentDto {
  const count = (status: BulkEnrolmentStatus) => results.filter((r) => r.status === status).length;
  return {
    results: results.map((r) => ({ row: r.row, email: r.email, status: r.status, waitlistPosition: r.waitlistPosition, error: r.error, personId: r.personId, enrolmentId: r.enrolmentId, personCreated: r.personCreated })),
    summary: {
      rows: results.length,
      enrolled: count('enrolled'),
      waitlisted: count('waitlisted'),
      alreadyEnrolled: count('already_enrolled'),
      errors: count('error'),
      peopleCreated: results.filter((r) => r.personCreated).length,
    },
  };
}
