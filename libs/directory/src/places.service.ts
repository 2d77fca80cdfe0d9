import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ConflictError, findPage, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Place } from './place.entity';
import { System } from './system.entity';

export interface CreatePlaceInput {
  readonly name: string;
  readonly wave?: number | null;
  readonly maturityLevel?: number | null;
}

@Injectable()
export class PlacesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async list(scope: AccessScope, systemId: string, page: PageRequest): Promise<Page<Place>> {
    if (!scope.canReadDirectoryOf(systemId) || !(await this.em.count(System, { id: systemId }))) throw NotFoundError.of('system', systemId);
    return findPage(this.em, Place, { system: systemId }, { name: 'asc', id: 'asc' }, page);
  }

  async create(scope: AccessScope, systemId: string, input: CreatePlaceInput): Promise<Place> {
    return this.em.transactional(async (em) => {
      const system = await em.findOne(System, { id: systemId });
      if (!system || !scope.canReadDirectoryOf(systemId)) throw NotFoundError.of('system', systemId);
      scope.assertCanManageSystem(systemId);
      if (await em.count(Place, { system, name: input.name })) throw new ConflictError(`${system.name} already has a Place named "${input.name}".`);
      const place = em.create(Place, { system, name: input.name, wave: input.wave ?? null, maturityLevel: input.maturityLevel ?? null, createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'place.create', objectType: 'place', objectId: place.id, details: { systemId } });
      return place;
    });
  }
}
