import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Person } from '@slp/identity';
import { Programme } from '@slp/learning';
import { newId } from '@slp/platform';
import { Nomination } from './nomination.entity';
import { TalentPool } from './talent-pool.entity';

/** A person's place in a programme or a talent pool, from an accepted nomination. */
@Entity({ tableName: 'talent_membership' })
export class Membership {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Person, { deleteRule: 'cascade' })
  person!: Person;

  @ManyToOne(() => Programme, { nullable: true, deleteRule: 'cascade' })
  programme?: Programme | null;

  @ManyToOne(() => TalentPool, { nullable: true, deleteRule: 'cascade' })
  talentPool?: TalentPool | null;

  @ManyToOne(() => Nomination, { nullable: true, deleteRule: 'set null' })
  nomination?: Nomination | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
