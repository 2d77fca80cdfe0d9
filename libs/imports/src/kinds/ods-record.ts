import { ImportFileError, RowProblem } from '../import-kind';

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
