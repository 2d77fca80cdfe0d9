import { Migration } from '@mikro-orm/migrations';

/**
 * Imports (ODS organisations, ESR people): the record of each run and the uploaded file while it
 * waits for a worker; closure dates for organisations and systems (a closed ODS record is kept and
 * hidden, never deleted); and the ESR employee number people are matched by within their organisation.
 */
export class Migration2026120415001_imports extends Migration {
  override name = 'Migration2026120415001_imports';

  override up(): void | Promise<void> {
    this.addSql(`alter table "organisation" add column "closed_on" date null;`);
    this.addSql(`alter table "system" add column "closed_on" date null;`);
    this.addSql(`alter table "person" add column "esr_employee_number" text null;`);
    this.addSql(`create unique index "person_organisation_esr_employee_number_unique" on "person" ("organisation_id", "esr_employee_number") where "esr_employee_number" is not null;`);
    this.addSql(`create table "import" (
      "id" uuid not null primary key,
      "kind" text not null,
      "dry_run" boolean not null,
      "status" text not null check ("status" in ('queued', 'running', 'succeeded', 'failed')),
      "actor_account_id" uuid null,
      "scope_system_ids" uuid[] null,
      "file_sha256" text null,
      "file_bytes" bigint not null default 0,
      "bytes_read" bigint not null default 0,
      "rows_total" integer not null default 0,
      "rows_processed" integer not null default 0,
      "rows_created" integer not null default 0,
      "rows_updated" integer not null default 0,
      "rows_unchanged" integer not null default 0,
      "rows_closed" integer not null default 0,
      "rows_skipped" integer not null default 0,
      "rows_rejected" integer not null default 0,
      "error_count" integer not null default 0,
      "errors" jsonb not null default '[]',
      "failure" text null,
      "created_at" timestamptz not null,
      "started_at" timestamptz null,
      "finished_at" timestamptz null
    );`);
    this.addSql(`create index "import_actor_account_id_created_at_index" on "import" ("actor_account_id", "created_at");`);
    this.addSql(`create table "import_error" ("import_id" uuid not null references "import" ("id") on delete cascade, "seq" integer not null, "row" integer not null, "field" text not null, "message" text not null, primary key ("import_id", "seq"));`);
    this.addSql(`create table "import_file_chunk" ("import_id" uuid not null references "import" ("id") on delete cascade, "seq" integer not null, "data" bytea not null, primary key ("import_id", "seq"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "import_file_chunk";`);
    this.addSql(`drop table if exists "import_error";`);
    this.addSql(`drop table if exists "import";`);
    this.addSql(`drop index if exists "person_organisation_esr_employee_number_unique";`);
    this.addSql(`alter table "person" drop column "esr_employee_number";`);
    this.addSql(`alter table "system" drop column "closed_on";`);
    this.addSql(`alter table "organisation" drop column "closed_on";`);
  }
}
