import { Migration } from '@mikro-orm/migrations';

/**
 * Self-registered accounts prove they own their email address before anything is attached to them
 * by that address. Accounts that exist already predate the rule and are marked verified (as of
 * their creation); new ones made by admins or from invitations are verified when created.
 */
export class Migration20261204121_account_email_verification extends Migration {
  override name = 'Migration20261204121_account_email_verification';

  override up(): void | Promise<void> {
    this.addSql(`alter table "account" add column "email_verified_at" timestamptz null;`);
    this.addSql(`update "account" set "email_verified_at" = "created_at";`);
    this.addSql(`create table "email_verification" ("id" uuid not null, "account_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "email_verification_account_id_index" on "email_verification" ("account_id");`);
    this.addSql(`alter table "email_verification" add constraint "email_verification_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "email_verification" add constraint "email_verification_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "email_verification" cascade;`);
    this.addSql(`alter table "account" drop column "email_verified_at";`);
  }
}
