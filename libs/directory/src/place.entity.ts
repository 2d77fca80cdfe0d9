import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { System } from './system.entity';

/** A Place within a system (usually a local authority footprint), where neighbourhood health is organised. */
@Entity({ tableName: 'place' })
@Unique({ properties: ['system', 'name'] })
export class Place {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => System, { deleteRule: 'restrict' })
  system!: System;

  /** citext: names are unique and compared case-insensitively. */
  @Property({ columnType: 'citext', type: 'string' })
  name!: string;

  /** Neighbourhood Health Implementation Programme wave, when the Place is in one. */
  @Property({ type: 'smallint', nullable: true })
  wave?: number | null;

  /** Self-assessed maturity of integrated working, 1 (emerging) to 4 (thriving). */
  @Property({ type: 'smallint', nullable: true })
  maturityLevel?: number | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
