import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, DataSubject, erasedEmailFor, NotFoundError, PersonalDataRegistry } from '@slp/platform';
import { assertCanErase } from './data-rights-access';
import { DataSubjectRepository } from './data-subject.repository';

export interface ErasureResult {
  readonly erasedAt: Date;
  /** False when the person had been erased already (nothing changed, nothing audited). */
  readonly erasedNow: boolean;
}

/**
 * Erasure (UK GDPR article 17): every personal-data area, in its phase order, in one transaction
 * under the person's row lock. The person stays as an anonymous row, so report counts stay as
 * they were. Idempotent: a second erasure answers with the first one's time. The pipeline summary
 * reports read is brought up to date by the same transaction (its triggers), so it never holds the
 * deleted equality monitoring after the erasure commits.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: PersonalDataRegistry,
    private readonly subjects: DataSubjectRepository,
    private readonly audit: AuditService,
  ) {}

  /** A national admin erases a person, giving a reason (kept in the audit log, without the person's name or email). */
  async erase(scope: AccessScope, personId: string, reason: string): Promise<ErasureResult> {
    return this.em.transactional(async (em) => {
      const record = await this.subjects.find(em, personId, true);
      assertCanErase(scope, record, personId);
      return this.eraseLocked(em, record.subject, record.erasedAt, scope.accountId, reason);
    });
  }

  /** The retention job's erasure (no actor). */
  async eraseForRetention(personId: string, reason: string): Promise<ErasureResult> {
    return this.em.fork().transactional(async (em) => {
      const record = await this.subjects.find(em, personId, true);
      if (!record) throw NotFoundError.of('person', personId);
      return this.eraseLocked(em, record.subject, record.erasedAt, null, reason);
    });
  }

  private async eraseLocked(em: EntityManager, subject: DataSubject, erasedAt: Date | null, actorAccountId: string | null, reason: string): Promise<ErasureResult> {
    if (erasedAt) return { erasedAt, erasedNow: false };
    const at = new Date();
    const erasure = { subject, actorAccountId, at, erasedEmail: erasedEmailFor(subject.personId) };
    const effects: Record<string, Record<string, number>> = {};
    for (const area of this.registry.areas) effects[area.name] = await area.erase(em, erasure);
    this.audit.record(em, { actorAccountId, action: 'person.erase', objectType: 'person', objectId: subject.personId, details: { reason: withoutIdentifiers(reason, subject), effects } });
    return { erasedAt: at, erasedNow: true };
  }
}

/** The reason with the person's email and names taken out: the audit log never holds personal data. */
export function withoutIdentifiers(reason: string, subject: Pick<DataSubject, 'email' | 'givenName' | 'familyName'>): string {
  const words = [subject.email, `${subject.givenName} ${subject.familyName}`, subject.givenName, subject.familyName].filter((word) => word.trim().length > 0);
  return words.reduce((text, word) => text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu'), '[the person]'), reason);
}
