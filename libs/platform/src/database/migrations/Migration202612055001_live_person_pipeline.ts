import { Migration } from '@mikro-orm/migrations';

/**
 * The pipeline summary becomes a table kept current in the transaction that changes it, instead of
 * a materialized view rebuilt every 10 minutes.
 *
 * - `person_pipeline_source` is the one statement of the stage rules (libs/talent/src/pipeline-stage.ts
 *   in SQL): a view computing each person's dates with per-person subqueries, so asking it about a
 *   few people costs a few index probes.
 * - Statement-level triggers (with transition tables, so a bulk import is one set-based step, not a
 *   row at a time) on every table the rules read note which people a statement changed, in the
 *   transaction-local setting `slp.pipeline_pending`. Updates that change nothing the rules read
 *   note nobody.
 * - A deferred constraint trigger on the same tables runs `person_pipeline_sync` for everyone noted
 *   once, at commit: it locks those people's summary rows in person order (so two committing
 *   transactions never deadlock on them, and they are the last locks a transaction takes) and only
 *   then reads their facts, in a snapshot that includes whatever a transaction it waited for
 *   committed. Rows are written only where something differs.
 * - `slp.pipeline_bulk = on` (set local) skips the noting for a bulk load that rebuilds afterwards
 *   (the national seed).
 */

/** Each table the rules read: how a changed row leads to people, and which columns matter on update. */
interface Source {
  readonly table: string;
  /** The row's key, to pair old and new rows of an update. */
  readonly key: string;
  /** The people a set of rows (a transition table or a subquery) concerns. */
  readonly people: (rows: string) => string;
  readonly columns: readonly string[];
}

const SOURCES: readonly Source[] = [
  { table: 'person', key: 'id', people: (r) => `select r.id from ${r} r`, columns: ['organisation_id', 'staff_group', 'grade'] },
  {
    table: 'organisation',
    key: 'id',
    people: (r) => `select p.id from person p where p.organisation_id in (select r.id from ${r} r)`,
    columns: ['system_id', 'place_id'],
  },
  { table: 'equality_monitoring', key: 'person_id', people: (r) => `select r.person_id from ${r} r`, columns: ['ethnicity', 'sex', 'disability'] },
  { table: 'nomination', key: 'id', people: (r) => `select r.nominee_id from ${r} r`, columns: ['nominee_id', 'created_at', 'readiness'] },
  {
    table: 'nomination_event',
    key: 'id',
    people: (r) => `select n.nominee_id from ${r} r join nomination n on n.id = r.nomination_id`,
    columns: ['nomination_id', 'to_status', 'at'],
  },
  { table: 'talent_membership', key: 'id', people: (r) => `select r.person_id from ${r} r`, columns: ['person_id', 'talent_pool_id', 'created_at'] },
  { table: 'enrolment', key: 'id', people: (r) => `select r.person_id from ${r} r`, columns: ['person_id', 'status', 'enrolled_at', 'ended_at'] },
  { table: 'appointment', key: 'id', people: (r) => `select r.person_id from ${r} r`, columns: ['person_id', 'appointed_on'] },
];

/** The summary's columns after person_id, in the view's order. */
const COLUMNS = [
  'organisation_id', 'system_id', 'place_id', 'staff_group', 'grade', 'ethnicity', 'sex', 'disability',
  'first_nomination_at', 'identified_at', 'nominated_at', 'in_development_at', 'completed_at', 'ready_at', 'appointed_at', 'stage',
];

const SOURCE_VIEW = `create view "person_pipeline_source" as
  select facts.*,
         case when appointed_at is not null then 'appointed'
              when ready_at is not null then 'ready'
              when completed_at is not null then 'completed'
              when in_development_at is not null then 'in_development'
              when nominated_at is not null then 'nominated'
              when identified_at is not null then 'identified' end as stage
    from (
      select p.id as person_id, p.organisation_id, o.system_id, o.place_id, p.staff_group, p.grade,
             eq.ethnicity, eq.sex, eq.disability,
             noms.first_nomination_at,
             least(noms.first_nomination_at, pools.pooled_at) as identified_at,
             noms.nominated_at,
             enr.in_development_at,
             enr.completed_at,
             case when enr.completed_at is not null and latest.readiness = 'ready_now'
                  then greatest(enr.completed_at, latest.created_at) end as ready_at,
             appt.appointed_at
        from person p
        left join organisation o on o.id = p.organisation_id
        left join equality_monitoring eq on eq.person_id = p.id
        cross join lateral (
          select min(n.created_at) as first_nomination_at, min(ev.at) as nominated_at
            from nomination n
            left join nomination_event ev on ev.nomination_id = n.id and ev.to_status = 'consented'
           where n.nominee_id = p.id) noms
        left join lateral (
          select n.readiness, n.created_at from nomination n
           where n.nominee_id = p.id order by n.created_at desc, n.id desc limit 1) latest on true
        cross join lateral (
          select min(tm.created_at) as pooled_at from talent_membership tm
           where tm.person_id = p.id and tm.talent_pool_id is not null) pools
        cross join lateral (
          select min(e.enrolled_at) as in_development_at, min(e.ended_at) filter (where e.status = 'completed') as completed_at
            from enrolment e where e.person_id = p.id and e.enrolled_at is not null) enr
        cross join lateral (
          select min(a.appointed_on)::timestamp at time zone 'UTC' as appointed_at from appointment a
           where a.person_id = p.id) appt
    ) facts`;

const differs = (left: string, right: string, columns: readonly string[]) =>
  `(${columns.map((c) => `${left}.${c}`).join(', ')}) is distinct from (${columns.map((c) => `${right}.${c}`).join(', ')})`;

// Generic plans: planning the view's nine-way join costs ~10 times what running it for one person
// does, and PostgreSQL otherwise keeps choosing custom plans for an array parameter (measured: 4.8
// ms a call against 0.5 ms, for one person; a 5,000-person batch is no slower).
const SYNC_FUNCTION = `create function "person_pipeline_sync"(people uuid[]) returns integer language plpgsql
set plan_cache_mode = force_generic_plan as $$
declare
  written integer;
  removed integer;
begin
  -- Sorted, so transactions syncing overlapping people queue instead of deadlocking. Taken before
  -- the facts are read: a sync that waited here reads what the transaction it waited for committed.
  perform 1 from person_pipeline where person_id = any(people) order by person_id for update;
  insert into person_pipeline as pp (person_id, ${COLUMNS.join(', ')})
  select s.person_id, ${COLUMNS.map((c) => `s.${c}`).join(', ')}
    from person_pipeline_source s where s.person_id = any(people) order by s.person_id
  on conflict (person_id) do update set ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
   where ${differs('pp', 'excluded', COLUMNS)};
  get diagnostics written = row_count;
  delete from person_pipeline pp where pp.person_id = any(people) and not exists (select 1 from person p where p.id = pp.person_id);
  get diagnostics removed = row_count;
  return written + removed;
end $$`;

const NOTE_FUNCTION = `create function "person_pipeline_note"(people uuid[]) returns void language plpgsql as $$
begin
  if people is null or cardinality(people) = 0 or current_setting('slp.pipeline_bulk', true) = 'on' then
    return;
  end if;
  -- Each statement's people once (a bulk statement often names one person many times); the list is
  -- deduplicated as a whole at commit.
  perform set_config('slp.pipeline_pending', (coalesce(nullif(current_setting('slp.pipeline_pending', true), ''), '{}')::uuid[] || array(select distinct unnest(people)))::text, true);
end $$`;

const FLUSH_FUNCTION = `create function "person_pipeline_flush"() returns trigger language plpgsql as $$
declare
  pending text := nullif(current_setting('slp.pipeline_pending', true), '');
begin
  if pending is not null then
    perform set_config('slp.pipeline_pending', '', true);
    perform person_pipeline_sync(array(select distinct unnest(pending::uuid[])));
  end if;
  return null;
end $$`;

function noteFunction(source: Source): string {
  const changed = `(select n.* from new_rows n join old_rows o on o.${source.key} = n.${source.key} where ${differs('n', 'o', source.columns)})`;
  const changedOld = `(select o.* from old_rows o join new_rows n on n.${source.key} = o.${source.key} where ${differs('n', 'o', source.columns)})`;
  return `create function "person_pipeline_note_${source.table}"() returns trigger language plpgsql as $$
begin
  if current_setting('slp.pipeline_bulk', true) = 'on' then
    return null;
  elsif tg_op = 'INSERT' then
    perform person_pipeline_note(array(${source.people('new_rows')}));
  elsif tg_op = 'DELETE' then
    perform person_pipeline_note(array(${source.people('old_rows')}));
  else
    perform person_pipeline_note(array(${source.people(changed)} union ${source.people(changedOld)}));
  end if;
  return null;
end $$`;
}

/** A bulk load queues no commit-time work at all (not even a row event per row it writes). */
const NOT_BULK = `current_setting('slp.pipeline_bulk', true) is distinct from 'on'`;

function triggers(source: Source): string[] {
  const t = source.table;
  return [
    noteFunction(source),
    `create trigger "person_pipeline_note_insert" after insert on "${t}" referencing new table as new_rows for each statement execute function person_pipeline_note_${t}()`,
    `create trigger "person_pipeline_note_update" after update on "${t}" referencing old table as old_rows new table as new_rows for each statement execute function person_pipeline_note_${t}()`,
    `create trigger "person_pipeline_note_delete" after delete on "${t}" referencing old table as old_rows for each statement execute function person_pipeline_note_${t}()`,
    `create constraint trigger "person_pipeline_flush_change" after insert or delete on "${t}" deferrable initially deferred for each row
       when (${NOT_BULK}) execute function person_pipeline_flush()`,
    `create constraint trigger "person_pipeline_flush_update" after update on "${t}" deferrable initially deferred for each row
       when (${NOT_BULK} and ${differs('old', 'new', source.columns)}) execute function person_pipeline_flush()`,
  ];
}

export class Migration202612055001_live_person_pipeline extends Migration {
  override name = 'Migration202612055001_live_person_pipeline';

  override up(): void | Promise<void> {
    this.addSql(`drop materialized view if exists "person_pipeline";`);
    this.addSql(SOURCE_VIEW);
    this.addSql(`create table "person_pipeline" as select * from "person_pipeline_source" with no data;`);
    this.addSql(`alter table "person_pipeline" add constraint "person_pipeline_pkey" primary key ("person_id");`);
    this.addSql(`create index "person_pipeline_system_stage" on "person_pipeline" ("system_id", "stage");`);
    this.addSql(`insert into "person_pipeline" select * from "person_pipeline_source" order by person_id;`);
    this.addSql(SYNC_FUNCTION);
    this.addSql(NOTE_FUNCTION);
    this.addSql(FLUSH_FUNCTION);
    for (const source of SOURCES) for (const statement of triggers(source)) this.addSql(statement);
  }

  override down(): void | Promise<void> {
    for (const source of SOURCES) {
      for (const name of ['person_pipeline_note_insert', 'person_pipeline_note_update', 'person_pipeline_note_delete', 'person_pipeline_flush_change', 'person_pipeline_flush_update']) {
        this.addSql(`drop trigger if exists "${name}" on "${source.table}";`);
      }
      this.addSql(`drop function if exists "person_pipeline_note_${source.table}"();`);
    }
    this.addSql(`drop function if exists "person_pipeline_flush"();`);
    this.addSql(`drop function if exists "person_pipeline_note"(uuid[]);`);
    this.addSql(`drop function if exists "person_pipeline_sync"(uuid[]);`);
    this.addSql(`drop table if exists "person_pipeline";`);
    // The materialized view as it was (the worker rebuilt it on a schedule), over the same rules.
    this.addSql(`create materialized view "person_pipeline" as select s.*, now() as refreshed_at from "person_pipeline_source" s;`);
    this.addSql(`create unique index "person_pipeline_person_id" on "person_pipeline" ("person_id");`);
    this.addSql(`create index "person_pipeline_system_stage" on "person_pipeline" ("system_id", "stage");`);
  }
}
