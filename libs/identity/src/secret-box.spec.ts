import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('key material that is at least thirty-two characters');

  it('opens what it sealed, for the same context, with a fresh IV each time', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'account-1');
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', 'account-1')).not.toBe(sealed);
    expect(box.open(sealed, 'account-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a value moved to another account, tampered with, or sealed under another key', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'account-1');
    expect(() => box.open(sealed, 'account-2')).toThrow();
    const [version, iv, data, tag] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([version, iv, flipped.toString('base64url'), tag].join('.'), 'account-1')).toThrow();
    expect(() => new SecretBox('some other key material, also long enough').open(sealed, 'account-1')).toThrow();
    expect(() => box.open('not sealed', 'account-1')).toThrow();
  });
});
