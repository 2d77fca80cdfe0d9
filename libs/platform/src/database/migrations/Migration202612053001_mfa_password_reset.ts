import { Migration } from '@mikro-orm/migrations';

/**
 * Multi-factor sign-in and password reset. A TOTP authenticator per account (its secret encrypted
 * at rest, the last time step used so a code works once), ten single-use recovery codes stored as
 * SHA-256 hashes, single-use password-reset links stored as hashes, and on every refresh token the
 * authentication methods its session began with (`amr`, RFC 8176), so a refreshed session keeps
 * — and never gains — its second factor. Sessions that exist already began without one.
 */
export class Migration202612053001_mfa_password_reset extends Migration {
  override name = 'Migration202612053001_mfa_password_reset';

  override up(): void | Promise<void> {
    this.addSql(`create table "account_mfa" ("account_id" uuid not null, "totp_secret" text not null, "confirmed_at" timestamptz null, "last_used_step" bigint null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("account_id"));`);
    this.addSql(`alter table "account_mfa" add constraint "account_mfa_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`);

    this.addSql(`create table "mfa_recovery_code" ("id" uuid not null, "account_id" uuid not null, "code_hash" text not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "mfa_recovery_code_account_id_index" on "mfa_recovery_code" ("account_id");`);
    this.addSql(`alter table "mfa_recovery_code" add constraint "mfa_recovery_code_code_hash_unique" unique ("code_hash");`);
    this.addSql(`alter table "mfa_recovery_code" add constraint "mfa_recovery_code_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`);

    this.addSql(`create table "password_reset" ("id" uuid not null, "account_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "password_reset_account_id_index" on "password_reset" ("account_id");`);
    this.addSql(`alter table "password_reset" add constraint "password_reset_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "password_reset" add constraint "password_reset_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`);

    this.addSql(`alter table "refresh_token" add column "amr" text[] not null default '{}';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "refresh_token" drop column "amr";`);
    this.addSql(`drop table if exists "password_reset" cascade;`);
    this.addSql(`drop table if exists "mfa_recovery_code" cascade;`);
    this.addSql(`drop table if exists "account_mfa" cascade;`);
  }
}
