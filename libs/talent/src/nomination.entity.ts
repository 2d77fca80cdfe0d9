import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Person } from '@slp/identity';
import { Cohort, Enrolment, Programme } from '@slp/learning';
import { newId } from '@slp/platform';
import type { NominationStatus, Readiness } from './nomination-status';
import { TalentPool } from './talent-pool.entity';

/**
 * A lead's nomination of a person into a programme, a cohort or a talent pool. The nominee owns
 * their development: nothing proceeds without their consent. Exactly one target is set (a check
 * constraint), and a partial unique index allows one active nomination per nominee and target.
 */
@Entity({ tableName: 'nomination' })
@Index({ properties: ['targetSystemId', 'status'] })
export class Nomination {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Person, { deleteRule: 'cascade' })
  nominee!: Person;

  @Property({ type: 'uuid' })
  nominatorAccountId!: string;

  @ManyToOne(() => Person, { deleteRule: 'restrict' })
  nominator!: Person;

  @ManyToOne(() => Programme, { nullable: true, deleteRule: 'restrict' })
  programme?: Programme | null;

  @ManyToOne(() => Cohort, { nullable: true, deleteRule: 'restrict' })
  cohort?: Cohort | null;

  @ManyToOne(() => TalentPool, { nullable: true, deleteRule: 'restrict' })
  talentPool?: TalentPool | null;

  /** The system that owns the target (null for a national programme): who may see and decide it. */
  @Property({ type: 'uuid', nullable: true })
  targetSystemId?: string | null;

  @Property({ type: 'text' })
  status!: NominationStatus;

  @Property({ type: 'text' })
  readiness!: Readiness;

  /** Talent grid (NHS 9-box): performance and potential, 1–3 each. Personal data. */
  @Property({ type: 'smallint' })
  performance!: number;

  @Property({ type: 'smallint' })
  potential!: number;

  /** Whether the nominee may see the talent grid placement. */
  @Property({ type: 'boolean' })
  gridSharedWithNominee = false;

  @Property({ type: 'text' })
  rationale!: string;

  /** The nominee agreed that their line manager is told. */
  @Property({ type: 'boolean' })
  lineManagerNotified = false;

  @Property({ type: 'text', nullable: true })
  decisionReason?: string | null;

  /** SHA-256 of the single-use consent token sent to the nominee; the token itself is not kept here. */
  @Property({ type: 'text', nullable: true, unique: true, hidden: true })
  consentTokenHash?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  consentTokenExpiresAt?: Date | null;

  /** The consent link's hash once it was used or made void: it answers nothing, but its page can say so and name the nominator. */
  @Property({ type: 'text', nullable: true, unique: true, hidden: true })
  usedConsentTokenHash?: string | null;

  @ManyToOne(() => Enrolment, { nullable: true, deleteRule: 'set null' })
  enrolment?: Enrolment | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
