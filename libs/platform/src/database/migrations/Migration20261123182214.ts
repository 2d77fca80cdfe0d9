import { Migration } from '@mikro-orm/migrations';

export class Migration20261123182214 extends Migration {

  override name = 'Migration20261123182214';

  override up(): void | Promise<void> {
    this.addSql(`create table "notification" ("id" uuid not null, "kind" text not null, "recipient_person_id" uuid null, "recipient_email" citext not null, "recipient_name" text not null, "subject_type" text not null, "subject_id" uuid not null, "data" jsonb not null, "dedupe_key" text not null, "status" text not null default 'pending', "attempts" int not null default 0, "last_error" text null, "provider_message_id" text null, "created_at" timestamptz not null, "sent_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "notification_recipient_person_id_index" on "notification" ("recipient_person_id");`);
    this.addSql(`create index "notification_subject_id_index" on "notification" ("subject_id");`);
    this.addSql(`alter table "notification" add constraint "notification_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "notification_status_created_at_index" on "notification" ("status", "created_at");`);

    this.addSql(`create table "programme" ("id" uuid not null, "title" text not null, "description" text not null default '', "level" text not null, "system_id" uuid null, "eligible_staff_groups" text[] not null, "min_grade" text null, "max_grade" text null, "funding_pence" bigint null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "programme_system_id_index" on "programme" ("system_id");`);

    this.addSql(`create table "cohort" ("id" uuid not null, "programme_id" uuid not null, "name" text not null, "capacity" int not null, "seats_taken" int not null default 0, "waitlist_tickets" int not null default 0, "enrolment_opens_at" timestamptz not null, "enrolment_closes_at" timestamptz not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "status" text not null default 'draft', "requires_approval" boolean not null default false, "waitlist_enabled" boolean not null default true, "offer_window_hours" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "cohort_programme_id_index" on "cohort" ("programme_id");`);

    this.addSql(`create table "session" ("id" uuid not null, "cohort_id" uuid not null, "title" text not null, "kind" text not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "location" text null, "online_url" text null, "status" text not null default 'scheduled', "sequence" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "session_cohort_id_index" on "session" ("cohort_id");`);

    this.addSql(`create table "enrolment" ("id" uuid not null, "cohort_id" uuid not null, "person_id" uuid not null, "status" text not null, "source" text not null default 'self', "waitlist_ticket" int null, "offer_expires_at" timestamptz null, "end_reason" text null, "decided_by_account_id" uuid null, "decided_at" timestamptz null, "enrolled_at" timestamptz null, "ended_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "enrolment_person_id_index" on "enrolment" ("person_id");`);
    this.addSql(`create index "enrolment_cohort_id_status_index" on "enrolment" ("cohort_id", "status");`);

    this.addSql(`create table "attendance" ("session_id" uuid not null, "enrolment_id" uuid not null, "status" text not null, "recorded_by_account_id" uuid not null, "recorded_at" timestamptz not null, primary key ("session_id", "enrolment_id"));`);

    this.addSql(`alter table "programme" add constraint "programme_system_id_foreign" foreign key ("system_id") references "system" ("id") on delete restrict;`);

    this.addSql(`alter table "cohort" add constraint "cohort_programme_id_foreign" foreign key ("programme_id") references "programme" ("id") on delete restrict;`);

    this.addSql(`alter table "session" add constraint "session_cohort_id_foreign" foreign key ("cohort_id") references "cohort" ("id") on delete cascade;`);

    this.addSql(`alter table "enrolment" add constraint "enrolment_cohort_id_foreign" foreign key ("cohort_id") references "cohort" ("id") on delete cascade;`);
    this.addSql(`alter table "enrolment" add constraint "enrolment_person_id_foreign" foreign key ("person_id") references "person" ("id") on delete cascade;`);

    this.addSql(`alter table "attendance" add constraint "attendance_session_id_foreign" foreign key ("session_id") references "session" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "attendance" add constraint "attendance_enrolment_id_foreign" foreign key ("enrolment_id") references "enrolment" ("id") on update cascade on delete cascade;`);

    // Seats are an invariant of the database: whatever the application does, a cohort never holds
    // more people than its capacity, and waitlist tickets (arrival order) are never shared.
    this.addSql(`alter table "cohort" add constraint "cohort_seats_check" check ("capacity" >= 0 and "seats_taken" >= 0 and "seats_taken" <= "capacity");`);
    this.addSql(`alter table "cohort" add constraint "cohort_status_check" check ("status" in ('draft', 'open', 'closed', 'running', 'completed', 'cancelled'));`);
    this.addSql(`alter table "cohort" add constraint "cohort_dates_check" check ("enrolment_opens_at" < "enrolment_closes_at" and "starts_at" < "ends_at");`);
    this.addSql(`alter table "cohort" add constraint "cohort_offer_window_check" check ("offer_window_hours" >= 0);`);
    this.addSql(`alter table "enrolment" add constraint "enrolment_status_check" check ("status" in ('pending_approval', 'enrolled', 'waitlisted', 'offered', 'withdrawn', 'declined', 'rejected', 'completed', 'not_completed'));`);
    this.addSql(`alter table "enrolment" add constraint "enrolment_waitlist_ticket_check" check (("status" = 'waitlisted') = ("waitlist_ticket" is not null));`);
    this.addSql(`create unique index "enrolment_one_active_per_person" on "enrolment" ("cohort_id", "person_id") where "status" in ('pending_approval', 'enrolled', 'waitlisted', 'offered');`);
    this.addSql(`create unique index "enrolment_waitlist_ticket_unique" on "enrolment" ("cohort_id", "waitlist_ticket") where "waitlist_ticket" is not null;`);
    this.addSql(`create index "enrolment_offer_expiry_index" on "enrolment" ("offer_expires_at") where "status" = 'offered';`);
    this.addSql(`alter table "session" add constraint "session_times_check" check ("starts_at" < "ends_at");`);
    this.addSql(`alter table "session" add constraint "session_status_check" check ("status" in ('scheduled', 'cancelled'));`);
    this.addSql(`alter table "attendance" add constraint "attendance_status_check" check ("status" in ('present', 'absent', 'apologies'));`);
    this.addSql(`alter table "notification" add constraint "notification_status_check" check ("status" in ('pending', 'queued', 'sent', 'failed', 'dead'));`);
    this.addSql(`alter table "programme" add constraint "programme_funding_check" check ("funding_pence" is null or "funding_pence" >= 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "cohort" drop constraint "cohort_programme_id_foreign";`);
    this.addSql(`alter table "session" drop constraint "session_cohort_id_foreign";`);
    this.addSql(`alter table "enrolment" drop constraint "enrolment_cohort_id_foreign";`);
    this.addSql(`alter table "attendance" drop constraint "attendance_session_id_foreign";`);
    this.addSql(`alter table "attendance" drop constraint "attendance_enrolment_id_foreign";`);

    this.addSql(`drop table if exists "notification" cascade;`);
    this.addSql(`drop table if exists "programme" cascade;`);
    this.addSql(`drop table if exists "cohort" cascade;`);
    this.addSql(`drop table if exists "session" cascade;`);
    this.addSql(`drop table if exists "enrolment" cascade;`);
    this.addSql(`drop table if exists "attendance" cascade;`);
  }

}
