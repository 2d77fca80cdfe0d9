import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Region } from './region.entity';

export const SYSTEM_KINDS = ['ICS', 'STP'] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];

/** An Integrated Care System (or, historically, an STP footprint). */
@Entity({ tableName: 'system' })
export class System {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  /** citext: names are unique and compared case-insensitively. */
  @Property({ columnType: 'citext', type: 'string', unique: true })
  name!: string;

  /** The ICB's ODS code, e.g. QE1. */
  @Property({ type: 'text', unique: true })
  odsCode!: string;

  @Property({ type: 'text' })
  kind: SystemKind = 'ICS';

  @ManyToOne(() => Region, { fieldName: 'region_code' })
  region!: Region;

  @Property({ type: 'integer', nullable: true })
  population?: number | null;

  /** The ODS close date of the ICB (YYYY-MM-DD), e.g. after a merger: the system is kept, but hidden from lists. */
  @Property({ type: 'date', nullable: true })
  closedOn?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
