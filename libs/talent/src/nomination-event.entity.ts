import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Nomination } from './nomination.entity';
import type { NominationStatus } from './nomination-status';

/** One transition of a nomination: who moved it, when, why. Kept for every step. */
@Entity({ tableName: 'nomination_event' })
export class NominationEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Nomination, { deleteRule: 'cascade' })
  nomination!: Nomination;

  @Property({ type: 'text', nullable: true })
  fromStatus?: NominationStatus | null;

  @Property({ type: 'text' })
  toStatus!: NominationStatus;

  /** Null when the nominee acted through the emailed link without signing in. */
  @Property({ type: 'uuid', nullable: true })
  actorAccountId?: string | null;

  /** nominator, nominee, lead (deciding), or system. */
  @Property({ type: 'text' })
  actorRole!: string;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();
}
