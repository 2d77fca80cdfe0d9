import { Migration } from '@mikro-orm/migrations';

export class Migration20261123175726 extends Migration {

  override name = 'Migration20261123175726';

  override up(): void | Promise<void> {
    // Case-insensitive, unique emails (DESIGN.md: emails are compared case-insensitively).
    this.addSql(`create extension if not exists citext;`);

    this.addSql(`create table "audit_log" ("id" bigserial primary key, "at" timestamptz not null default now(), "actor_account_id" uuid null, "action" text not null, "object_type" text not null, "object_id" text null, "request_id" text null, "details" jsonb null);`);
    this.addSql(`create index "audit_log_actor_account_id_index" on "audit_log" ("actor_account_id");`);
    this.addSql(`create index "audit_log_object_type_object_id_index" on "audit_log" ("object_type", "object_id");`);

    this.addSql(`create table "region" ("code" text not null, "name" citext not null, primary key ("code"));`);
    this.addSql(`alter table "region" add constraint "region_name_unique" unique ("name");`);

    this.addSql(`create table "system" ("id" uuid not null, "name" citext not null, "ods_code" text not null, "kind" text not null default 'ICS', "region_code" text not null, "population" int null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "system" add constraint "system_name_unique" unique ("name");`);
    this.addSql(`alter table "system" add constraint "system_ods_code_unique" unique ("ods_code");`);

    this.addSql(`create table "place" ("id" uuid not null, "system_id" uuid not null, "name" citext not null, "wave" smallint null, "maturity_level" smallint null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "place" add constraint "place_system_id_name_unique" unique ("system_id", "name");`);

    this.addSql(`create table "organisation" ("id" uuid not null, "name" text not null, "ods_code" text not null, "type" text not null, "system_id" uuid not null, "place_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "organisation" add constraint "organisation_ods_code_unique" unique ("ods_code");`);
    this.addSql(`create index "organisation_system_id_index" on "organisation" ("system_id");`);

    this.addSql(`create table "person" ("id" uuid not null, "email" citext not null, "given_name" text not null, "family_name" text not null, "organisation_id" uuid null, "staff_group" text null, "profession" text null, "job_title" text null, "grade" text null, "line_manager_email" citext null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "person" add constraint "person_email_unique" unique ("email");`);
    this.addSql(`create index "person_organisation_id_index" on "person" ("organisation_id");`);

    this.addSql(`create table "equality_monitoring" ("person_id" uuid not null, "consented_at" timestamptz not null, "ethnicity" text null, "sex" text null, "disability" text null, "sexual_orientation" text null, "religion" text null, "age_band" text null, "updated_at" timestamptz not null, primary key ("person_id"));`);

    this.addSql(`create table "account" ("id" uuid not null, "person_id" uuid not null, "password_hash" text null, "roles" text[] not null, "system_ids" text[] not null, "status" text not null default 'active', "created_at" timestamptz not null, "last_login_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "account" add constraint "account_person_id_unique" unique ("person_id");`);

    this.addSql(`create table "refresh_token" ("id" uuid not null, "account_id" uuid not null, "token_hash" text not null, "family_id" uuid not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "refresh_token_account_id_index" on "refresh_token" ("account_id");`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_token_family_id_index" on "refresh_token" ("family_id");`);

    this.addSql(`alter table "system" add constraint "system_region_code_foreign" foreign key ("region_code") references "region" ("code");`);

    this.addSql(`alter table "place" add constraint "place_system_id_foreign" foreign key ("system_id") references "system" ("id") on delete restrict;`);

    this.addSql(`alter table "organisation" add constraint "organisation_system_id_foreign" foreign key ("system_id") references "system" ("id") on delete restrict;`);
    this.addSql(`alter table "organisation" add constraint "organisation_place_id_foreign" foreign key ("place_id") references "place" ("id") on delete set null;`);

    this.addSql(`alter table "person" add constraint "person_organisation_id_foreign" foreign key ("organisation_id") references "organisation" ("id") on delete set null;`);

    this.addSql(`alter table "equality_monitoring" add constraint "equality_monitoring_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "account" add constraint "account_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`);

    this.addSql(`alter table "refresh_token" add constraint "refresh_token_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`);

    // Rules the database keeps even if application code is wrong.
    this.addSql(`alter table "system" add constraint "system_kind_check" check ("kind" in ('ICS', 'STP'));`);
    this.addSql(`alter table "system" add constraint "system_population_check" check ("population" is null or "population" >= 0);`);
    this.addSql(`alter table "place" add constraint "place_maturity_level_check" check ("maturity_level" between 1 and 4);`);
    this.addSql(`alter table "organisation" add constraint "organisation_type_check" check ("type" in ('acute_trust', 'mental_health_trust', 'community_trust', 'ambulance_trust', 'gp_practice', 'primary_care_network', 'local_authority', 'icb', 'social_care', 'vcse', 'hospice'));`);
    this.addSql(`alter table "account" add constraint "account_roles_check" check ("roles" <@ array['participant', 'programme_lead', 'coach', 'admin']::text[]);`);
    this.addSql(`alter table "account" add constraint "account_status_check" check ("status" in ('active', 'disabled'));`);
    this.addSql(`create index "account_system_ids_index" on "account" using gin ("system_ids");`);

    // The audit log is append-only for the application (DESIGN.md, platform): no row is changed or removed.
    this.addSql(`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
      end;
    $$;`);
    this.addSql(`create trigger audit_log_no_update_or_delete before update or delete on "audit_log" for each row execute function audit_log_append_only();`);
    this.addSql(`create trigger audit_log_no_truncate before truncate on "audit_log" for each statement execute function audit_log_append_only();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "system" drop constraint "system_region_code_foreign";`);
    this.addSql(`alter table "place" drop constraint "place_system_id_foreign";`);
    this.addSql(`alter table "organisation" drop constraint "organisation_system_id_foreign";`);
    this.addSql(`alter table "organisation" drop constraint "organisation_place_id_foreign";`);
    this.addSql(`alter table "person" drop constraint "person_organisation_id_foreign";`);
    this.addSql(`alter table "equality_monitoring" drop constraint "equality_monitoring_person_id_foreign";`);
    this.addSql(`alter table "account" drop constraint "account_person_id_foreign";`);
    this.addSql(`alter table "refresh_token" drop constraint "refresh_token_account_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);
    this.addSql(`drop function if exists audit_log_append_only();`);
    this.addSql(`drop table if exists "region" cascade;`);
    this.addSql(`drop table if exists "system" cascade;`);
    this.addSql(`drop table if exists "place" cascade;`);
    this.addSql(`drop table if exists "organisation" cascade;`);
    this.addSql(`drop table if exists "person" cascade;`);
    this.addSql(`drop table if exists "equality_monitoring" cascade;`);
    this.addSql(`drop table if exists "account" cascade;`);
    this.addSql(`drop table if exists "refresh_token" cascade;`);
  }

}
