import { Entity, OneToOne, Property } from '@mikro-orm/decorators/legacy';
import { Person } from './person.entity';

/** NHS Data Dictionary ethnic category codes; Z is "not stated". */
export const ETHNIC_CATEGORIES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z', 'prefer_not_to_say'] as const;
export const SEXES = ['female', 'male', 'prefer_not_to_say'] as const;
export const DISABILITY = ['yes', 'no', 'prefer_not_to_say'] as const;
export const SEXUAL_ORIENTATIONS = ['heterosexual', 'gay_or_lesbian', 'bisexual', 'other', 'prefer_not_to_say'] as const;
export const RELIGIONS = ['no_religion', 'buddhist', 'christian', 'hindu', 'jewish', 'muslim', 'sikh', 'other', 'prefer_not_to_say'] as const;
export const AGE_BANDS = ['under_25', '25_34', '35_44', '45_54', '55_64', '65_plus', 'prefer_not_to_say'] as const;

/**
 * A person's own equality monitoring (Equality Act 2010 protected characteristics). Optional and
 * consented; read back only by its owner and, aggregated with small numbers suppressed, by reports.
 */
@Entity({ tableName: 'equality_monitoring' })
export class EqualityMonitoring {
  @OneToOne(() => Person, { primary: true, owner: true, deleteRule: 'cascade', fieldName: 'person_id' })
  person!: Person;

  @Property({ type: 'timestamptz' })
  consentedAt!: Date;

  @Property({ type: 'text', nullable: true })
  ethnicity?: string | null;

  @Property({ type: 'text', nullable: true })
  sex?: string | null;

  @Property({ type: 'text', nullable: true })
  disability?: string | null;

  @Property({ type: 'text', nullable: true })
  sexualOrientation?: string | null;

  @Property({ type: 'text', nullable: true })
  religion?: string | null;

  @Property({ type: 'text', nullable: true })
  ageBand?: string | null;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
