import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlStatement } from '../database/sql-statement';

/** The person an export or erasure is about, as they were before anything changed. */
export interface DataSubject {
  readonly personId: string;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  /** Their account, if they have one. */
  readonly accountId: string | null;
}

/** An object of the subject's (an enrolment, a nomination …): audit entries about it are about them. */
export interface OwnedObject {
  readonly type: string;
  readonly id: string;
}

export interface ExportRequest {
  readonly subject: DataSubject;
  /** Every object the areas said the subject owns, for areas that report on objects (the audit log). */
  readonly owned: readonly OwnedObject[];
}

export interface Erasure {
  readonly subject: DataSubject;
  /** Null when the retention job erases. */
  readonly actorAccountId: string | null;
  readonly at: Date;
  /** What replaces the person's email wherever it was. Unique per person, and never deliverable (RFC 2606 `.invalid`). */
  readonly erasedEmail: string;
}

/** The words that replace a person's name. */
export const ERASED_NAME = 'Erased';

export function erasedEmailFor(personId: string): string {
  return `erased-${personId}@erased.invalid`;
}

/**
 * What one bounded context holds about a person, and how it is exported and erased (UK GDPR
 * articles 15 and 17). Each context registers its own with {@link RegisterPersonalData}; the
 * registry refuses duplicates, and a test fails when an entity with personal data is in no area.
 */
export interface PersonalDataArea {
  /** Stable name: the export's file is `<name>.json`. */
  readonly name: string;
  /** One or two plain sentences for the export's README.txt: what the file holds. */
  readonly summary: string;
  /** What erasure does here, in plain words (for the README and the retention preview). */
  readonly onErasure: string;
  /** The entities whose personal data this area exports and erases. */
  readonly entities: readonly Function[];
  /**
   * Areas erase in ascending phase: the flows that move other people (a withdrawal promotes the
   * waiting list and emails them) run before identity removes the account, and the outbox is
   * cleaned last, after everything that could still have written an email to the person.
   */
  readonly erasePhase: number;
  /** Objects of the subject's this area holds, so audit entries about them can be exported. */
  ownedObjects?(em: EntityManager, subject: DataSubject): Promise<readonly OwnedObject[]>;
  /** Plain JSON: ids, dates, codes and the person's own text; never secrets, token hashes or other people's data. */
  export(em: EntityManager, request: ExportRequest): Promise<unknown>;
  /** Runs in the erasure's transaction; returns counts of what changed (numbers only: they go to the audit log). */
  erase(em: EntityManager, erasure: Erasure): Promise<Record<string, number>>;
  /**
   * People active at or after the cutoff by this area's records: a query selecting `person_id`,
   * whose `?` parameters are all the cutoff. The retention job erases only people no area calls active.
   */
  recentActivity?(cutoff: Date): SqlStatement;
}

/** Marks a provider as a {@link PersonalDataArea}; the {@link PersonalDataRegistry} finds it at start-up. */
export const RegisterPersonalData = DiscoveryService.createDecorator<void>();
