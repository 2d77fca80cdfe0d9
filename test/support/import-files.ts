/** Builders for the files imports read: ODS 27-column rows and ESR extracts, as CSV text. */

export interface OdsRecord {
  readonly code: string;
  readonly name: string;
  readonly nationalGrouping?: string;
  readonly highLevelHealthGeography?: string;
  readonly closeDate?: string;
  readonly commissioner?: string;
}

/** One headerless ODS row (27 quoted columns), as in etr.csv / epraccur.csv / eccg.csv. */
export function odsRow(record: OdsRecord): string {
  const cells = new Array<string>(27).fill('');
  cells[0] = record.code;
  cells[1] = record.name;
  cells[2] = record.nationalGrouping ?? 'Y62';
  cells[3] = record.highLevelHealthGeography ?? '';
  cells[4] = '1 HIGH STREET';
  cells[9] = 'M1 1AA';
  cells[10] = '20130401';
  cells[11] = record.closeDate ?? '';
  cells[12] = record.closeDate ? 'C' : 'A';
  cells[14] = record.commissioner ?? '';
  return cells.map((cell) => `"${cell}"`).join(',');
}

export function odsFile(records: readonly OdsRecord[]): string {
  return records.map(odsRow).join('\r\n') + '\r\n';
}

export const ESR_HEADER = ['Employee Number', 'First Name', 'Last Name', 'Email Address', 'Staff Group', 'Job Role', 'Position Title', 'Grade', 'Organisation Code', 'Primary Assignment', 'Ethnic Origin', 'Disability'];

export interface EsrRecord {
  readonly employeeNumber: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly email: string;
  readonly staffGroup?: string;
  readonly jobRole?: string;
  readonly positionTitle?: string;
  readonly grade?: string;
  readonly organisationCode: string;
  readonly primary?: string;
}

/** An ESR extract with a header row; it carries equality columns too, which an import must never read. */
export function esrFile(records: readonly EsrRecord[]): string {
  const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const rows = records.map((r) =>
    [r.employeeNumber, r.givenName ?? 'Alex', r.familyName ?? 'Example', r.email, r.staffGroup ?? 'Nursing and Midwifery Registered', r.jobRole ?? 'Staff Nurse', r.positionTitle ?? 'Ward Nurse', r.grade ?? 'Band 5', r.organisationCode, r.primary ?? 'Y', 'A', 'No']
      .map(quote)
      .join(','),
  );
  return [ESR_HEADER.join(','), ...rows].join('\n') + '\n';
}
