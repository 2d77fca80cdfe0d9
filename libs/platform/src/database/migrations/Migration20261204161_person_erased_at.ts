import { Migration } from '@mikro-orm/migrations';

/**
 * When a person was erased (UK GDPR article 17): the row stays, anonymous, so report counts stay
 * true, and a second erasure answers with the first one's time. The notification index serves
 * erasure and export, which find a person's emails by address as well as by id.
 */
export class Migration20261204161_person_erased_at extends Migration {
  override name = 'Migration20261204161_person_erased_at';

  override up(): void | Promise<void> {
    this.addSql(`alter table "person" add column "erased_at" timestamptz null;`);
    this.addSql(`create index "notification_recipient_email_index" on "notification" ("recipient_email");`);
    this.addSql(`create index "notification_with_payload_index" on "notification" ("created_at") where "data" <> '{}'::jsonb;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "notification_with_payload_index";`);
    this.addSql(`drop index "notification_recipient_email_index";`);
    this.addSql(`alter table "person" drop column "erased_at";`);
  }
}
