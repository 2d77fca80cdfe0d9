import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlStatement } from '../database/sql-statement';
import { RequestContext } from '../http/request-context';
import { AuditEntry } from './audit-entry.entity';

export interface AuditRecord {
  /** The account that made the change; null for the system itself or an anonymous caller. */
  readonly actorAccountId: string | null;
  /** `<object>.<verb>`, e.g. `system.create`, `account.login_failed`. */
  readonly action: string;
  readonly objectType: string;
  readonly objectId?: string | null;
  /** Ids and field names only: the audit log must never hold personal data. */
  readonly details?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  /** Adds an entry to the unit of work of `em`, so it commits (or rolls back) with the change it records. */
  record(em: EntityManager, record: AuditRecord): void {
    const entry = em.create(AuditEntry, {
      at: new Date(),
      actorAccountId: record.actorAccountId,
      action: record.action,
      objectType: record.objectType,
      objectId: record.objectId ?? null,
      requestId: RequestContext.current()?.requestId ?? null,
      details: record.details ?? null,
    });
    em.persist(entry);
  }

  /** Inserts at once with SQL, in `em`'s transaction: for hot paths that do not use the unit of work. */
  async write(em: EntityManager, record: AuditRecord): Promise<void> {
    const statement = this.insertStatement(record);
    await em.execute(statement.sql, [...statement.params]);
  }

  /** The INSERT for `record`, to run on its own or inside a larger statement (e.g. a CTE). */
  insertStatement(record: AuditRecord): SqlStatement {
    return {
      sql: 'insert into audit_log (at, actor_account_id, action, object_type, object_id, request_id, details) values (now(), ?, ?, ?, ?, ?, ?::jsonb)',
      params: [record.actorAccountId, record.action, record.objectType, record.objectId ?? null, RequestContext.current()?.requestId ?? null, record.details ? JSON.stringify(record.details) : null],
    };
  }
}
