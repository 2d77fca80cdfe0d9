import { createHash, randomBytes } from 'node:crypto';

/** Unguessable (256 bits), stored only as SHA-256, single use. */
export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSecretToken(token) };
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
