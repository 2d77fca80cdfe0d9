import { stdSerializers } from 'pino';

/**
 * What never reaches a log line (OWASP ASVS V7.1): secrets (passwords, tokens, keys, cookies) and
 * personal data (emails, names). Two nets, because neither catches everything alone: by key
 * (whatever the value looks like) and by the shape of the value (whatever the key is called).
 */
export const CENSOR = '[REDACTED]';

/** Keys whose values are secret or personal, compared without case, `_` or `-`. */
const SENSITIVE_KEYS = new Set(
  ['password', 'passwd', 'token', 'jwt', 'secret', 'apiKey', 'authorization', 'cookie', 'email', 'recipient', 'name', 'givenName', 'familyName', 'challengeToken', 'credential', 'signature', 'recoveryCodes', 'otpauthUrl', 'qrSvg'].map(
    normalise,
  ),
);
/** …and keys ending like these (`accessToken`, `refresh_token`, `newPassword`, `lineManagerEmail`, `x-api-key`). */
const SENSITIVE_SUFFIXES = ['token', 'password', 'secret', 'apikey', 'email'];
/** In a URL only: OAuth's authorisation `code` and MFA codes travel there; elsewhere `code` is an error code. */
const SENSITIVE_QUERY_KEYS = new Set(['code', 'sig', 'key'].map(normalise));

function normalise(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

export function isSensitiveKey(key: string): boolean {
  const normalised = normalise(key);
  return SENSITIVE_KEYS.has(normalised) || SENSITIVE_SUFFIXES.some((suffix) => normalised.endsWith(suffix));
}

const EMAIL = /[^\s@<>()[\]\\,;:"'=&?/]+@[^\s@<>()[\]\\,;:"'=&?/]+\.[A-Za-z]{2,}/g;
/** A JWS or JWE: base64url of a JSON header (`{"` is `eyJ`), then at least one more segment. */
const JWT = /eyJ[\w-]{2,}\.[\w-]+(?:\.[\w-]*){0,3}/g;
/** A long run of base64url or hex, as random tokens are (ours are 43 characters of base64url). */
const LONG_TOKEN = /^[\w-]{24,}={0,2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a whole value looks like a random token: 24+ base64url/hex characters mixing letters and
 * digits. UUIDs are ids, not secrets, and are what makes a log line useful, so they stay.
 */
export function looksLikeToken(value: string): boolean {
  return LONG_TOKEN.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value) && !UUID.test(value);
}

/** A string with any email address or JWT inside it masked, or the whole of it if it is token-shaped. */
export function scrubText(value: string): string {
  if (looksLikeToken(value)) return CENSOR;
  return value.replace(JWT, CENSOR).replace(EMAIL, CENSOR);
}

const MAX_DEPTH = 8;

/**
 * A copy of a log object with sensitive keys and sensitive-looking strings masked, at any depth.
 * Only plain objects and arrays are walked: errors go through {@link scrubbedErrorSerializer},
 * and the caller's object is never changed.
 */
export function scrubLogObject<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubLogObject(item, depth + 1)) as T;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = isSensitiveKey(key) && item !== undefined && item !== null ? CENSOR : scrubLogObject(item, depth + 1);
  return copy as T;
}

/** pino's error serializer, then the message and stack scrubbed (a database error's detail can quote an email). */
export function scrubbedErrorSerializer(error: unknown): unknown {
  const serialized = stdSerializers.err(error as Error) as unknown;
  // The serializer's object has its own prototype, which scrubLogObject would leave alone: copy it plain.
  return serialized && typeof serialized === 'object' ? scrubLogObject({ ...serialized }, 0) : serialized;
}

/**
 * The URL as it may be logged: query values masked when their key is sensitive or their value
 * looks like an email, a JWT or a token; path segments masked when they look like one.
 */
export function maskUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const maskedPath = path
    .split('/')
    .map((segment) => (segmentIsSensitive(segment) ? CENSOR : segment))
    .join('/');
  if (queryAt < 0) return maskedPath;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return segmentIsSensitive(pair) ? CENSOR : pair;
      const key = pair.slice(0, equals);
      const decodedKey = decode(key);
      if (isSensitiveKey(decodedKey) || SENSITIVE_QUERY_KEYS.has(normalise(decodedKey)) || segmentIsSensitive(pair.slice(equals + 1))) return `${key}=${CENSOR}`;
      return pair;
    })
    .join('&');
  return `${maskedPath}?${query}`;
}

function segmentIsSensitive(raw: string): boolean {
  if (!raw) return false;
  const value = decode(raw);
  return scrubText(value) !== value;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
