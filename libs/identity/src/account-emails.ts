import type { EntityManager } from '@mikro-orm/postgresql';
import type { OutboxService } from '@slp/notifications';
import type { Account } from './account.entity';

/**
 * A security email to the account holder (their password changed, MFA turned off, a recovery code
 * used): each occasion once, so a retried transaction does not send two.
 */
export async function emailAccountHolder(
  outbox: OutboxService,
  em: EntityManager,
  account: Account,
  kind: 'password_changed' | 'mfa_disabled' | 'mfa_recovery_code_used',
  data: Record<string, unknown>,
  occasion: string,
): Promise<void> {
  const { person } = account;
  await outbox.enqueue(em, {
    kind,
    recipient: { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` },
    subject: { type: 'account', id: account.id },
    occasion,
    data: { givenName: person.givenName, ...data },
  });
}
