import { Migration } from '@mikro-orm/migrations';

export class Migration20261123184359 extends Migration {

  override name = 'Migration20261123184359';

  override up(): void | Promise<void> {
    this.addSql(`create table "account_invitation" ("id" uuid not null, "person_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "account_invitation_person_id_index" on "account_invitation" ("person_id");`);
    this.addSql(`alter table "account_invitation" add constraint "account_invitation_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "appointment" ("id" uuid not null, "person_id" uuid not null, "post" text not null, "organisation_id" uuid not null, "appointed_on" date not null, "recorded_by_account_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "appointment_person_id_index" on "appointment" ("person_id");`);

    this.addSql(`create table "talent_pool" ("id" uuid not null, "system_id" uuid not null, "name" citext not null, "purpose" text not null default '', "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "talent_pool" add constraint "talent_pool_system_id_name_unique" unique ("system_id", "name");`);

    this.addSql(`create table "nomination" ("id" uuid not null, "nominee_id" uuid not null, "nominator_account_id" uuid not null, "nominator_id" uuid not null, "programme_id" uuid null, "cohort_id" uuid null, "talent_pool_id" uuid null, "target_system_id" uuid null, "status" text not null, "readiness" text not null, "performance" smallint not null, "potential" smallint not null, "grid_shared_with_nominee" boolean not null default false, "rationale" text not null, "line_manager_notified" boolean not null default false, "decision_reason" text null, "consent_token_hash" text null, "consent_token_expires_at" timestamptz null, "enrolment_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "nomination_nominee_id_index" on "nomination" ("nominee_id");`);
    this.addSql(`alter table "nomination" add constraint "nomination_consent_token_hash_unique" unique ("consent_token_hash");`);
    this.addSql(`create index "nomination_target_system_id_status_index" on "nomination" ("target_system_id", "status");`);

    this.addSql(`create table "nomination_event" ("id" uuid not null, "nomination_id" uuid not null, "from_status" text null, "to_status" text not null, "actor_account_id" uuid null, "actor_role" text not null, "reason" text null, "at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "nomination_event_nomination_id_index" on "nomination_event" ("nomination_id");`);

    this.addSql(`create table "talent_membership" ("id" uuid not null, "person_id" uuid not null, "programme_id" uuid null, "talent_pool_id" uuid null, "nomination_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "talent_membership_person_id_index" on "talent_membership" ("person_id");`);

    this.addSql(`alter table "account_invitation" add constraint "account_invitation_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`);

    this.addSql(`alter table "appointment" add constraint "appointment_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`);
    this.addSql(`alter table "appointment" add constraint "appointment_organisation_id_foreign" foreign key ("organisation_id") references "organisation" ("id") on delete restrict;`);

    this.addSql(`alter table "talent_pool" add constraint "talent_pool_system_id_foreign" foreign key ("system_id") references "system" ("id") on delete restrict;`);

    this.addSql(`alter table "nomination" add constraint "nomination_nominee_id_foreign" foreign key ("nominee_id") references "person" ("id") on delete cascade;`);
    this.addSql(`alter table "nomination" add constraint "nomination_nominator_id_foreign" foreign key ("nominator_id") references "person" ("id") on delete restrict;`);
    this.addSql(`alter table "nomination" add constraint "nomination_programme_id_foreign" foreign key ("programme_id") references "programme" ("id") on delete restrict;`);
    this.addSql(`alter table "nomination" add constraint "nomination_cohort_id_foreign" foreign key ("cohort_id") references "cohort" ("id") on delete restrict;`);
    this.addSql(`alter table "nomination" add constraint "nomination_talent_pool_id_foreign" foreign key ("talent_pool_id") references "talent_pool" ("id") on delete restrict;`);
    this.addSql(`alter table "nomination" add constraint "nomination_enrolment_id_foreign" foreign key ("enrolment_id") references "enrolment" ("id") on delete set null;`);

    this.addSql(`alter table "nomination_event" add constraint "nomination_event_nomination_id_foreign" foreign key ("nomination_id") references "nomination" ("id") on delete cascade;`);

    this.addSql(`alter table "talent_membership" add constraint "talent_membership_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`);
    this.addSql(`alter table "talent_membership" add constraint "talent_membership_programme_id_foreign" foreign key ("programme_id") references "programme" ("id") on delete cascade;`);
    this.addSql(`alter table "talent_membership" add constraint "talent_membership_talent_pool_id_foreign" foreign key ("talent_pool_id") references "talent_pool" ("id") on delete cascade;`);
    this.addSql(`alter table "talent_membership" add constraint "talent_membership_nomination_id_foreign" foreign key ("nomination_id") references "nomination" ("id") on delete set null;`);

    // One target per nomination, one active nomination per nominee and target, talent grid 1–3.
    this.addSql(`alter table "nomination" add constraint "nomination_one_target_check" check (num_nonnulls("programme_id", "cohort_id", "talent_pool_id") = 1);`);
    this.addSql(`alter table "nomination" add constraint "nomination_status_check" check ("status" in ('submitted', 'awaiting_consent', 'consented', 'declined', 'accepted', 'rejected', 'enrolled', 'withdrawn'));`);
    this.addSql(`alter table "nomination" add constraint "nomination_readiness_check" check ("readiness" in ('ready_now', 'ready_1_2_years', 'ready_3_plus_years'));`);
    this.addSql(`alter table "nomination" add constraint "nomination_grid_check" check ("performance" between 1 and 3 and "potential" between 1 and 3);`);
    this.addSql(`create unique index "nomination_one_active_per_target" on "nomination" ("nominee_id", coalesce("programme_id", "cohort_id", "talent_pool_id")) where "status" in ('submitted', 'awaiting_consent', 'consented', 'accepted', 'enrolled');`);
    this.addSql(`alter table "talent_membership" add constraint "talent_membership_one_target_check" check (num_nonnulls("programme_id", "talent_pool_id") = 1);`);
    this.addSql(`alter table "talent_membership" add constraint "talent_membership_programme_unique" unique ("person_id", "programme_id");`);
    this.addSql(`alter table "talent_membership" add constraint "talent_membership_pool_unique" unique ("person_id", "talent_pool_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "nomination" drop constraint "nomination_talent_pool_id_foreign";`);
    this.addSql(`alter table "talent_membership" drop constraint "talent_membership_talent_pool_id_foreign";`);
    this.addSql(`alter table "nomination_event" drop constraint "nomination_event_nomination_id_foreign";`);
    this.addSql(`alter table "talent_membership" drop constraint "talent_membership_nomination_id_foreign";`);

    this.addSql(`drop table if exists "account_invitation" cascade;`);
    this.addSql(`drop table if exists "appointment" cascade;`);
    this.addSql(`drop table if exists "talent_pool" cascade;`);
    this.addSql(`drop table if exists "nomination" cascade;`);
    this.addSql(`drop table if exists "nomination_event" cascade;`);
    this.addSql(`drop table if exists "talent_membership" cascade;`);
  }

}
