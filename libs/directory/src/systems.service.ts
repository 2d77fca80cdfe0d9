import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { londonToday, openOn } from './organisations.service';
import { AccessScope, AuditService, ConflictError, findPage, InvalidInputError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Region } from './region.entity';
import { System, SystemKind } from './system.entity';

export interface CreateSystemInput {
  readonly name: string;
  readonly odsCode: string;
  readonly kind: SystemKind;
  /** Region ODS code (Y62) or name (North West). */
  readonly region: string;
  readonly population?: number;
}

@Injectable()
export class SystemsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  /** Closed systems (an ICB that merged away) are left out unless `includeClosed`. */
  list(scope: AccessScope, page: PageRequest, includeClosed = false): Promise<Page<System>> {
    const systems = scope.directorySystems;
    const where: FilterQuery<System> = systems === 'all' ? {} : { id: { $in: [...systems] } };
    if (!includeClosed) Object.assign(where, openOn(londonToday()));
    return findPage(this.em, System, where, { name: 'asc', id: 'asc' }, page, ['region']);
  }

  async get(scope: AccessScope, id: string): Promise<System> {
    const system = await this.em.findOne(System, { id }, { populate: ['region'] });
    if (!system || !scope.canReadDirectoryOf(system.id)) throw NotFoundError.of('system', id);
    return system;
  }

  listRegions(): Promise<Region[]> {
    return this.em.find(Region, {}, { orderBy: { name: 'asc' } });
  }

  async create(scope: AccessScope, input: CreateSystemInput): Promise<System> {
    scope.assertNationalAdmin('add a system');
    return this.em.transactional(async (em) => {
      const region = await em.findOne(Region, { $or: [{ code: input.region.toUpperCase() }, { name: input.region }] });
      if (!region) throw new InvalidInputError(`There is no NHS England region "${input.region}".`, [{ field: 'region', message: 'region must be an NHS England region code or name' }]);
      const clash = await em.findOne(System, { $or: [{ name: input.name }, { odsCode: input.odsCode.toUpperCase() }] });
      if (clash) throw new ConflictError(clash.odsCode === input.odsCode.toUpperCase() ? `A system with ODS code ${clash.odsCode} already exists.` : `A system named "${clash.name}" already exists.`);
      const system = em.create(System, { name: input.name, odsCode: input.odsCode.toUpperCase(), kind: input.kind, region, population: input.population ?? null, createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'system.create', objectType: 'system', objectId: system.id });
      return system;
    });
  }
}
