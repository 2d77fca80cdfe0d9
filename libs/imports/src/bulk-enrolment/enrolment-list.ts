import { CsvError, parse } from 'csv-parse/sync';
import { InvalidInputError, type FieldError } from '@slp/platform';

/** A list this long is a directory load, not a cohort's intake: use an ESR import, then enrol. */
export const MAX_ENROLMENT_LIST_ROWS = 2_000;
export const MAX_ENROLMENT_LIST_BYTES = 1024 * 1024;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ODS_CODE = /^[A-Z0-9]{3,10}$/;
/** Problems listed in the 400 answer; the rest are counted. */
const LISTED_PROBLEMS = 100;

/** One data row of an enrolment list; `row` is its line in the file (the header is line 1). */
export interface EnrolmentListRow {
  readonly row: number;
  readonly email: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly organisationOdsCode: string | null;
}

type Column = 'email' | 'givenName' | 'familyName' | 'organisationOdsCode';

/** Header names as people write them: case, spaces, hyphens and underscores do not matter. */
const HEADER_NAMES: Readonly<Record<string, Column>> = {
  email: 'email',
  emailaddress: 'email',
  givenname: 'givenName',
  firstname: 'givenName',
  familyname: 'familyName',
  lastname: 'familyName',
  surname: 'familyName',
  organisationodscode: 'organisationOdsCode',
  organisationcode: 'organisationOdsCode',
  odscode: 'organisationOdsCode',
};

/**
 * Reads an enrolment list (a CSV with a header row: `email`, and optionally `givenName`,
 * `familyName`, `organisationOdsCode`; other columns are ignored). The whole file is checked
 * before anything is written: bytes that are not UTF-8 text, a file that is not CSV, a missing
 * `email` column, rows of the wrong width, bad addresses or codes, or an address on two rows
 * make it a 400 listing every problem by row, so nothing is half-enrolled from a broken file.
 */
export function readEnrolmentList(bytes: Buffer): EnrolmentListRow[] {
  if (bytes.length === 0) throw invalid('The file is empty.', [{ field: 'body', message: 'body must be a CSV file with a header row' }]);
  if (bytes.length > MAX_ENROLMENT_LIST_BYTES) throw invalid(`The file is larger than the ${MAX_ENROLMENT_LIST_BYTES / 1_048_576} MB an enrolment list may be.`, [{ field: 'body', message: `body must be at most ${MAX_ENROLMENT_LIST_BYTES} bytes` }]);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw invalid(`The file is not text: it has a NUL byte at byte ${nul + 1}. Upload the CSV file itself, not a spreadsheet.`, [{ field: 'body', message: 'body must be CSV text' }]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.', [{ field: 'body', message: 'body must be UTF-8 text' }]);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: 64 * 1024 }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof CsvError) throw invalid(`The file is not valid CSV: ${error.message}`, [{ field: 'body', message: 'body must be valid CSV' }]);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw invalid('The file has no rows.', [{ field: 'body', message: 'body must have a header row and at least one data row' }]);
  const index = new Map<Column, number>();
  header.record.forEach((name, i) => {
    const column = HEADER_NAMES[name.trim().toLowerCase().replace(/[\s_-]+/g, '')];
    if (column && !index.has(column)) index.set(column, i);
  });
  if (!index.has('email')) {
    throw invalid('The first row must be a header naming the columns: email, and optionally givenName, familyName and organisationOdsCode.', [{ field: 'header', message: 'header must have an email column' }]);
  }
  if (!data.length) throw invalid('The file has a header row but no data rows.', [{ field: 'body', message: 'body must have at least one data row' }]);
  if (data.length > MAX_ENROLMENT_LIST_ROWS) throw invalid(`The file has ${data.length} rows; an enrolment list may have at most ${MAX_ENROLMENT_LIST_ROWS}.`, [{ field: 'body', message: `body must have at most ${MAX_ENROLMENT_LIST_ROWS} data rows` }]);

  const width = header.record.length;
  const problems: FieldError[] = [];
  const rows: EnrolmentListRow[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { record, info } of data) {
    const row = info.lines;
    const problem = (field: string, message: string) => problems.push({ field: `rows[${row}].${field}`, message: `row ${row}: ${message}` });
    if (record.length !== width) {
      problem('row', `expected ${width} columns (as in the header), found ${record.length}`);
      continue;
    }
    const cell = (column: Column): string | null => {
      const at = index.get(column);
      const value = at === undefined ? '' : (record[at] ?? '').trim();
      return value === '' ? null : value;
    };
    const email = cell('email');
    const givenName = cell('givenName');
    const familyName = cell('familyName');
    const code = cell('organisationOdsCode')?.toUpperCase() ?? null;
    if (!email || email.length > 254 || !EMAIL.test(email)) problem('email', 'email must be an email address');
    if (givenName && givenName.length > 100) problem('givenName', 'givenName must be at most 100 characters');
    if (familyName && familyName.length > 100) problem('familyName', 'familyName must be at most 100 characters');
    if (code && !ODS_CODE.test(code)) problem('organisationOdsCode', 'organisationOdsCode must be an ODS code of 3 to 10 letters or digits');
    if (email) {
      // The address itself is not repeated: the rows say which.
      const first = firstRowOf.get(email.toLowerCase());
      if (first !== undefined) problem('email', `the same email address is on row ${first}`);
      else firstRowOf.set(email.toLowerCase(), row);
    }
    if (email) rows.push({ row, email, givenName, familyName, organisationOdsCode: code });
  }
  if (problems.length) {
    const more = problems.length > LISTED_PROBLEMS ? ` (the first ${LISTED_PROBLEMS} are listed)` : '';
    throw invalid(`The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}${more}; nobody was enrolled. Correct the rows and upload it again.`, problems.slice(0, LISTED_PROBLEMS));
  }
  return rows;
}

function invalid(detail: string, errors: FieldError[]): InvalidInputError {
  return new InvalidInputError(detail, errors);
}
