import type { PoolClient } from 'pg';
import { ESR_FIELDS, type EsrField } from '@slp/platform';
import { ImportFileError, type ImportContext, type ImportKindDefinition, type MergeCounts, type RecordMapper, type StagedRow } from '../import-kind';
import { gradeOf, primaryAssignmentOf, staffGroupOf } from './esr-values';
import { AUDIT_INSERT, auditColumns, auditParams, duplicateProblems, markRejected, parseProblems, rowProblems } from './staging-sql';

const REQUIRED: readonly EsrField[] = ['employeeNumber', 'givenName', 'familyName', 'email', 'organisationCode'];
/** A pending proposal of exactly the imported employment: the import confirms it. */
const SETTLED = `(p.employment_proposed_at is not null and (p.pending_organisation_id, p.pending_staff_group, p.pending_grade) is not distinct from (src.organisation_id, src.staff_group, src.grade))`;
const EMAIL = `^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$`;

/**
 * An ESR staff extract → people (without accounts), matched by ESR employee number within the
 * organisation, then by email. Only primary assignments are read; staff group and grade are mapped
 * to the platform's values and an unknown value is a row problem, never a guess. The imported
 * organisation, staff group and grade are the person's confirmed employment (ESR is the employer's
 * record), and a proposal of the same facts is settled by it. Equality data is never read, whatever
 * the extract holds: it needs the person's own consent (PUT /me/equality).
 */
export const ESR_PEOPLE: ImportKindDefinition = {
  kind: 'esr_people',
  nationalOnly: false,
  columns: ['employee_number', 'given_name', 'family_name', 'email', 'staff_group', 'staff_group_raw', 'job_role', 'position_title', 'grade', 'grade_raw', 'organisation_code'],
  resolvedColumns: 'organisation_id uuid, org_system_id uuid, org_closed boolean, by_number uuid, by_email uuid, person_id uuid',
  mapper(context: ImportContext): RecordMapper {
    // A file has a handful of distinct staff groups and grades across its rows.
    const staffGroupOfValue = memoised(staffGroupOf);
    const gradeOfValue = memoised(gradeOf);
    let index: Partial<Record<EsrField, number>> = {};
    let width = 0;
    const cell = (record: readonly string[], field: EsrField): string | null => {
      const at = index[field];
      const value = at === undefined ? '' : (record[at] ?? '').trim();
      return value === '' ? null : value;
    };
    return {
      hasHeader: true,
      header(record) {
        width = record.length;
        const positions = new Map(record.map((name, i) => [name.trim().toLowerCase(), i] as const));
        index = Object.fromEntries(ESR_FIELDS.flatMap((field) => (positions.has(context.esrColumns[field].toLowerCase()) ? [[field, positions.get(context.esrColumns[field].toLowerCase())!]] : [])));
        const missing = REQUIRED.filter((field) => index[field] === undefined).map((field) => `"${context.esrColumns[field]}"`);
        if (missing.length) throw new ImportFileError(`The header row has no ${missing.join(', ')} column${missing.length === 1 ? '' : 's'}. ESR extracts need a header row; ESR_COLUMN_MAP names columns that differ from the defaults.`);
      },
      map(record): StagedRow {
        if (record.length !== width) return { problem: { field: 'row', message: `expected ${width} columns (as in the header), found ${record.length}` } };
        const primary = cell(record, 'primaryAssignment');
        if (index.primaryAssignment !== undefined) {
          const flag = primaryAssignmentOf(primary ?? '');
          if (flag === null) return { problem: { field: 'primaryAssignment', message: 'primaryAssignment must be Y or N' } };
          if (!flag) return { skipped: true };
        }
        const staffGroup = cell(record, 'staffGroup');
        const grade = cell(record, 'grade');
        return {
          values: [
            cell(record, 'employeeNumber'),
            cell(record, 'givenName'),
            cell(record, 'familyName'),
            cell(record, 'email'),
            staffGroup === null ? null : staffGroupOfValue(staffGroup),
            staffGroup,
            cell(record, 'jobRole'),
            cell(record, 'positionTitle'),
            grade === null ? null : gradeOfValue(grade),
            grade,
            cell(record, 'organisationCode')?.toUpperCase() ?? null,
          ],
        };
      },
    };
  },
  async validate(client: PoolClient, context: ImportContext): Promise<void> {
    await parseProblems(client);
    await rowProblems(client, 'employeeNumber', `case when employee_number is null then 'employeeNumber is empty' else 'employeeNumber must be up to 20 letters, digits or hyphens' end`, `employee_number is null or employee_number !~ '^[A-Za-z0-9-]{1,20}$'`);
    await rowProblems(client, 'givenName', `'givenName is empty or longer than 100 characters'`, `given_name is null or length(given_name) > 100`);
    await rowProblems(client, 'familyName', `'familyName is empty or longer than 100 characters'`, `family_name is null or length(family_name) > 100`);
    await rowProblems(client, 'email', `'email must be an email address'`, `email is null or length(email) > 254 or email !~ '${EMAIL}'`);
    await rowProblems(client, 'staffGroup', `format('%s is not an ESR staff group', staff_group_raw)`, `staff_group_raw is not null and staff_group is null`);
    await rowProblems(client, 'grade', `format('%s is not a grade the platform knows (Agenda for Change band, medical grade, VSM or non-AfC)', grade_raw)`, `grade_raw is not null and grade is null`);
    for (const text of ['job_role', 'position_title']) await rowProblems(client, text === 'job_role' ? 'jobRole' : 'positionTitle', `'is longer than 200 characters'`, `length(${text}) > 200`);
    await client.query(`update import_stage s set organisation_id = o.id, org_system_id = o.system_id, org_closed = o.closed_on is not null and o.closed_on <= current_date from organisation o where o.ods_code = s.organisation_code`);
    await rowProblems(
      client,
      'organisationCode',
      `case when organisation_code is null then 'organisationCode is empty'
            when organisation_id is null then format('%s is not an organisation on the platform', organisation_code)
            when org_closed then format('%s is closed', organisation_code)
            else format('%s is not in a system you administer', organisation_code) end`,
      `organisation_id is null or org_closed or ($1::uuid[] is not null and org_system_id <> all($1::uuid[]))`,
      [context.scopeSystemIds],
    );
    await duplicateProblems(client, `organisation_code || ' ' || employee_number`, 'employeeNumber', 'the organisation and employee number');
    await duplicateProblems(client, 'email', 'email', 'this email address', false);
    // Each update touches only the rows that match someone (none, for a first import): a pass
    // over every staged row to set person_id would rewrite the whole table.
    await client.query(`update import_stage s set by_number = p.id, person_id = p.id from person p where p.organisation_id = s.organisation_id and p.esr_employee_number = s.employee_number`);
    await client.query(`update import_stage s set by_email = p.id, person_id = coalesce(s.by_number, p.id) from person p where p.email = s.email::citext`);
    await rowProblems(client, 'email', `'this email address belongs to another person on the platform'`, `by_number is not null and by_email is not null and by_number <> by_email`);
    // A system admin may not take over someone who works in a system they do not administer.
    await rowProblems(
      client,
      'email',
      `'this email address belongs to a person outside your systems'`,
      `$1::uuid[] is not null and exists (select 1 from person p join organisation o on o.id = p.organisation_id where p.id = import_stage.person_id and o.system_id <> all($1::uuid[]))`,
      [context.scopeSystemIds],
    );
    await duplicateProblems(client, 'person_id::text', 'email', 'the same person', false);
    await markRejected(client);
  },
  async merge(client: PoolClient, context: ImportContext): Promise<MergeCounts> {
    const { rows } = await client.query<{ created: string; updated: string; unchanged: string }>(
      `with src as (
         select s.new_id, s.person_id as old_id, s.employee_number, s.given_name, s.family_name, s.email::citext as email, s.organisation_id,
                coalesce(s.staff_group, p.staff_group) as staff_group, coalesce(s.grade, p.grade) as grade,
                coalesce(s.job_role, p.profession) as profession, coalesce(s.position_title, p.job_title) as job_title
         from import_stage s left join person p on p.id = s.person_id
         where not s.rejected and not s.skipped
       ), updated as (
         update person p set email = src.email, given_name = src.given_name, family_name = src.family_name, organisation_id = src.organisation_id,
                staff_group = src.staff_group, grade = src.grade, profession = src.profession, job_title = src.job_title, esr_employee_number = src.employee_number,
                pending_organisation_id = case when ${SETTLED} then null else p.pending_organisation_id end,
                pending_staff_group = case when ${SETTLED} then null else p.pending_staff_group end,
                pending_grade = case when ${SETTLED} then null else p.pending_grade end,
                employment_proposed_at = case when ${SETTLED} then null else p.employment_proposed_at end,
                updated_at = now()
         from src
         where p.id = src.old_id
           and (p.email, p.given_name, p.family_name, p.organisation_id, p.staff_group, p.grade, p.profession, p.job_title, p.esr_employee_number)
               is distinct from (src.email, src.given_name, src.family_name, src.organisation_id, src.staff_group, src.grade, src.profession, src.job_title, src.employee_number)
         returning p.id
       ), inserted as (
         insert into person (id, email, given_name, family_name, organisation_id, staff_group, grade, profession, job_title, esr_employee_number, created_at, updated_at)
         select new_id, email, given_name, family_name, organisation_id, staff_group, grade, profession, job_title, employee_number, now(), now() from src where old_id is null
         returning id
       ), audited as (
         ${AUDIT_INSERT}
         select ${auditColumns('person.import', 'person', 'id', `'created'`)} from inserted
         union all select ${auditColumns('person.import', 'person', 'id', `'updated'`)} from updated
       )
       select (select count(*) from inserted) as created, (select count(*) from updated) as updated,
              (select count(*) from src where old_id is not null) - (select count(*) from updated) as unchanged`,
      auditParams(context),
    );
    const row = rows[0]!;
    return { created: Number(row.created), updated: Number(row.updated), unchanged: Number(row.unchanged), closed: 0, skipped: 0 };
  },
};

/** `map` with its answers remembered, for up to 1,000 distinct values (a file of all-different values gains nothing and holds no more). */
function memoised<T>(map: (value: string) => T): (value: string) => T {
  const known = new Map<string, T>();
  return (value) => {
    const hit = known.get(value);
    if (hit !== undefined || known.has(value)) return hit as T;
    const answer = map(value);
    if (known.size < 1_000) known.set(value, answer);
    return answer;
  };
}
