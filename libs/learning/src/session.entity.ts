import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Cohort } from './cohort.entity';

export const SESSION_KINDS = ['workshop', 'action_learning_set', 'masterclass', 'coaching', 'residential'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
export type SessionStatus = 'scheduled' | 'cancelled';

/** A session of a cohort. `sequence` is the iCalendar SEQUENCE: it rises with every change (RFC 5545 §3.8.7.4). */
@Entity({ tableName: 'session' })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Cohort, { deleteRule: 'cascade' })
  cohort!: Cohort;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  kind!: SessionKind;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Property({ type: 'text', nullable: true })
  location?: string | null;

  @Property({ type: 'text', nullable: true })
  onlineUrl?: string | null;

  @Property({ type: 'text' })
  status: SessionStatus = 'scheduled';

  @Property({ type: 'integer' })
  sequence = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
