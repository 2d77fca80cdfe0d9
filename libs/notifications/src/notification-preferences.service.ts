import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { AccessScope, APP_CONFIG, AppConfig, AuditService, InvalidInputError } from '@slp/platform';
import { NotificationPreference } from './notification-preference.entity';

export interface Preferences {
  readonly reminders: boolean;
}

/** A person's email preferences, and the signed one-click unsubscribe links in reminder emails. */
@Injectable()
export class NotificationPreferencesService {
  private readonly unsubscribeKey: KeyObject;

  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A key of its own, derived from the platform secret, so an unsubscribe token is no use elsewhere.
    // A KeyObject, built once: HMAC with a raw buffer key re-imports the key on every call (~7x slower).
    this.unsubscribeKey = createSecretKey(createHmac('sha256', config.auth.jwtSecret).update('slp:unsubscribe:v1').digest());
  }

  async get(personId: string): Promise<Preferences> {
    const row = await this.em.findOne(NotificationPreference, { personId });
    return { reminders: row?.remindersEnabled ?? true };
  }

  async put(scope: AccessScope, preferences: Preferences): Promise<Preferences> {
    await this.save(scope.personId, preferences.reminders, scope.accountId, 'notification_preference.update');
    return preferences;
  }

  /** RFC 8058 one-click unsubscribe from reminders, with the token from the email; no sign-in. */
  async unsubscribe(token: string): Promise<void> {
    const personId = this.verify(token);
    if (!personId) throw new InvalidInputError('This unsubscribe link is not valid.', [{ field: 'token', message: 'token is invalid' }]);
    await this.save(personId, false, null, 'notification_preference.unsubscribe');
  }

  /** Whether `token` is one of our unsubscribe links (the portal's page checks before offering the button; nothing changes). */
  isValidUnsubscribeToken(token: string): boolean {
    return this.verify(token) !== null;
  }

  /** `<personId>.<signature>`: lets its holder switch off that person's reminders, nothing else. */
  unsubscribeToken(personId: string): string {
    return `${personId}.${this.sign(personId)}`;
  }

  unsubscribeUrl(personId: string): string {
    return `${this.config.publicUrl}/unsubscribe?token=${encodeURIComponent(this.unsubscribeToken(personId))}`;
  }

  private verify(token: string): string | null {
    const [personId, signature] = token.split('.');
    if (!personId || !signature || !/^[0-9a-f-]{36}$/i.test(personId)) return null;
    const expected = Buffer.from(this.sign(personId));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? personId : null;
  }

  private sign(personId: string): string {
    return createHmac('sha256', this.unsubscribeKey).update(personId).digest('base64url');
  }

  private async save(personId: string, remindersEnabled: boolean, actorAccountId: string | null, action: string): Promise<void> {
    await this.em.transactional(async (em) => {
      await em.upsert(NotificationPreference, { personId, remindersEnabled, updatedAt: new Date() });
      this.audit.record(em, { actorAccountId, action, objectType: 'person', objectId: personId, details: { remindersEnabled } });
    });
  }
}
