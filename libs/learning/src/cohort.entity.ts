import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import type { CohortStatus } from './cohort-status';
import { Programme } from './programme.entity';

/**
 * A cohort of a programme. `seatsTaken` is kept by the enrolment service under a row lock on
 * this cohort, and the database checks `0 <= seats_taken <= capacity`, so no interleaving of
 * requests, processes or replicas can oversubscribe it.
 */
@Entity({ tableName: 'cohort' })
export class Cohort {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Programme, { deleteRule: 'restrict' })
  programme!: Programme;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'integer' })
  capacity!: number;

  /** Enrolled and offered places (an offer holds its seat until answered). */
  @Property({ type: 'integer' })
  seatsTaken = 0;

  /** Last waitlist ticket handed out; tickets give arrival order and are never reused. */
  @Property({ type: 'integer' })
  waitlistTickets = 0;

  @Property({ type: 'timestamptz' })
  enrolmentOpensAt!: Date;

  @Property({ type: 'timestamptz' })
  enrolmentClosesAt!: Date;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Property({ type: 'text' })
  status: CohortStatus = 'draft';

  @Property({ type: 'boolean' })
  requiresApproval = false;

  @Property({ type: 'boolean' })
  waitlistEnabled = true;

  /** 0: a freed seat goes straight to the next waitlisted person; otherwise they have this long to accept it. */
  @Property({ type: 'integer' })
  offerWindowHours = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
