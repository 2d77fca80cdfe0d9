import type { PoolClient } from 'pg';
import type { ImportContext, ImportKindDefinition, MergeCounts } from '../import-kind';
import { mergeOdsRecords, ODS, ODS_CODE, odsMapper } from './ods-record';
import { duplicateProblems, markRejected, parseProblems, rowProblems } from './staging-sql';

/**
 * ODS integrated care boards → systems, upserted by ODS code. The national grouping is the NHS
 * England region's ODS code (Y56 London … Y63 North East and Yorkshire), which must be one of the
 * regions the platform holds. A closed ICB (e.g. after a merger) is kept and marked closed.
 */
export const ODS_ICB: ImportKindDefinition = {
  kind: 'ods_icb',
  nationalOnly: true,
  columns: ['code', 'name', 'region', 'close_on'],
  resolvedColumns: '',
  mapper: odsMapper((record, closeDate) => [record[ODS.code]!.trim().toUpperCase(), record[ODS.name]!.trim(), record[ODS.nationalGrouping]!.trim().toUpperCase(), closeDate]),
  async validate(client: PoolClient, context: ImportContext): Promise<void> {
    void context;
    await parseProblems(client);
    await rowProblems(client, 'code', `'code must be an ODS code of 3 to 10 letters or digits'`, `code !~ '${ODS_CODE.source}'`);
    await rowProblems(client, 'name', `'name is empty'`, `name = ''`);
    await rowProblems(
      client,
      'nationalGrouping',
      `format('%s is not the ODS code of an NHS England region (%s)', region, (select string_agg(code, ', ' order by code) from region))`,
      `not exists (select 1 from region r where r.code = import_stage.region)`,
    );
    await duplicateProblems(client, 'code', 'code', 'ODS code');
    await duplicateProblems(client, 'name', 'name', 'the name');
    await rowProblems(client, 'name', `format('another system (%s) already has the name %s', (select y.ods_code from system y where y.name = import_stage.name::citext), name)`, `exists (select 1 from system y where y.name = import_stage.name::citext and y.ods_code <> import_stage.code)`);
    await markRejected(client);
  },
  merge: (client: PoolClient, context: ImportContext): Promise<MergeCounts> =>
    mergeOdsRecords(client, context, {
      src: `select s.new_id, s.code, s.name, s.region, s.close_on::date as close_on,
                   y.id as old_id, y.name::text as old_name, y.region_code as old_region, y.closed_on as old_closed_on
            from import_stage s left join system y on y.ods_code = s.code`,
      differs: `(old_name, old_region, old_closed_on) is distinct from (name, region, close_on)`,
      upsert: `insert into system (id, name, ods_code, kind, region_code, closed_on, created_at)
               select coalesce(old_id, new_id), name, code, 'ICS', region, close_on, now() from changed
               on conflict (ods_code) do update set name = excluded.name, region_code = excluded.region_code, closed_on = excluded.closed_on
               returning id, ods_code, (xmax = 0) as inserted`,
      auditAction: 'system.import',
      objectType: 'system',
    }),
};
