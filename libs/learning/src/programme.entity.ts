import { BigIntType } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { System } from '@slp/directory';
import type { Grade, StaffGroup } from '@slp/identity';
import { newId } from '@slp/platform';

export const LEADERSHIP_LEVELS = ['foundations', 'first_line', 'mid_level', 'senior', 'executive', 'system'] as const;
export type LeadershipLevel = (typeof LEADERSHIP_LEVELS)[number];

/** A leadership programme, owned by a system or (with no system) national. */
@Entity({ tableName: 'programme' })
export class Programme {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  description: string = '';

  @Property({ type: 'text' })
  level!: LeadershipLevel;

  /** Null for a national programme. */
  @Index()
  @ManyToOne(() => System, { nullable: true, deleteRule: 'restrict' })
  system?: System | null;

  /** ESR staff groups that may join; empty means any. */
  @Property({ type: 'text[]' })
  eligibleStaffGroups: StaffGroup[] = [];

  /** Lowest Agenda for Change band that may join (bands only; see eligibility.ts). */
  @Property({ type: 'text', nullable: true })
  minGrade?: Grade | null;

  /** Highest Agenda for Change band that may join (bands only). */
  @Property({ type: 'text', nullable: true })
  maxGrade?: Grade | null;

  /** Grades that may join whatever the range says: how medical, GP, VSM and non-AfC staff become eligible. */
  @Property({ type: 'text[]' })
  eligibleGrades: Grade[] = [];

  /** Funding allocated, in pence. */
  @Property({ type: new BigIntType('number'), nullable: true })
  fundingPence?: number | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
