import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { System } from '@slp/directory';
import { newId } from '@slp/platform';

/** A system's pool of people being grown for a purpose, e.g. "aspiring directors". */
@Entity({ tableName: 'talent_pool' })
@Unique({ properties: ['system', 'name'] })
export class TalentPool {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => System, { deleteRule: 'restrict' })
  system!: System;

  @Property({ columnType: 'citext', type: 'string' })
  name!: string;

  @Property({ type: 'text' })
  purpose: string = '';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
