import type { MikroORM } from '@mikro-orm/postgresql';
import { Secret, TOTP } from 'otpauth';
import { SecretBox, TOTP_DIGITS, TOTP_ISSUER, TOTP_PERIOD_SECONDS } from '@slp/identity';
import { AppConfig } from '@slp/platform';
import { DEMO_ACCOUNTS } from './seeders/demo-directory.data';

export interface DemoAuthenticator {
  readonly email: string;
  /** Base32 key, for adding to an authenticator app. */
  readonly secret: string;
  readonly otpauthUrl: string;
  /** The code for now (valid for the rest of this 30-second step, and the next). */
  readonly code: string;
  readonly secondsLeft: number;
}

/**
 * The demo's accounts whose roles need MFA (MFA_REQUIRED_ROLES) come with an authenticator ready,
 * so the demo still takes a minute: a random key per database, sealed like any other, which
 * `demo:mfa` prints. Accounts that already have one keep it.
 */
export async function enableDemoMfa(orm: MikroORM, config: AppConfig): Promise<void> {
  const box = new SecretBox(config.auth.mfaEncryptionKey);
  const emails = DEMO_ACCOUNTS.filter((demo) => demo.roles.some((role) => config.auth.mfaRequiredRoles.includes(role))).map((demo) => demo.email);
  const connection = orm.em.getConnection();
  for (const email of emails) {
    const [account] = await connection.execute<{ id: string }[]>(`select a.id from account a join person p on p.id = a.person_id where p.email = ?`, [email]);
    if (!account) continue;
    const inserted = await connection.execute<{ account_id: string }[]>(
      `insert into account_mfa (account_id, totp_secret, confirmed_at, last_used_step, created_at, updated_at) values (?, ?, now(), null, now(), now())
       on conflict (account_id) do nothing returning account_id`,
      [account.id, box.seal(new Secret({ size: 20 }).base32, account.id)],
    );
    if (inserted.length) await connection.execute(`insert into audit_log (at, actor_account_id, action, object_type, object_id, details) values (now(), null, 'account.mfa_enabled', 'account', ?, ?)`, [account.id, JSON.stringify({ method: 'totp', via: 'demo-seed' })]);
  }
}

/** The demo accounts' authenticators with their current codes (development only: it decrypts the keys). */
export async function demoAuthenticators(orm: MikroORM, config: AppConfig): Promise<DemoAuthenticator[]> {
  const box = new SecretBox(config.auth.mfaEncryptionKey);
  const rows = await orm.em.getConnection().execute<{ id: string; email: string; totp_secret: string }[]>(
    `select a.id, p.email, m.totp_secret from account_mfa m join account a on a.id = m.account_id join person p on p.id = a.person_id
      where m.confirmed_at is not null and p.email in (${DEMO_ACCOUNTS.map(() => '?').join(', ')}) order by p.email`,
    DEMO_ACCOUNTS.map((demo) => demo.email),
  );
  return rows.map((row) => {
    const secret = box.open(row.totp_secret, row.id);
    const totp = new TOTP({ issuer: TOTP_ISSUER, label: row.email, secret: Secret.fromBase32(secret), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' });
    return { email: row.email, secret, otpauthUrl: totp.toString(), code: totp.generate(), secondsLeft: TOTP.remaining({ period: TOTP_PERIOD_SECONDS }) / 1000 };
  });
}

export function describeAuthenticators(authenticators: readonly DemoAuthenticator[]): string {
  if (!authenticators.length) return 'No demo account has multi-factor sign-in (MFA_REQUIRED_ROLES names none of their roles, or the demo is not seeded).';
  return [
    'Demo accounts with multi-factor sign-in (add the key to an authenticator app, or use the code shown; each code works once):',
    ...authenticators.map((a) => `  ${a.email}\n    key ${a.secret}   code now ${a.code} (${Math.round(a.secondsLeft)} s left)`),
    'Print fresh codes any time: npm run demo:mfa',
  ].join('\n');
}
