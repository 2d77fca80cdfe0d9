import { Entity, Property, PrimaryKey } from '@mikro-orm/decorators/legacy';

/** A person's email preferences. No row means the defaults: reminders on. Service emails cannot be switched off. */
@Entity({ tableName: 'notification_preference' })
export class NotificationPreference {
  @PrimaryKey({ type: 'uuid' })
  personId!: string;

  @Property({ type: 'boolean' })
  remindersEnabled = true;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
