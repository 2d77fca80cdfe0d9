import { Migration } from '@mikro-orm/migrations';

/**
 * Employment facts a person proposes for themself (organisation, staff group, grade) wait here
 * until a lead or admin of the target system confirms them; eligibility and scope keep using the
 * confirmed columns. employment_proposed_at is null when nothing is pending.
 */
export class Migration2026120320402_person_pending_employment extends Migration {
  override name = 'Migration2026120320402_person_pending_employment';

  override up(): void | Promise<void> {
    this.addSql(`alter table "person" add column "pending_organisation_id" uuid null, add column "pending_staff_group" text null, add column "pending_grade" text null, add column "employment_proposed_at" timestamptz null;`);
    this.addSql(`alter table "person" add constraint "person_pending_organisation_id_foreign" foreign key ("pending_organisation_id") references "organisation" ("id") on delete set null;`);
    this.addSql(`create index "person_pending_organisation_id_index" on "person" ("pending_organisation_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "person" drop constraint "person_pending_organisation_id_foreign";`);
    this.addSql(`drop index "person_pending_organisation_id_index";`);
    this.addSql(`alter table "person" drop column "pending_organisation_id", drop column "pending_staff_group", drop column "pending_grade", drop column "employment_proposed_at";`);
  }
}
