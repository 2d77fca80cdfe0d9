import { ConflictError, ForbiddenError } from '@slp/platform';

export class CohortFullError extends ConflictError {
  constructor() {
    super('The cohort is full and has no waitlist.');
  }
}

export class AlreadyEnrolledError extends ConflictError {
  constructor() {
    super('This person already has an active enrolment (enrolled, waitlisted, offered or awaiting approval) in this cohort.');
  }
}

export class EnrolmentClosedError extends ConflictError {}

export class NotEligibleError extends ForbiddenError {}

export class InvalidTransitionError extends ConflictError {}
