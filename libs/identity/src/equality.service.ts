import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService } from '@slp/platform';
import { EqualityMonitoring } from './equality-monitoring.entity';
import { Person } from './person.entity';

export interface EqualityInput {
  readonly ethnicity?: string | null;
  readonly sex?: string | null;
  readonly disability?: string | null;
  readonly sexualOrientation?: string | null;
  readonly religion?: string | null;
  readonly ageBand?: string | null;
}

/** A person's own equality monitoring. Only ever read back by its owner; the audit log records that it changed, never what. */
@Injectable()
export class EqualityService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  own(scope: AccessScope): Promise<EqualityMonitoring | null> {
    return this.em.findOne(EqualityMonitoring, { person: scope.personId });
  }

  async put(scope: AccessScope, input: EqualityInput): Promise<EqualityMonitoring> {
    return this.em.transactional(async (em) => {
      const values = {
        ethnicity: input.ethnicity ?? null,
        sex: input.sex ?? null,
        disability: input.disability ?? null,
        sexualOrientation: input.sexualOrientation ?? null,
        religion: input.religion ?? null,
        ageBand: input.ageBand ?? null,
      };
      let record = await em.findOne(EqualityMonitoring, { person: scope.personId });
      if (record) em.assign(record, values);
      else record = em.create(EqualityMonitoring, { person: em.getReference(Person, scope.personId), consentedAt: new Date(), updatedAt: new Date(), ...values });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'equality_monitoring.put', objectType: 'person', objectId: scope.personId });
      return record;
    });
  }

  async remove(scope: AccessScope): Promise<void> {
    await this.em.transactional(async (em) => {
      const deleted = await em.nativeDelete(EqualityMonitoring, { person: scope.personId });
      if (deleted) this.audit.record(em, { actorAccountId: scope.accountId, action: 'equality_monitoring.delete', objectType: 'person', objectId: scope.personId });
    });
  }
}
