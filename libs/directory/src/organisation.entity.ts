import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Place } from './place.entity';
import { System } from './system.entity';

export const ORGANISATION_TYPES = [
  'acute_trust',
  'mental_health_trust',
  'community_trust',
  'ambulance_trust',
  'gp_practice',
  'primary_care_network',
  'local_authority',
  'icb',
  'social_care',
  'vcse',
  'hospice',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

@Entity({ tableName: 'organisation' })
export class Organisation {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', unique: true })
  odsCode!: string;

  @Property({ type: 'text' })
  type!: OrganisationType;

  @Index()
  @ManyToOne(() => System, { deleteRule: 'restrict' })
  system!: System;

  @ManyToOne(() => Place, { nullable: true, deleteRule: 'set null' })
  place?: Place | null;

  /** The ODS close date (YYYY-MM-DD): a closed organisation is kept, but hidden from lists and pickers. */
  @Property({ type: 'date', nullable: true })
  closedOn?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
