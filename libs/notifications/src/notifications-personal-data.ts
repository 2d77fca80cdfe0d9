import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Erasure, ERASED_NAME, ExportRequest, PersonalDataArea, RegisterPersonalData } from '@slp/platform';
import { SECRET_DATA_FIELDS } from './email-sender';
import { NotificationPreference } from './notification-preference.entity';
import { Notification } from './notification.entity';

interface MentionRow {
  id: string;
  data: Record<string, unknown>;
}

/**
 * Emails to the person (the outbox rows, with the template data each was rendered from) and their
 * email preferences. Erasure cancels what is still unsent and clears the rest; emails to other
 * people that named them (a nominator told of a nominee's answer) lose the name and address.
 */
@Injectable()
@RegisterPersonalData()
export class NotificationsPersonalData implements PersonalDataArea {
  readonly name = 'emails';
  readonly summary = 'Every email the platform wrote to you: what kind, what it was about, when it was sent, and the details it showed (single-use links are left out). Also your email preferences.';
  readonly onErasure = 'Emails not yet sent are cancelled; every email to the person loses its address, name and contents; emails to others that named the person lose the name and address; preferences are deleted.';
  readonly entities = [Notification, NotificationPreference];
  // Last: earlier areas (a withdrawal) may still write emails.
  readonly erasePhase = 90;

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const emails = await em.find(Notification, { $or: [{ recipientPersonId: subject.personId }, { recipientEmail: subject.email }] }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const preference = await em.findOne(NotificationPreference, { personId: subject.personId });
    return {
      preferences: { remindersEnabled: preference?.remindersEnabled ?? true },
      emails: emails.map((email) => ({
        id: email.id,
        kind: email.kind,
        to: email.recipientEmail,
        about: { type: email.subjectType, id: email.subjectId },
        status: email.status,
        createdAt: email.createdAt.toISOString(),
        sentAt: email.sentAt?.toISOString() ?? null,
        data: withoutSecrets(email.data),
      })),
    };
  }

  async erase(em: EntityManager, { subject, erasedEmail }: Erasure): Promise<Record<string, number>> {
    const mine = `(recipient_person_id = ? or recipient_email = ?)`;
    const cancelled = await em.execute<{ id: string }[]>(
      `update notification set status = 'dead', last_error = 'cancelled: the recipient was erased' where ${mine} and status in ('pending', 'queued', 'failed') returning id`,
      [subject.personId, subject.email],
    );
    // The dedupe key holds the address only for recipients without a person (e.g. a line manager).
    const cleared = await em.execute<{ id: string }[]>(
      `update notification set recipient_email = ?, recipient_name = ?, data = '{}'::jsonb, last_error = case when status = 'dead' and last_error like 'cancelled:%' then last_error end,
              dedupe_key = replace(dedupe_key, ?, ?)
        where ${mine} returning id`,
      [erasedEmail, ERASED_NAME, subject.email.toLowerCase(), erasedEmail, subject.personId, subject.email],
    );
    const mentions = await this.redactMentions(em, subject.email, `${subject.givenName} ${subject.familyName}`, erasedEmail);
    const preferences = await em.execute<{ person_id: string }[]>(`delete from notification_preference where person_id = ? returning person_id`, [subject.personId]);
    return { emailsCancelled: cancelled.length, emailsCleared: cleared.length, mentionsRedacted: mentions, preferences: preferences.length };
  }

  /**
   * Clears the template data of emails sent more than `before` ago: what they showed is no longer
   * needed once delivered (the row stays, for delivery statistics and deduplication). Batched, so
   * each statement holds its locks briefly.
   */
  async clearSentPayloads(em: EntityManager, before: Date): Promise<number> {
    let cleared = 0;
    for (;;) {
      const rows = await em.execute<{ id: string }[]>(
        `update notification set data = '{}'::jsonb where id in (select id from notification where status = 'sent' and sent_at < ? and data <> '{}'::jsonb limit 1000 for update skip locked) returning id`,
        [before],
      );
      cleared += rows.length;
      if (rows.length < 1000) return cleared;
    }
  }

  /** How many sent emails {@link clearSentPayloads} would clear. */
  async countSentPayloads(em: EntityManager, before: Date): Promise<number> {
    const [row] = await em.execute<{ count: string }[]>(`select count(*) as count from notification where status = 'sent' and sent_at < ? and data <> '{}'::jsonb`, [before]);
    return Number(row?.count ?? 0);
  }

  /**
   * Emails to other people whose template data names the person (their full name or address):
   * those strings are replaced. Only rows still holding data are searched (a partial index keeps
   * that to recent and unsent emails), whatever kind of email may name someone.
   */
  private async redactMentions(em: EntityManager, email: string, fullName: string, erasedEmail: string): Promise<number> {
    const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await em.execute<MentionRow[]>(`select id, data from notification where data <> '{}'::jsonb and (data::text ilike ? or data::text ilike ?) for update`, [like(email), like(JSON.stringify(fullName).slice(1, -1))]);
    const replacements: [RegExp, string][] = [
      [new RegExp(escapeRegExp(email), 'gi'), erasedEmail],
      [new RegExp(escapeRegExp(fullName), 'gi'), ERASED_NAME],
    ];
    for (const row of rows) {
      await em.execute(`update notification set data = ?::jsonb where id = ?`, [JSON.stringify(redact(row.data, replacements)), row.id]);
    }
    return rows.length;
  }
}

function withoutSecrets(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !(SECRET_DATA_FIELDS as readonly string[]).includes(key)));
}

function redact(value: unknown, replacements: readonly [RegExp, string][]): unknown {
  if (typeof value === 'string') return replacements.reduce((text, [pattern, by]) => text.replace(pattern, by), value);
  if (Array.isArray(value)) return value.map((item) => redact(item, replacements));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, replacements)]));
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
