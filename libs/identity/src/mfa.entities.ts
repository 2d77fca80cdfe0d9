import { BigIntType } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, OneToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { newId } from '@slp/platform';
import { Account } from './account.entity';

/**
 * An account's TOTP authenticator (RFC 6238). The secret is encrypted at rest (AES-256-GCM, see
 * SecretBox); `confirmedAt` is null while set-up waits for the first code. `lastUsedStep` is the
 * 30-second time step of the last code accepted: a code for that step or an earlier one is refused,
 * so each code works once.
 */
@Entity({ tableName: 'account_mfa' })
export class AccountMfa {
  @OneToOne(() => Account, { primary: true, owner: true, deleteRule: 'cascade', fieldName: 'account_id' })
  account!: Account;

  @Property({ type: 'text', hidden: true })
  totpSecret!: string;

  @Property({ type: 'timestamptz', nullable: true })
  confirmedAt?: Date | null;

  @Property({ type: new BigIntType('number'), nullable: true })
  lastUsedStep?: number | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/**
 * A single-use recovery code, stored only as its SHA-256 hash. Each code carries 80 random bits,
 * so a fast hash is enough (nobody can search 2^80 candidates offline) and a code is found by its
 * hash with one index lookup, where a slow password hash would have to be tried against all ten.
 */
@Entity({ tableName: 'mfa_recovery_code' })
export class MfaRecoveryCode {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Account, { deleteRule: 'cascade' })
  account!: Account;

  @Property({ type: 'text', unique: true, hidden: true })
  codeHash!: string;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A single-use, 60-minute password-reset link, stored only as its token's SHA-256 hash. */
@Entity({ tableName: 'password_reset' })
export class PasswordReset {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Index()
  @ManyToOne(() => Account, { deleteRule: 'cascade' })
  account!: Account;

  @Property({ type: 'text', unique: true, hidden: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
