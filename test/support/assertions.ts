import type { Response } from 'supertest';
import { forkEm } from './factories';
import type { TestApi } from './test-api';

/** The content type of an RFC 9457 problem response (parameters such as charset may follow). */
export const PROBLEM_JSON = /^application\/problem\+json/;

/** A row of `audit_log`, as the e2e tests read it back. */
export interface AuditRow {
  actor_account_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  request_id: string | null;
  details: Record<string, unknown> | null;
}

/** Which audit rows to read: every given condition must hold. */
export interface AuditFilter {
  requestId?: string;
  objectId?: string;
  action?: string;
}

/** The audit rows matching `where`, oldest first. */
export async function auditRows(api: TestApi, where: AuditFilter): Promise<AuditRow[]> {
  const conditions: [column: string, value: string][] = [];
  if (where.requestId !== undefined) conditions.push(['request_id', where.requestId]);
  if (where.objectId !== undefined) conditions.push(['object_id', where.objectId]);
  if (where.action !== undefined) conditions.push(['action', where.action]);
  if (conditions.length === 0) throw new Error('auditRows needs a requestId, objectId or action to filter on');
  return forkEm(api)
    .getConnection()
    .execute<AuditRow[]>(
      `select actor_account_id, action, object_type, object_id, request_id, details from audit_log where ${conditions.map(([column]) => `${column} = ?`).join(' and ')} order by id`,
      conditions.map(([, value]) => value),
    );
}

/** The request carried a request id and left no trace in the audit log. */
export async function expectNotAudited(api: TestApi, response: Response): Promise<void> {
  const requestId = response.headers['x-request-id'] as string;
  expect(requestId).toEqual(expect.any(String));
  expect(await auditRows(api, { requestId })).toEqual([]);
}

/**
 * The response is a problem+json document with this status; with `fields`, its `errors` name at
 * least those fields.
 */
export function expectProblem(response: Response, status: number, fields?: string[]): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  if (fields) expect((response.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(expect.arrayContaining(fields));
}

/** Retries `check` until it stops throwing or `timeoutMs` runs out, then fails with its last error. */
export async function eventuallyPasses(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
