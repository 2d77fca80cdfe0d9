import { Entity, OneToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId, Role } from '@slp/platform';
import { Person } from './person.entity';

export type AccountStatus = 'active' | 'disabled';

/** A person's sign-in: roles, and for staff the systems they work for. */
@Entity({ tableName: 'account' })
export class Account {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @OneToOne(() => Person, { owner: true, unique: true, deleteRule: 'cascade' })
  person!: Person;

  /** argon2id hash; null until the account holder sets a password. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash?: string | null;

  @Property({ type: 'text[]' })
  roles: Role[] = ['participant'];

  /** Systems a staff account works for; an admin with none is a national admin. */
  @Property({ type: 'uuid[]' })
  systemIds: string[] = [];

  @Property({ type: 'text' })
  status: AccountStatus = 'active';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastLoginAt?: Date | null;

  /**
   * When the holder proved they own the person's email address (the verification link, an
   * invitation, or an admin creating the account). Null: self-registered and not yet proved, so
   * nothing may be attached to the account on the strength of that address.
   */
  @Property({ type: 'timestamptz', nullable: true })
  emailVerifiedAt?: Date | null;
}
