import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Account } from '../account.entity';

/** An identity at an OpenID Provider (issuer + subject) that signs in as one account. */
@Entity({ tableName: 'identity_link' })
@Unique({ properties: ['issuer', 'subject'] })
export class IdentityLink {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Account, { deleteRule: 'cascade' })
  account!: Account;

  /** The configured provider's name (OIDC_PROVIDERS) when the link was made. */
  @Property({ type: 'text' })
  provider!: string;

  @Property({ type: 'text' })
  issuer!: string;

  /** `sub`, or for Entra ID the object id (`oid`), stable across the tenant's applications. */
  @Property({ type: 'text' })
  subject!: string;

  /** Entra ID's tenant (`tid`); null for other providers. */
  @Property({ type: 'text', nullable: true })
  tenant?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  lastUsedAt: Date = new Date();
}
