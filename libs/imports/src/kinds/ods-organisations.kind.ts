import type { PoolClient } from 'pg';
import type { ImportContext, ImportKindDefinition, MergeCounts } from '../import-kind';
import { mergeOdsRecords, ODS, ODS_CODE, odsMapper } from './ods-record';
import { duplicateProblems, markRejected, parseProblems, rowProblems } from './staging-sql';

const COLUMNS = ['code', 'name', 'high_level_health_geography', 'commissioner', 'close_on'] as const;

/**
 * ODS trusts (etr.csv) and GP practices (epraccur.csv) → organisations, upserted by ODS code.
 * A trust belongs to the system of its high-level health geography (its ICB); a practice to the
 * system of its commissioner (the ICB), falling back to its high-level health geography. A record
 * with a close date closes the organisation (kept, hidden from lists); a closed record the platform
 * does not hold is skipped, not created.
 */
function odsOrganisations(kind: 'ods_trust' | 'ods_gp_practice'): ImportKindDefinition {
  const gp = kind === 'ods_gp_practice';
  // ODS does not say what kind of trust a trust is; its name usually does. An admin's correction is kept on re-import.
  const type = gp
    ? `'gp_practice'`
    : `case when s.name ~* 'ambulance' then 'ambulance_trust' when s.name ~* 'mental health|partnership' then 'mental_health_trust' when s.name ~* 'community' then 'community_trust' else 'acute_trust' end`;
  return {
    kind,
    nationalOnly: true,
    columns: COLUMNS,
    resolvedColumns: 'system_id uuid',
    mapper: odsMapper((record, closeDate) => [
      record[ODS.code]!.trim().toUpperCase(),
      record[ODS.name]!.trim(),
      record[ODS.highLevelHealthGeography]!.trim().toUpperCase(),
      gp ? record[ODS.commissioner]!.trim().toUpperCase() : '',
      closeDate,
    ]),
    async validate(client: PoolClient, context: ImportContext): Promise<void> {
      void context;
      await parseProblems(client);
      await rowProblems(client, 'code', `'code must be an ODS code of 3 to 10 letters or digits'`, `code !~ '${ODS_CODE.source}'`);
      await rowProblems(client, 'name', `'name is empty'`, `name = ''`);
      await duplicateProblems(client, 'code', 'code', 'ODS code');
      if (gp) await client.query(`update import_stage s set system_id = y.id from system y where y.ods_code = s.commissioner`);
      await client.query(`update import_stage s set system_id = y.id from system y where s.system_id is null and y.ods_code = s.high_level_health_geography`);
      await rowProblems(
        client,
        gp ? 'commissioner' : 'highLevelHealthGeography',
        gp
          ? `format('neither the commissioner %s nor the high-level health geography %s is the ODS code of a system on the platform (import the ICBs first)', commissioner, high_level_health_geography)`
          : `format('%s is not the ODS code of a system on the platform (import the ICBs first)', high_level_health_geography)`,
        `system_id is null`,
      );
      await markRejected(client);
    },
    merge: (client: PoolClient, context: ImportContext): Promise<MergeCounts> =>
      mergeOdsRecords(client, context, {
        src: `select s.row_no, s.new_id, s.code, s.name, s.system_id, s.close_on::date as close_on, ${type} as type,
                     o.id as old_id, o.name as old_name, o.system_id as old_system_id, o.closed_on as old_closed_on
              from import_stage s left join organisation o on o.ods_code = s.code`,
        differs: `(old_name, old_system_id, old_closed_on) is distinct from (name, system_id, close_on)`,
        upsert: `insert into organisation (id, name, ods_code, type, system_id, closed_on, created_at)
                 select coalesce(old_id, new_id), name, code, type, system_id, close_on, now() from changed
                 on conflict (ods_code) do update set name = excluded.name, system_id = excluded.system_id, closed_on = excluded.closed_on,
                   place_id = case when organisation.system_id = excluded.system_id then organisation.place_id else null end
                 returning id, ods_code, (xmax = 0) as inserted`,
        auditAction: 'organisation.import',
        objectType: 'organisation',
      }),
  };
}

export const ODS_TRUST = odsOrganisations('ods_trust');
export const ODS_GP_PRACTICE = odsOrganisations('ods_gp_practice');
