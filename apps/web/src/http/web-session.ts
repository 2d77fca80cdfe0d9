import { hkdfSync } from 'node:crypto';
import type { AppConfig } from '@slp/platform';

/** What the encrypted session cookie holds: ids and a timestamp, never personal data. */
export interface WebSessionFields {
  /** The signed-in account. */
  accountId: string;
  /** The platform session (refresh-token family) started at sign-in: signing out ends it for every app. */
  sessionId: string;
  /** When the browser was last seen (ms since the epoch), for the idle timeout. */
  seenAt: number;
  /**
   * A sign-in waiting for its second factor: the identity library's short-lived challenge (no
   * platform session exists until the code is right), when it lapses, and where to go afterwards.
   */
  mfaChallenge: string;
  mfaChallengeExpiresAt: number;
  mfaReturnTo: string;
  /** A one-off confirmation shown on the next page (post, redirect, get). */
  flash: string;
  /** A single sign-on under way: the state, nonce and PKCE verifier its callback must match (secrets, never logged). */
  oidc: { provider: string; state: string; nonce: string; codeVerifier: string; returnTo: string };
  /** Signed in by single sign-on: the provider, and its ID token as the hint for signing out there too. */
  oidcSignOut: { provider: string; idToken?: string };
  /** The CSRF secret (@fastify/csrf-protection keeps it here). */
  _csrf: string;
}

declare module '@fastify/secure-session' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SessionData extends WebSessionFields {}
}

export const SESSION_COOKIE = 'slp_session';

/** The clock sessions are timed by; tests move it on to expire a session without waiting. */
export const WEB_CLOCK = Symbol('WEB_CLOCK');
export type WebClock = () => number;

/**
 * The cookie's encryption key (XSalsa20-Poly1305 needs 32 bytes), derived with HKDF (RFC 5869) so
 * the JWT secret is never used directly as a second kind of key, and a dedicated
 * WEB_SESSION_SECRET can replace it without touching tokens.
 */
export function sessionKey(config: AppConfig): Buffer {
  return Buffer.from(hkdfSync('sha256', config.web.sessionSecret, 'slp-web-session', 'session cookie encryption', 32));
}

export function publicUrlIsHttps(config: AppConfig): boolean {
  return config.publicUrl.startsWith('https:');
}
