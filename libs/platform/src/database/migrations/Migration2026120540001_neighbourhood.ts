import { Migration } from '@mikro-orm/migrations';

const COMPONENTS = `'population_health_management', 'modern_general_practice', 'community_health_services', 'neighbourhood_mdts', 'intermediate_care', 'urgent_neighbourhood_services'`;

/**
 * Neighbourhood health (the National Neighbourhood Health Implementation Programme): Places taking
 * part, their Improvement Coaches and coaching sessions, maturity assessments (every one kept),
 * the indicator catalogue with monthly values and a baseline per Place, the practice library
 * (searched with PostgreSQL full-text search), mentoring between Places, and the Places' stories
 * (the Intelligence Centre's qualitative evidence).
 */
export class Migration2026120540001_neighbourhood extends Migration {
  override name = 'Migration2026120540001_neighbourhood';

  override up(): void | Promise<void> {
    this.addSql(`create table "nh_place" (
      "place_id" uuid not null primary key references "place" ("id") on delete restrict,
      "wave" smallint not null check ("wave" between 1 and 20),
      "joined_on" date not null,
      "population" integer not null check ("population" > 0),
      "demo" boolean not null default false,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null
    );`);
    this.addSql(`create index "nh_place_wave_index" on "nh_place" ("wave");`);
    this.addSql(`create table "nh_place_coach" (
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "person_id" uuid not null references "person" ("id") on delete cascade,
      "assigned_at" timestamptz not null,
      primary key ("place_id", "person_id")
    );`);
    this.addSql(`create index "nh_place_coach_person_id_index" on "nh_place_coach" ("person_id");`);
    this.addSql(`create table "nh_coaching_session" (
      "id" uuid not null primary key,
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "coach_id" uuid null references "person" ("id") on delete set null,
      "held_on" date not null,
      "component" text null check ("component" in (${COMPONENTS})),
      "attendees" text[] not null default '{}',
      "summary" text not null,
      "actions" text not null default '',
      "created_at" timestamptz not null
    );`);
    this.addSql(`create index "nh_coaching_session_place_id_held_on_index" on "nh_coaching_session" ("place_id", "held_on");`);
    this.addSql(`create table "nh_assessment" (
      "id" uuid not null primary key,
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "assessed_on" date not null,
      "recorded_by_account_id" uuid null,
      "created_at" timestamptz not null
    );`);
    this.addSql(`create index "nh_assessment_place_id_assessed_on_index" on "nh_assessment" ("place_id", "assessed_on");`);
    this.addSql(`create table "nh_assessment_component" (
      "assessment_id" uuid not null references "nh_assessment" ("id") on delete cascade,
      "component" text not null check ("component" in (${COMPONENTS})),
      "level" smallint not null check ("level" between 1 and 4),
      "evidence" text not null,
      primary key ("assessment_id", "component")
    );`);
    this.addSql(`create table "nh_indicator" (
      "code" text not null primary key check ("code" ~ '^[a-z][a-z0-9_]{1,63}$'),
      "name" citext not null unique,
      "description" text not null default '',
      "unit" text not null check ("unit" in ('rate_per_1000', 'percent', 'count', 'days')),
      "better_when" text not null check ("better_when" in ('lower', 'higher')),
      "created_at" timestamptz not null
    );`);
    this.addSql(`create table "nh_indicator_value" (
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "indicator_code" text not null references "nh_indicator" ("code") on delete restrict,
      "period" date not null check (extract(day from "period") = 1),
      "numerator" double precision not null check ("numerator" >= 0),
      "denominator" double precision null check ("denominator" > 0),
      "value" double precision not null,
      "updated_at" timestamptz not null,
      primary key ("place_id", "indicator_code", "period")
    );`);
    // Covers the Intelligence Centre's read (one indicator, every Place's months in order) as an index-only scan.
    this.addSql(`create index "nh_indicator_value_indicator_code_index" on "nh_indicator_value" ("indicator_code", "place_id", "period") include ("value");`);
    this.addSql(`create table "nh_baseline" (
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "indicator_code" text not null references "nh_indicator" ("code") on delete restrict,
      "from_period" date not null,
      "to_period" date not null,
      "updated_at" timestamptz not null,
      primary key ("place_id", "indicator_code"),
      check ("from_period" <= "to_period")
    );`);
    this.addSql(`create table "nh_practice" (
      "id" uuid not null primary key,
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "title" text not null,
      "summary" text not null,
      "component" text not null check ("component" in (${COMPONENTS})),
      "contact_id" uuid null references "person" ("id") on delete set null,
      "created_by_account_id" uuid null,
      "created_at" timestamptz not null,
      "search" tsvector generated always as (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', "summary"), 'B')) stored
    );`);
    this.addSql(`create index "nh_practice_search_index" on "nh_practice" using gin ("search");`);
    this.addSql(`create index "nh_practice_component_created_at_index" on "nh_practice" ("component", "created_at");`);
    this.addSql(`create table "nh_mentoring" (
      "id" uuid not null primary key,
      "mentee_place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "mentor_place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "component" text not null check ("component" in (${COMPONENTS})),
      "goal" text not null,
      "status" text not null check ("status" in ('proposed', 'accepted', 'declined', 'closed')),
      "decision_note" text null,
      "reflection" text null,
      "proposed_by_account_id" uuid null,
      "decided_by_account_id" uuid null,
      "closed_by_account_id" uuid null,
      "proposed_at" timestamptz not null,
      "decided_at" timestamptz null,
      "closed_at" timestamptz null,
      check ("mentee_place_id" <> "mentor_place_id")
    );`);
    // One open relationship per pair and component: a second proposal while one is open is a 409.
    this.addSql(`create unique index "nh_mentoring_open_unique" on "nh_mentoring" ("mentee_place_id", "mentor_place_id", "component") where "status" in ('proposed', 'accepted');`);
    this.addSql(`create index "nh_mentoring_mentor_place_id_index" on "nh_mentoring" ("mentor_place_id", "status");`);

    this.addSql(`create table "nh_story" (
      "id" uuid not null primary key,
      "place_id" uuid not null references "nh_place" ("place_id") on delete cascade,
      "title" text not null,
      "text" text not null,
      "component" text null check ("component" in (${COMPONENTS})),
      "shared_nationally" boolean not null default false,
      "author_id" uuid null references "person" ("id") on delete set null,
      "created_at" timestamptz not null
    );`);
    this.addSql(`create index "nh_story_place_id_created_at_index" on "nh_story" ("place_id", "created_at");`);
    this.addSql(`create index "nh_story_shared_created_at_index" on "nh_story" ("created_at") where "shared_nationally";`);

    // The catalogue's starting set; national admins add more through the API.
    this.addSql(`insert into "nh_indicator" ("code", "name", "description", "unit", "better_when", "created_at") values
      ('emergency_admissions', 'Emergency admissions per 1,000 population', 'Emergency (non-elective) admissions of the Place''s registered population in the month, per 1,000 people.', 'rate_per_1000', 'lower', now()),
      ('emergency_bed_days_65', 'Emergency bed days, people aged 65 and over, per 1,000', 'Bed days from emergency admissions of people aged 65 and over in the month, per 1,000 people aged 65 and over.', 'rate_per_1000', 'lower', now()),
      ('ae_attendances', 'A&E attendances per 1,000 population', 'Type 1 and type 3 A&E attendances in the month, per 1,000 people.', 'rate_per_1000', 'lower', now()),
      ('high_intensity_ae_users', 'High-intensity A&E users', 'People who attended A&E five or more times in the previous 12 months, counted at the month''s end.', 'count', 'lower', now()),
      ('delayed_discharges', 'Delayed discharges (days)', 'Bed days in the month occupied by people medically fit for discharge who had not yet left hospital.', 'days', 'lower', now()),
      ('gp_continuity', 'GP continuity of care', 'Percentage of GP appointments in the month with the patient''s usual GP (usual provider of care index).', 'percent', 'higher', now())
    ;`);
  }

  override down(): void | Promise<void> {
    for (const table of ['nh_story', 'nh_mentoring', 'nh_practice', 'nh_baseline', 'nh_indicator_value', 'nh_indicator', 'nh_assessment_component', 'nh_assessment', 'nh_coaching_session', 'nh_place_coach', 'nh_place']) {
      this.addSql(`drop table if exists "${table}";`);
    }
  }
}
