import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Person } from '@slp/identity';
import { newId } from '@slp/platform';
import { Cohort } from './cohort.entity';

export const ENROLMENT_STATUSES = ['pending_approval', 'enrolled', 'waitlisted', 'offered', 'withdrawn', 'declined', 'rejected', 'completed', 'not_completed'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/** A person can hold at most one of these per cohort (a partial unique index enforces it). */
export const ACTIVE_ENROLMENT_STATUSES: readonly EnrolmentStatus[] = ['pending_approval', 'enrolled', 'waitlisted', 'offered'];
/** Which statuses hold a seat is the seat policy's (seat-policy.ts). */

export type EnrolmentSource = 'self' | 'lead' | 'nomination';

@Entity({ tableName: 'enrolment' })
@Index({ properties: ['cohort', 'status'] })
export class Enrolment {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Cohort, { deleteRule: 'cascade' })
  cohort!: Cohort;

  @Index()
  @ManyToOne(() => Person, { deleteRule: 'cascade' })
  person!: Person;

  @Property({ type: 'text' })
  status!: EnrolmentStatus;

  @Property({ type: 'text' })
  source: EnrolmentSource = 'self';

  /** Waitlist ticket: arrival order on the waitlist (position = rank among those still waiting). */
  @Property({ type: 'integer', nullable: true })
  waitlistTicket?: number | null;

  @Property({ type: 'timestamptz', nullable: true })
  offerExpiresAt?: Date | null;

  /** Why an enrolment ended: e.g. `offer_expired`, `cohort_cancelled`, or a rejection reason. */
  @Property({ type: 'text', nullable: true })
  endReason?: string | null;

  @Property({ type: 'uuid', nullable: true })
  decidedByAccountId?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  enrolledAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  endedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
