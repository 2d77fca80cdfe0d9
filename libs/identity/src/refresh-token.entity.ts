import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Account } from './account.entity';

/**
 * A refresh token, stored only as its SHA-256 hash. Tokens rotate: each works once, and a second
 * use of a spent token revokes its whole family (OWASP ASVS V3.5, refresh token rotation).
 */
@Entity({ tableName: 'refresh_token' })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Account, { deleteRule: 'cascade' })
  account!: Account;

  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  /** All tokens descended from one login share a family. */
  @Index()
  @Property({ type: 'uuid' })
  familyId!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  /** How the session's sign-in was authenticated (RFC 8176 `amr`), carried to every token rotated from it. */
  @Property({ type: 'text[]' })
  amr: string[] = [];

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
