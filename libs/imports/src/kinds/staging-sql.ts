import type { PoolClient } from 'pg';
import type { ImportContext } from '../import-kind';

/** Rows still in play: readable, and not left out on purpose. */
export const LIVE = `problem is null and not skipped`;

/** Adds a problem on `field` for every live staged row matching `where`; `message` is an SQL text expression over the row. */
export async function rowProblems(client: PoolClient, field: string, message: string, where: string, params: readonly unknown[] = []): Promise<void> {
  await client.query(`insert into import_problem (row_no, field, message) select row_no, $${params.length + 1}::text, ${message} from import_stage where ${LIVE} and (${where})`, [...params, field]);
}

/** Every row sharing `column` with another live row is a problem on all of them: the file must say one thing per key. */
export async function duplicateProblems(client: PoolClient, column: string, field: string, label: string, showKey = true): Promise<void> {
  // Personal keys (emails) are not repeated in messages: the rows say which.
  await client.query(
    `insert into import_problem (row_no, field, message)
     select unnest(d.rows), $1, format('%s appears on more than one row (rows %s)', $2::text || case when ${showKey} then ' ' || d.key else '' end, array_to_string(d.rows[1:5], ', ') || case when cardinality(d.rows) > 5 then ', …' else '' end)
     from (select lower(${column}) as key, array_agg(row_no order by row_no) as rows from import_stage where ${LIVE} and ${column} is not null group by lower(${column}) having count(*) > 1) d`,
    [field, label],
  );
}

/** Problems found while parsing (a wrong column count, a bad date) are listed with the rest. */
export async function parseProblems(client: PoolClient): Promise<void> {
  await client.query(`insert into import_problem (row_no, field, message) select row_no, problem_field, problem from import_stage where problem is not null`);
}

/** A row with any problem is rejected, and the merge leaves it out. */
export async function markRejected(client: PoolClient): Promise<void> {
  await client.query(`update import_stage s set rejected = true where exists (select 1 from import_problem p where p.row_no = s.row_no)`);
}

/** `audit_log` columns for an entry written by an import, as a select list over `$1` actor, `$2` import id. */
export function auditColumns(action: string, objectType: string, objectId: string, change: string): string {
  return `now(), $1::uuid, '${action}', '${objectType}', ${objectId}::text, null, jsonb_build_object('importId', $2::text, 'change', ${change})`;
}

export function auditParams(context: ImportContext): unknown[] {
  return [context.actorAccountId, context.importId];
}

export const AUDIT_INSERT = `insert into audit_log (at, actor_account_id, action, object_type, object_id, request_id, details)`;
