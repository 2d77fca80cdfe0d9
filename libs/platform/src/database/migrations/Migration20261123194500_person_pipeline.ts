import { Migration } from '@mikro-orm/migrations';

/**
 * Each person's pipeline dates and stage, for reports at national scale. It applies the rules of
 * libs/talent/src/pipeline-stage.ts in SQL (a test keeps the two in step) and is refreshed by the
 * worker; reports read it instead of recomputing 1.5 million people per request. Only consented
 * equality monitoring is in it (a row exists only with consent).
 */
export class Migration20261123194500_person_pipeline extends Migration {
  override name = 'Migration20261123194500_person_pipeline';

  override up(): void | Promise<void> {
    this.addSql(`create materialized view "person_pipeline" as
      with noms as (
        select n.nominee_id as person_id, min(n.created_at) as first_nomination_at, min(ev.at) as nominated_at
          from nomination n
          left join nomination_event ev on ev.nomination_id = n.id and ev.to_status = 'consented'
         group by n.nominee_id),
      latest as (
        select distinct on (nominee_id) nominee_id as person_id, readiness, created_at
          from nomination order by nominee_id, created_at desc, id desc),
      pools as (
        select person_id, min(created_at) as pooled_at from talent_membership where talent_pool_id is not null group by person_id),
      enr as (
        select person_id, min(enrolled_at) as in_development_at, min(ended_at) filter (where status = 'completed') as completed_at
          from enrolment where enrolled_at is not null group by person_id),
      appt as (
        select person_id, min(appointed_on)::timestamp at time zone 'UTC' as appointed_at from appointment group by person_id),
      facts as (
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
          left join noms on noms.person_id = p.id
          left join latest on latest.person_id = p.id
          left join pools on pools.person_id = p.id
          left join enr on enr.person_id = p.id
          left join appt on appt.person_id = p.id)
      select facts.*,
             case when appointed_at is not null then 'appointed'
                  when ready_at is not null then 'ready'
                  when completed_at is not null then 'completed'
                  when in_development_at is not null then 'in_development'
                  when nominated_at is not null then 'nominated'
                  when identified_at is not null then 'identified' end as stage,
             now() as refreshed_at
        from facts`);
    // Unique, so it can be refreshed concurrently (readers are never blocked).
    this.addSql(`create unique index "person_pipeline_person_id" on "person_pipeline" ("person_id");`);
    this.addSql(`create index "person_pipeline_system_stage" on "person_pipeline" ("system_id", "stage");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop materialized view if exists "person_pipeline";`);
  }
}
