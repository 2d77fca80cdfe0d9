import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Organisation } from '@slp/directory';
import { Person } from '@slp/identity';
import { newId } from '@slp/platform';

/** An outcome of the pipeline: a person appointed to a post. */
@Entity({ tableName: 'appointment' })
export class Appointment {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Person, { deleteRule: 'cascade' })
  person!: Person;

  @Property({ type: 'text' })
  post!: string;

  @ManyToOne(() => Organisation, { deleteRule: 'restrict' })
  organisation!: Organisation;

  @Property({ type: 'date' })
  appointedOn!: string;

  @Property({ type: 'uuid' })
  recordedByAccountId!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
