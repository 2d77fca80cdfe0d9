import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ExportRequest, PersonalDataArea, RegisterPersonalData } from '../data-rights/personal-data-area';
import { AuditEntry } from './audit-entry.entity';

interface AuditRow {
  id: string;
  at: Date;
  actor_account_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  details: Record<string, unknown> | null;
}

/**
 * The audit log's part in data rights. Entries hold ids and field names, never personal data,
 * and the log is append-only (a trigger refuses changes), so erasure leaves it as it is: once the
 * account is removed, the account id in an entry leads nowhere.
 */
@Injectable()
@RegisterPersonalData()
export class AuditPersonalData implements PersonalDataArea {
  readonly name = 'audit-log';
  readonly summary = 'Entries of the audit log about you, your account and your records (what changed, when, by whom: "you", "staff" or "system"), and the changes you made yourself.';
  readonly onErasure = 'Kept as it is: it holds no names or emails, and the account it points to is removed.';
  readonly entities = [AuditEntry];
  readonly erasePhase = 100;

  async export(em: EntityManager, { subject, owned }: ExportRequest): Promise<unknown> {
    // Each condition is on an indexed column (object type and id, actor), so this stays an index
    // lookup however long the log. Entries naming the person in details (appointment.create,
    // nomination.create) are about objects of theirs, found through `owned`.
    const types = [...new Set(owned.map((object) => object.type))];
    const ownedClause = types.map(() => '(object_type = ? and object_id = any(?::text[]))').join(' or ');
    const rows = await em.execute<AuditRow[]>(
      `select id, at, actor_account_id, action, object_type, object_id, details from audit_log
        where (object_type = 'person' and object_id = ?)
           or (object_type = 'account' and object_id = ?)
           or actor_account_id = ?
           ${ownedClause ? `or ${ownedClause}` : ''}
        order by at, id`,
      [
        subject.personId,
        subject.accountId ?? '',
        subject.accountId,
        ...types.flatMap((type) => [type, `{${owned.filter((object) => object.type === type).map((object) => object.id).join(',')}}`]),
      ],
    );
    return rows.map((row) => ({
      at: new Date(row.at).toISOString(),
      action: row.action,
      objectType: row.object_type,
      objectId: row.object_id,
      // Other staff are not named (their account ids are their personal data, not yours).
      actor: row.actor_account_id === null ? 'system' : row.actor_account_id === subject.accountId ? 'you' : 'staff',
      details: row.details,
    }));
  }

  async erase(): Promise<Record<string, number>> {
    return {};
  }
}
