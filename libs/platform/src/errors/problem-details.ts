import type { FieldError } from './domain-errors';

/** RFC 9457 problem details, the body of every error response. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: readonly FieldError[];
  errorId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(kind: string): string {
  return `https://system-leadership.example/problems/${kind}`;
}
