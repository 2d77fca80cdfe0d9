import { Migration } from '@mikro-orm/migrations';

export class Migration20261123185444 extends Migration {

  override name = 'Migration20261123185444';

  override up(): void | Promise<void> {
    this.addSql(`create table "notification_preference" ("person_id" uuid not null, "reminders_enabled" boolean not null default true, "updated_at" timestamptz not null, primary key ("person_id"));`);

    this.addSql(`alter table "notification" add "queued_at" timestamptz null;`);

    // The relay claims pending rows in creation order, and re-claims long-queued ones.
    this.addSql(`create index "notification_relay_index" on "notification" ("created_at") where "status" in ('pending', 'queued');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "notification_preference" cascade;`);

    this.addSql(`alter table "notification" drop column "queued_at";`);
  }

}
