import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One state change: who did what to which object, when, in which request. Append-only: the
 * migration installs a trigger that rejects UPDATE, DELETE and TRUNCATE on this table.
 * `details` holds field names and ids, never personal data.
 */
@Entity({ tableName: 'audit_log' })
@Index({ properties: ['objectType', 'objectId'] })
export class AuditEntry {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  at: Date = new Date();

  @Index()
  @Property({ type: 'uuid', nullable: true })
  actorAccountId?: string | null;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  objectType!: string;

  @Property({ type: 'text', nullable: true })
  objectId?: string | null;

  @Property({ type: 'text', nullable: true })
  requestId?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  details?: Record<string, unknown> | null;
}
