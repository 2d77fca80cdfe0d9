import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One of NHS England's seven regions, keyed by its ODS code (e.g. Y62 North West). */
@Entity({ tableName: 'region' })
export class Region {
  @PrimaryKey({ type: 'text' })
  code!: string;

  /** citext: names are unique and compared case-insensitively. */
  @Property({ columnType: 'citext', type: 'string', unique: true })
  name!: string;
}
