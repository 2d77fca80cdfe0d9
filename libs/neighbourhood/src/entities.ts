import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Person } from '@slp/identity';
import { newId } from '@slp/platform';
import type { BetterWhen } from './spc';
import type { Component, IndicatorUnit, MentoringStatus } from './components';

/** A directory Place taking part in the programme: its wave, when it joined and the population it serves. */
@Entity({ tableName: 'nh_place' })
export class NeighbourhoodPlace {
  /** The directory Place (`place.id`). */
  @PrimaryKey({ type: 'uuid' })
  placeId!: string;

  @Property({ type: 'smallint' })
  wave!: number;

  @Property({ type: 'date' })
  joinedOn!: string;

  @Property({ type: 'integer' })
  population!: number;

  /** Seeded demonstration data, not a real Place's. */
  @Property({ type: 'boolean' })
  demo: boolean = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** An Improvement Coach (a person whose account has the `coach` role) assigned to a Place. */
@Entity({ tableName: 'nh_place_coach' })
export class PlaceCoach {
  @PrimaryKey({ type: 'uuid' })
  placeId!: string;

  @ManyToOne(() => Person, { primary: true, deleteRule: 'cascade' })
  person!: Person;

  @Property({ type: 'timestamptz' })
  assignedAt: Date = new Date();
}

/** A coaching session a coach held with a Place: who came, what was discussed, what was agreed. */
@Entity({ tableName: 'nh_coaching_session' })
@Index({ properties: ['placeId', 'heldOn'] })
export class CoachingSession {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  placeId!: string;

  /** The coach who recorded it (null once they are erased). */
  @ManyToOne(() => Person, { nullable: true, deleteRule: 'set null' })
  coach?: Person | null;

  @Property({ type: 'date' })
  heldOn!: string;

  @Property({ type: 'text', nullable: true })
  component?: Component | null;

  /** Names (and roles) of the people who took part, as the coach wrote them. */
  @Property({ type: 'text[]' })
  attendees: string[] = [];

  @Property({ type: 'text' })
  summary!: string;

  @Property({ type: 'text' })
  actions: string = '';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** One maturity self-assessment of a Place, dated; every one is kept. */
@Entity({ tableName: 'nh_assessment' })
export class Assessment {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  placeId!: string;

  @Property({ type: 'date' })
  assessedOn!: string;

  @Property({ type: 'uuid', nullable: true })
  recordedByAccountId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** An assessment's level (1–4) and evidence for one component. */
@Entity({ tableName: 'nh_assessment_component' })
export class AssessmentComponent {
  @ManyToOne(() => Assessment, { primary: true, deleteRule: 'cascade' })
  assessment!: Assessment;

  @PrimaryKey({ type: 'text' })
  component!: Component;

  @Property({ type: 'smallint' })
  level!: number;

  @Property({ type: 'text' })
  evidence!: string;
}

/** An indicator of the catalogue (unit, and which way is better). */
@Entity({ tableName: 'nh_indicator' })
export class Indicator {
  @PrimaryKey({ type: 'text' })
  code!: string;

  @Property({ columnType: 'citext', type: 'string', unique: true })
  name!: string;

  @Property({ type: 'text' })
  description: string = '';

  @Property({ type: 'text' })
  unit!: IndicatorUnit;

  @Property({ type: 'text' })
  betterWhen!: BetterWhen;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A Place's monthly value of an indicator (`period` is the first of the month). */
@Entity({ tableName: 'nh_indicator_value' })
export class IndicatorValue {
  @PrimaryKey({ type: 'uuid' })
  placeId!: string;

  @PrimaryKey({ type: 'text' })
  indicatorCode!: string;

  @PrimaryKey({ type: 'date' })
  period!: string;

  @Property({ type: 'double' })
  numerator!: number;

  @Property({ type: 'double', nullable: true })
  denominator?: number | null;

  @Property({ type: 'double' })
  value!: number;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** The months a Place's limits are computed from, per indicator. */
@Entity({ tableName: 'nh_baseline' })
export class Baseline {
  @PrimaryKey({ type: 'uuid' })
  placeId!: string;

  @PrimaryKey({ type: 'text' })
  indicatorCode!: string;

  @Property({ type: 'date' })
  fromPeriod!: string;

  @Property({ type: 'date' })
  toPeriod!: string;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** A practice a Place shares with the others, with someone to contact about it. */
@Entity({ tableName: 'nh_practice' })
export class Practice {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  placeId!: string;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  summary!: string;

  @Property({ type: 'text' })
  component!: Component;

  @ManyToOne(() => Person, { nullable: true, deleteRule: 'set null' })
  contact?: Person | null;

  @Property({ type: 'uuid', nullable: true })
  createdByAccountId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A mentoring relationship: a Place further on in a component helps one earlier in it. */
@Entity({ tableName: 'nh_mentoring' })
export class Mentoring {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  menteePlaceId!: string;

  @Property({ type: 'uuid' })
  mentorPlaceId!: string;

  @Property({ type: 'text' })
  component!: Component;

  @Property({ type: 'text' })
  goal!: string;

  @Property({ type: 'text' })
  status: MentoringStatus = 'proposed';

  @Property({ type: 'text', nullable: true })
  decisionNote?: string | null;

  @Property({ type: 'text', nullable: true })
  reflection?: string | null;

  @Property({ type: 'uuid', nullable: true })
  proposedByAccountId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  decidedByAccountId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  closedByAccountId?: string | null;

  @Property({ type: 'timestamptz' })
  proposedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  closedAt?: Date | null;
}

/** A Place's story: qualitative evidence of what changed, kept to the Place or shared nationally. */
@Entity({ tableName: 'nh_story' })
export class Story {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  placeId!: string;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'text', nullable: true })
  component?: Component | null;

  @Property({ type: 'boolean' })
  sharedNationally: boolean = false;

  @ManyToOne(() => Person, { nullable: true, deleteRule: 'set null' })
  author?: Person | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

export const NEIGHBOURHOOD_ENTITIES = [Story, NeighbourhoodPlace, PlaceCoach, CoachingSession, Assessment, AssessmentComponent, Indicator, IndicatorValue, Baseline, Practice, Mentoring];
