import type { PoolClient } from 'pg';
import { ImportContext, ImportFileError, MergeCounts, RecordMapper, RowProblem } from '../import-kind';
import { AUDIT_INSERT, auditColumns, auditParams } from './staging-sql';

/** The ODS CSV layout (e.g. etr.csv, epraccur.csv, eccg.csv): headerless, 27 columns. */
export const ODS_COLUMN_COUNT = 27;

/** 0-based positions in the ODS layout. */
export const ODS = { code: 0, name: 1, nationalGrouping: 2, highLevelHealthGeography: 3, postcode: 9, openDate: 10, closeDate: 11, status: 12, commissioner: 14 } as const;

export const ODS_CODE = /^[A-Z0-9]{3,10}$/;

/**
 * Checks a record's shape: the first record decides whether this is an ODS file at all (so a file
 * of the wrong kind fails as a whole, with one clear reason); later records with the wrong column
 * count are row problems.
 */
export function odsShape(record: readonly string[], first: boolean): RowProblem | null {
  if (record.length === ODS_COLUMN_COUNT) return null;
  if (first) {
    throw new ImportFileError(`This is not an ODS file in the 27-column layout: the first row has ${record.length} column${record.length === 1 ? '' : 's'}. ODS files have no header row.`);
  }
  return { field: 'row', message: `expected ${ODS_COLUMN_COUNT} columns, found ${record.length}` };
}

/** An ODS date (YYYYMMDD) as ISO (YYYY-MM-DD); '' is null; anything else is a problem. */
export function odsDate(value: string, field: string): { date: string | null } | { problem: RowProblem } {
  const text = value.trim();
  if (!text) return { date: null };
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (match) {
    const [, y, m, d] = match;
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)) return { date: `${y}-${m}-${d}` };
  }
  return { problem: { field, message: `${field} must be a date as YYYYMMDD` } };
}

/**
 * The record mapper every ODS kind uses: the first record decides whether this is an ODS file at
 * all, later ones of the wrong shape or with a bad close date are row problems, and `values` picks
 * the kind's columns from a well-formed record (its close date already read).
 */
export function odsMapper(values: (record: readonly string[], closeDate: string | null) => (string | null)[]): () => RecordMapper {
  return () => {
    let first = true;
    return {
      hasHeader: false,
      map(record) {
        const shape = odsShape(record, first);
        first = false;
        if (shape) return { problem: shape };
        const close = odsDate(record[ODS.closeDate]!, 'closeDate');
        if ('problem' in close) return close;
        return { values: values(record, close.date) };
      },
    };
  };
}

/** What differs between ODS merges: the staged rows joined to what the platform holds, and the upsert. */
export interface OdsMerge {
  /** Selects from `import_stage s` the staged columns, `close_on`, and `old_id`/`old_closed_on` plus the old values compared. */
  readonly src: string;
  /** The staged columns compared with the held ones, as `(old_a, old_b) is distinct from (a, b)`. */
  readonly differs: string;
  /** `insert … select … from changed on conflict (ods_code) do update … returning id, ods_code, (xmax = 0) as inserted`. */
  readonly upsert: string;
  readonly auditAction: string;
  readonly objectType: string;
}

/**
 * Merges staged ODS records in one statement: new open records are created, held ones updated or
 * closed, a closed record never held is skipped (not created), and identical ones are counted
 * unchanged; each change is audited in the same statement.
 */
export async function mergeOdsRecords(client: PoolClient, context: ImportContext, merge: OdsMerge): Promise<MergeCounts> {
  const { rows } = await client.query<Record<keyof MergeCounts, string>>(
    `with src as (
       ${merge.src}
       where not s.rejected and not s.skipped
     ), changed as (
       select * from src
       where (old_id is null and close_on is null) or (old_id is not null and ${merge.differs})
     ), upserted as (
       ${merge.upsert}
     ), classified as (
       select u.id, case when u.inserted then 'created' when c.old_closed_on is null and c.close_on is not null then 'closed' else 'updated' end as change
       from upserted u join changed c on c.code = u.ods_code
     ), audited as (
       ${AUDIT_INSERT} select ${auditColumns(merge.auditAction, merge.objectType, 'id', 'change')} from classified
     )
     select count(*) filter (where change = 'created') as created, count(*) filter (where change = 'updated') as updated, count(*) filter (where change = 'closed') as closed,
            (select count(*) from src) - (select count(*) from changed) - (select count(*) from src where old_id is null and close_on is not null) as unchanged,
            (select count(*) from src where old_id is null and close_on is not null) as skipped
     from classified`,
    auditParams(context),
  );
  const row = rows[0]!;
  return { created: Number(row.created), updated: Number(row.updated), closed: Number(row.closed), unchanged: Number(row.unchanged), skipped: Number(row.skipped) };
}
