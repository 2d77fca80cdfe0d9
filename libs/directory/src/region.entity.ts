import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One of NHS England's seven regions, keyed by its ODS code (e.g. Y62 North West). */
@Entity({ tableName: 'region' })
export class Region {
  @PrimaryKey({ type: 'text' })
  code!: string;

  @Property({ type: 'text', unique: true })
  name!: string;
}
