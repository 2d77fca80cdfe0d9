import { Migration } from '@mikro-orm/migrations';

/**
 * Single sign-on: an identity at an OpenID Provider (issuer, subject) linked to one account. The
 * pair is unique, so an identity can never reach two accounts; an account may have several (CIS2
 * and Entra ID). Deleted with its account.
 */
export class Migration202612059001_identity_link extends Migration {
  override name = 'Migration202612059001_identity_link';

  override up(): void | Promise<void> {
    this.addSql(`create table "identity_link" ("id" uuid not null, "account_id" uuid not null, "provider" text not null, "issuer" text not null, "subject" text not null, "tenant" text null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "identity_link" add constraint "identity_link_issuer_subject_unique" unique ("issuer", "subject");`);
    this.addSql(`create index "identity_link_account_id_index" on "identity_link" ("account_id");`);
    this.addSql(`alter table "identity_link" add constraint "identity_link_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "identity_link" cascade;`);
  }
}
