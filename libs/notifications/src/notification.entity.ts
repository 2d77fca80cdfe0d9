import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';

export const NOTIFICATION_STATUSES = ['pending', 'queued', 'sent', 'failed', 'dead'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * The transactional outbox: one email to send, written in the same transaction as the change that
 * causes it. `data` is a snapshot of everything the template needs, so the worker renders without
 * reaching into feature modules. `dedupeKey` (recipient, kind, subject, occasion) is unique: each
 * email exists once per occasion, however often the change is retried.
 */
@Entity({ tableName: 'notification' })
@Index({ properties: ['status', 'createdAt'] })
// Rows still holding template data: what erasure searches for other emails naming a person.
@Index({ name: 'notification_with_payload_index', expression: `create index "notification_with_payload_index" on "notification" ("created_at") where "data" <> '{}'::jsonb` })
export class Notification {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'text' })
  kind!: string;

  @Index()
  @Property({ type: 'uuid', nullable: true })
  recipientPersonId?: string | null;

  @Index()
  @Property({ columnType: 'citext', type: 'string' })
  recipientEmail!: string;

  @Property({ type: 'text' })
  recipientName!: string;

  /** What the email is about, e.g. `enrolment` and its id. */
  @Property({ type: 'text' })
  subjectType!: string;

  @Index()
  @Property({ type: 'uuid' })
  subjectId!: string;

  @Property({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Property({ type: 'text', unique: true })
  dedupeKey!: string;

  @Property({ type: 'text' })
  status: NotificationStatus = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'text', nullable: true })
  providerMessageId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** When the relay last handed it to the queue (a row queued long ago is handed over again). */
  @Property({ type: 'timestamptz', nullable: true })
  queuedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt?: Date | null;
}
