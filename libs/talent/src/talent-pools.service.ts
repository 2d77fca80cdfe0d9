import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { System } from '@slp/directory';
import { ProgrammeAccess } from '@slp/learning';
import { AccessScope, AuditService, ConflictError, findPage, ForbiddenError, InvalidInputError, isUniqueViolation, NotFoundError, Page, PageRequest } from '@slp/platform';
import { TalentPool } from './talent-pool.entity';

export interface CreateTalentPoolInput {
  readonly systemId: string;
  readonly name: string;
  readonly purpose?: string;
}

/** Talent pools are run by the leads and admins of their system. */
@Injectable()
export class TalentPoolsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  list(scope: AccessScope, filter: { systemId?: string }, page: PageRequest): Promise<Page<TalentPool>> {
    const systems = scope.staffSystems;
    const where: FilterQuery<TalentPool> = systems === 'all' ? {} : { system: { $in: [...systems] } };
    if (filter.systemId) {
      if (!scope.canSeeStaffDataOf(filter.systemId)) throw NotFoundError.of('system', filter.systemId);
      where.system = filter.systemId;
    }
    return findPage(this.em, TalentPool, where, { name: 'asc', id: 'asc' }, page);
  }

  async get(scope: AccessScope, id: string): Promise<TalentPool> {
    const pool = await this.em.findOne(TalentPool, { id });
    if (!pool || !scope.canSeeStaffDataOf(pool.system.id)) throw NotFoundError.of('talent pool', id);
    return pool;
  }

  async create(scope: AccessScope, input: CreateTalentPoolInput): Promise<TalentPool> {
    if (!ProgrammeAccess.canManage(scope, input.systemId)) throw new ForbiddenError('Only leads and admins of a system can create its talent pools.');
    return this.em.transactional(async (em) => {
      const system = await em.findOne(System, { id: input.systemId });
      if (!system) throw new InvalidInputError(`There is no system ${input.systemId}.`, [{ field: 'systemId', message: 'systemId must be an existing system' }]);
      if (await em.count(TalentPool, { system, name: input.name })) throw new ConflictError(`${system.name} already has a talent pool named "${input.name}".`);
      const pool = em.create(TalentPool, { system, name: input.name, purpose: input.purpose ?? '', createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'talent_pool.create', objectType: 'talent_pool', objectId: pool.id, details: { systemId: system.id } });
      try {
        await em.flush();
      } catch (error) {
        // Two requests racing past the check meet the unique constraint: the same 409.
        if (isUniqueViolation(error, 'talent_pool_system_id_name_unique')) throw new ConflictError(`${system.name} already has a talent pool named "${input.name}".`);
        throw error;
      }
      return pool;
    });
  }
}
