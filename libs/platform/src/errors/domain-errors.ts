/** One invalid input field, as listed in a problem+json `errors` array. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * Base of the platform's typed errors. Services throw these; the HTTP edge maps them once to
 * RFC 9457 problem details (see ProblemDetailsFilter), so no service knows about HTTP.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Short slug naming the kind of problem; becomes the problem `type`. */
  abstract readonly kind: string;
  readonly errors?: readonly FieldError[];

  constructor(detail: string, errors?: readonly FieldError[]) {
    super(detail);
    this.name = new.target.name;
    this.errors = errors;
  }
}

export class InvalidInputError extends DomainError {
  readonly status = 400;
  readonly title = 'Invalid input';
  readonly kind = 'invalid-input';
}

export class NotAuthenticatedError extends DomainError {
  readonly status = 401;
  readonly title = 'Not authenticated';
  readonly kind = 'not-authenticated';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly title = 'Forbidden';
  readonly kind = 'forbidden';
}

/** Also used for objects that exist but are outside the caller's scope, so ids cannot be probed. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly title = 'Not found';
  readonly kind = 'not-found';

  static of(objectType: string, id?: string): NotFoundError {
    return new NotFoundError(id ? `No ${objectType} ${id} is visible to you.` : `No such ${objectType} is visible to you.`);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
  readonly kind = 'conflict';
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly title = 'Too many requests';
  readonly kind = 'rate-limited';

  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/** A dependency the operation needs is unreachable; the caller may retry. */
export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  readonly kind = 'service-unavailable';
}

/**
 * The caller's account has not proved it owns its email address yet (self-registered, link not
 * followed), so nothing may be attached to it on the strength of that address.
 */
export class EmailNotVerifiedError extends DomainError {
  readonly status = 409;
  readonly title = 'Email address not verified';
  readonly kind = 'email-not-verified';
}

/**
 * The caller's role needs multi-factor sign-in, and this session was not started with a second
 * factor: until it is, only the account's own page and the MFA set-up are open to it.
 */
export class MfaRequiredError extends DomainError {
  readonly status = 403;
  readonly title = 'Multi-factor authentication required';
  readonly kind = 'mfa-required';
}
