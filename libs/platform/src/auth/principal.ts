export const ROLES = ['participant', 'programme_lead', 'coach', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that work on behalf of systems, and so are confined to their `systemIds`. */
export const STAFF_ROLES: readonly Role[] = ['programme_lead', 'coach', 'admin'];

/** The signed-in caller, as every service receives it. */
export interface Principal {
  readonly accountId: string;
  readonly personId: string;
  readonly roles: readonly Role[];
  /** Systems the caller works for; an admin with none is a national admin. */
  readonly systemIds: readonly string[];
  /**
   * False for a self-registered account that has not proved it owns its email address. Principals
   * the platform builds itself (jobs, the CLI) leave it out and count as verified.
   */
  readonly emailVerified?: boolean;
  /**
   * True when the account's role needs multi-factor sign-in (MFA_REQUIRED_ROLES) and this session
   * was not started with a second factor: the guard then opens only routes marked
   * {@link AllowWithoutMfa}. Principals the platform builds itself leave it out.
   */
  readonly mfaPending?: boolean;
  /** The session (access token `sid`) the request came with, when it came with one. */
  readonly sessionId?: string;
}
