import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ConflictError, findPage, InvalidInputError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Organisation, OrganisationType } from './organisation.entity';
import { Place } from './place.entity';
import { System } from './system.entity';

export interface CreateOrganisationInput {
  readonly name: string;
  readonly odsCode: string;
  readonly type: OrganisationType;
  readonly systemId: string;
  readonly placeId?: string | null;
}

export interface OrganisationFilter {
  readonly systemId?: string;
  readonly placeId?: string;
  readonly type?: OrganisationType;
  /** Closed organisations are left out unless asked for (they stay for history, not for picking). */
  readonly includeClosed?: boolean;
}

/** Open on `today` (YYYY-MM-DD): never closed, or closing later. */
export function openOn(today: string): FilterQuery<{ closedOn?: string | null }> {
  return { $or: [{ closedOn: null }, { closedOn: { $gt: today } }] };
}

/** Today's date in England, as a closure date is. */
export function londonToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async list(scope: AccessScope, filter: OrganisationFilter, page: PageRequest): Promise<Page<Organisation>> {
    const where: FilterQuery<Organisation> = {};
    const systems = scope.directorySystems;
    if (filter.systemId) {
      if (!scope.canReadDirectoryOf(filter.systemId)) throw NotFoundError.of('system', filter.systemId);
      where.system = filter.systemId;
    } else if (systems !== 'all') {
      where.system = { $in: [...systems] };
    }
    if (filter.placeId) where.place = filter.placeId;
    if (filter.type) where.type = filter.type;
    if (!filter.includeClosed) Object.assign(where, openOn(londonToday()));
    return findPage(this.em, Organisation, where, { name: 'asc', id: 'asc' }, page);
  }

  /**
   * Open organisations whose name or ODS code contains `text`, by name: reference data anyone may
   * read, so someone registering can find their employer (at most `limit`, and none for an empty search).
   */
  async search(text: string, limit = 20): Promise<Organisation[]> {
    const term = text.trim().slice(0, 100);
    if (!term) return [];
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.em.find(Organisation, { $and: [{ $or: [{ name: { $ilike: pattern } }, { odsCode: { $ilike: pattern } }] }, openOn(londonToday()) as FilterQuery<Organisation>] }, { orderBy: { name: 'asc', id: 'asc' }, limit, populate: ['system'] });
  }

  async get(scope: AccessScope, id: string): Promise<Organisation> {
    const organisation = await this.em.findOne(Organisation, { id });
    if (!organisation || !scope.canReadDirectoryOf(organisation.system.id)) throw NotFoundError.of('organisation', id);
    return organisation;
  }

  async create(scope: AccessScope, input: CreateOrganisationInput): Promise<Organisation> {
    return this.em.transactional(async (em) => {
      const system = await em.findOne(System, { id: input.systemId });
      if (!system || !scope.canReadDirectoryOf(system.id)) {
        throw new InvalidInputError(`There is no system ${input.systemId} visible to you.`, [{ field: 'systemId', message: 'systemId must be a system you can see' }]);
      }
      scope.assertCanManageSystem(system.id);
      let place: Place | null = null;
      if (input.placeId) {
        place = await em.findOne(Place, { id: input.placeId, system });
        if (!place) throw new InvalidInputError(`Place ${input.placeId} is not in ${system.name}.`, [{ field: 'placeId', message: 'placeId must be a Place of the same system' }]);
      }
      const odsCode = input.odsCode.toUpperCase();
      if (await em.count(Organisation, { odsCode })) throw new ConflictError(`An organisation with ODS code ${odsCode} already exists.`);
      const organisation = em.create(Organisation, { name: input.name, odsCode, type: input.type, system, place, createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'organisation.create', objectType: 'organisation', objectId: organisation.id, details: { systemId: system.id } });
      return organisation;
    });
  }
}
