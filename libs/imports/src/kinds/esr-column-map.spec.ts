import { ConfigValidationError, DEFAULT_ESR_COLUMNS, loadConfig } from '@slp/platform';
import { ImportFileError, type ImportContext, type StagedRow } from '../import-kind';
import { ESR_PEOPLE } from './esr-people.kind';

const TEST = { NODE_ENV: 'test' };

function contextWith(esrColumnMap?: string): ImportContext {
  const config = loadConfig({ ...TEST, ...(esrColumnMap === undefined ? {} : { ESR_COLUMN_MAP: esrColumnMap }) });
  return { importId: 'import', dryRun: false, actorAccountId: null, scopeSystemIds: null, esrColumns: config.imports.esrColumns };
}

function problemsOf(esrColumnMap: string): string {
  try {
    loadConfig({ ...TEST, ESR_COLUMN_MAP: esrColumnMap });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error(`ESR_COLUMN_MAP ${esrColumnMap} was accepted`);
}

const values = (row: StagedRow) => ('values' in row ? row.values : row);

describe('ESR_COLUMN_MAP', () => {
  it('uses the common extract’s column names when unset', () => {
    expect(contextWith().esrColumns).toEqual(DEFAULT_ESR_COLUMNS);
    expect(DEFAULT_ESR_COLUMNS.employeeNumber).toBe('Employee Number');
  });

  it('renames only the columns it names, keeping the defaults for the rest', () => {
    const columns = contextWith('{"employeeNumber": "Assignment Number", "email": " Work Email "}').esrColumns;
    expect(columns).toEqual({ ...DEFAULT_ESR_COLUMNS, employeeNumber: 'Assignment Number', email: 'Work Email' });
  });

  it.each([
    ['not JSON', '{employeeNumber: x}', /must be a JSON object/],
    ['an unknown field', '{"ethnicOrigin": "Ethnic Origin"}', /keys must be among employeeNumber, givenName/],
    ['an empty column name', '{"grade": "  "}', /column names must not be empty/],
    ['a column name that is not text', '{"grade": 7}', /ESR_COLUMN_MAP/],
  ])('refuses %s at start-up', (_label, map, message) => {
    expect(problemsOf(map)).toMatch(message);
  });

  it('makes the ESR kind read the renamed columns, in any order and letter case', () => {
    const mapper = ESR_PEOPLE.mapper(contextWith('{"employeeNumber": "Assignment Number", "email": "Work Email", "organisationCode": "Org Code"}'));
    mapper.header!(['org code', 'Last Name', 'First Name', 'WORK EMAIL', 'Assignment Number', 'Grade', 'Staff Group', 'Ethnic Origin']);
    expect(values(mapper.map(['rxa', 'Lovelace', 'Ada', 'ada@nhs.example', '123-4', 'Band 6', 'Nursing and Midwifery Registered', 'A']))).toEqual([
      '123-4',
      'Ada',
      'Lovelace',
      'ada@nhs.example',
      'nursing_midwifery_registered',
      'Nursing and Midwifery Registered',
      null,
      null,
      'band_6',
      'Band 6',
      'RXA',
    ]);
  });

  it('names the mapped column a file lacks, so the operator can see which name was expected', () => {
    const mapper = ESR_PEOPLE.mapper(contextWith('{"employeeNumber": "Assignment Number"}'));
    // The default name no longer counts once the map renames the field.
    expect(() => mapper.header!(['Employee Number', 'First Name', 'Last Name', 'Email Address', 'Organisation Code'])).toThrow(ImportFileError);
    expect(() => mapper.header!(['Employee Number', 'First Name', 'Last Name', 'Email Address', 'Organisation Code'])).toThrow(/no "Assignment Number" column\. .*ESR_COLUMN_MAP/);
  });

  it('skips secondary assignments only when the extract has the primary assignment column', () => {
    const withFlag = ESR_PEOPLE.mapper(contextWith('{"primaryAssignment": "Primary?"}'));
    withFlag.header!(['Employee Number', 'First Name', 'Last Name', 'Email Address', 'Organisation Code', 'Primary?']);
    expect(withFlag.map(['1', 'A', 'B', 'a@nhs.example', 'RXA', 'N'])).toEqual({ skipped: true });
    const without = ESR_PEOPLE.mapper(contextWith());
    without.header!(['Employee Number', 'First Name', 'Last Name', 'Email Address', 'Organisation Code']);
    expect('values' in without.map(['1', 'A', 'B', 'a@nhs.example', 'RXA'])).toBe(true);
  });
});
