/**
 * A `returnTo` that can only lead back into the portal: a path starting with one slash (not `//`,
 * which a browser reads as another host, nor `/\`), no scheme, no control characters (OWASP
 * "Unvalidated Redirects and Forwards"). Anything else falls back to the home page.
 */
export function safeReturnTo(value: unknown, fallback = '/learning'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  if (value === '/sign-in' || value.startsWith('/sign-in?') || value.startsWith('/sign-out')) return fallback;
  return value;
}
