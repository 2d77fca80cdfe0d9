import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const HKDF_INFO = 'slp/mfa/totp-secret/v1';

/**
 * Encrypts small secrets at rest (TOTP keys) with AES-256-GCM under a key derived by HKDF-SHA256
 * (RFC 5869) from MFA_ENCRYPTION_KEY. The label keeps it apart from every other key made from the
 * same material (when MFA_ENCRYPTION_KEY is unset that is JWT_SECRET, so neither key reveals the
 * other). The account id is bound in as associated data: a ciphertext copied onto another account
 * does not decrypt. Stored as `v1.<iv>.<ciphertext>.<tag>` (base64url), so the scheme can change.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(keyMaterial, 'utf8'), Buffer.alloc(0), HKDF_INFO, 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** Throws if the value was not sealed under this key for this context (tampered, moved or another key). */
  open(sealed: string, context: string): string {
    const [version, iv, data, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !data || !tag) throw new Error('Not a sealed secret this version can open');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
