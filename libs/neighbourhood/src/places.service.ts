import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Place } from '@slp/directory';
import { AccessScope, AuditService, ConflictError, InvalidInputError, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, NotFoundError } from '@slp/platform';
import type { Component } from './components';
import { NeighbourhoodPlace, PlaceCoach } from './entities';
import { loadProgrammePlace, pgArray, PlaceAccess, readablePlace } from './place-access';

export type Maturity = Partial<Record<Component, number>>;

export interface PlaceView {
  readonly placeId: string;
  readonly name: string;
  readonly systemId: string;
  readonly systemName: string;
  readonly regionCode: string;
  readonly regionName: string;
  readonly wave: number;
  readonly joinedOn: string;
  readonly population: number;
  readonly demo: boolean;
  readonly coachPersonIds: string[];
  /** Each component's level in the latest assessment that rated it. */
  readonly latestMaturity: Maturity;
}

export interface JoinInput {
  readonly placeId: string;
  readonly wave: number;
  readonly joinedOn: string;
  readonly population: number;
  readonly coachPersonIds?: readonly string[];
}

export interface PlaceListFilter {
  readonly wave?: number;
  readonly systemId?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

interface PlaceRow {
  place_id: string;
  name: string;
  system_id: string;
  system_name: string;
  region_code: string;
  region_name: string;
  wave: number;
  joined_on: string;
  population: number;
  demo: boolean;
  coaches: string[] | null;
}

const PLACE_SELECT = `select np.place_id, p.name, p.system_id, s.name as system_name, r.code as region_code, r.name as region_name,
       np.wave, to_char(np.joined_on, 'YYYY-MM-DD') as joined_on, np.population, np.demo,
       (select array_agg(c.person_id::text order by c.person_id) from nh_place_coach c where c.place_id = np.place_id) as coaches
  from nh_place np join place p on p.id = np.place_id join system s on s.id = p.system_id join region r on r.code = s.region_code`;

/** Each given Place's latest level per component (one parameter: a uuid array literal). */
export const LATEST_MATURITY_SQL = `select distinct on (a.place_id, ac.component) a.place_id, ac.component, ac.level
  from nh_assessment a join nh_assessment_component ac on ac.assessment_id = a.id
 where a.place_id = any(?::uuid[])
 order by a.place_id, ac.component, a.assessed_on desc, a.created_at desc`;

/** Places taking part in the programme: joining a wave, coaches, and the Place view every page starts from. */
@Injectable()
export class NeighbourhoodPlacesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  /** The programme Places `scope` may read, by name (keyset pages: `nextCursor` is the last name and id). */
  async list(scope: AccessScope, filter: PlaceListFilter): Promise<{ items: PlaceView[]; nextCursor: string | null }> {
    const limit = Math.min(filter.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const visible = PlaceAccess.visibleWhere(scope);
    const conditions = [visible.sql];
    const params: unknown[] = [...visible.params];
    if (filter.wave !== undefined) {
      conditions.push('np.wave = ?');
      params.push(filter.wave);
    }
    if (filter.systemId) {
      conditions.push('p.system_id = ?');
      params.push(filter.systemId);
    }
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      conditions.push('(lower(p.name::text), np.place_id) > (lower(?), ?::uuid)');
      params.push(after[0], after[1]);
    }
    const rows = await this.em.execute<PlaceRow[]>(`${PLACE_SELECT} where ${conditions.join(' and ')} order by lower(p.name::text), np.place_id limit ?`, [...params, limit + 1]);
    const page = rows.slice(0, limit);
    const maturity = await this.latestMaturity(page.map((r) => r.place_id));
    const items = page.map((row) => toView(row, maturity.get(row.place_id) ?? {}));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.name, last.place_id]) : null };
  }

  async get(scope: AccessScope, placeId: string): Promise<PlaceView> {
    await readablePlace(this.em, scope, placeId);
    return this.view(this.em, placeId);
  }

  /** National admins bring a directory Place into a wave. */
  async join(scope: AccessScope, input: JoinInput): Promise<PlaceView> {
    scope.assertNationalAdmin('bring a Place into the programme');
    return this.em.transactional(async (em) => {
      const place = await em.findOne(Place, { id: input.placeId });
      if (!place) throw new InvalidInputError(`There is no Place ${input.placeId} in the directory.`, [{ field: 'placeId', message: 'placeId must be a Place of the directory' }]);
      if (await em.count(NeighbourhoodPlace, { placeId: input.placeId })) throw new ConflictError(`${place.name} is already in the programme.`);
      const coaches = await this.assertCoaches(em, input.coachPersonIds ?? []);
      const now = new Date();
      em.create(NeighbourhoodPlace, { placeId: place.id, wave: input.wave, joinedOn: input.joinedOn, population: input.population, demo: false, createdAt: now, updatedAt: now });
      // The directory shows the Place's wave too.
      place.wave = input.wave;
      await em.flush();
      for (const personId of coaches) em.create(PlaceCoach, { placeId: place.id, person: personId, assignedAt: now });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'neighbourhood_place.join', objectType: 'place', objectId: place.id, details: { wave: input.wave, coaches: coaches.length } });
      await em.flush();
      return this.view(em, place.id);
    });
  }

  /** National admins set who coaches a Place (the whole list; an empty list removes them all). */
  async setCoaches(scope: AccessScope, placeId: string, personIds: readonly string[]): Promise<PlaceView> {
    return this.em.transactional(async (em) => {
      const place = await loadProgrammePlace(em, placeId, true);
      if (!place || !PlaceAccess.canRead(scope, place)) throw NotFoundError.of('neighbourhood Place', placeId);
      scope.assertNationalAdmin("assign a Place's coaches");
      const wanted = await this.assertCoaches(em, personIds);
      const added = wanted.filter((id) => !place.coachPersonIds.includes(id));
      const removed = place.coachPersonIds.filter((id) => !wanted.includes(id));
      if (removed.length) await em.execute(`delete from nh_place_coach where place_id = ? and person_id = any(?::uuid[])`, [placeId, pgArray(removed)]);
      const now = new Date();
      for (const personId of added) em.create(PlaceCoach, { placeId, person: personId, assignedAt: now });
      if (added.length || removed.length) {
        this.audit.record(em, { actorAccountId: scope.accountId, action: 'neighbourhood_place.coaches', objectType: 'place', objectId: placeId, details: { added, removed } });
      }
      await em.flush();
      return this.view(em, placeId);
    });
  }

  /** Each Place's latest level per component (the latest assessment that rated that component). */
  async latestMaturity(placeIds: readonly string[], em: EntityManager = this.em): Promise<Map<string, Maturity>> {
    const result = new Map<string, Maturity>();
    if (!placeIds.length) return result;
    const rows = await em.execute<{ place_id: string; component: Component; level: number }[]>(LATEST_MATURITY_SQL, [pgArray(placeIds)]);
    for (const row of rows) {
      const maturity = result.get(row.place_id) ?? {};
      maturity[row.component] = row.level;
      result.set(row.place_id, maturity);
    }
    return result;
  }

  private async view(em: EntityManager, placeId: string): Promise<PlaceView> {
    const rows = await em.execute<PlaceRow[]>(`${PLACE_SELECT} where np.place_id = ?`, [placeId]);
    if (!rows[0]) throw NotFoundError.of('neighbourhood Place', placeId);
    return toView(rows[0], (await this.latestMaturity([placeId], em)).get(placeId) ?? {});
  }

  /** Every id must be a person with an active account holding the `coach` role (400 otherwise); duplicates collapse. */
  private async assertCoaches(em: EntityManager, personIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(personIds)];
    if (!unique.length) return [];
    const rows = await em.execute<{ person_id: string }[]>(
      `select a.person_id from account a join person p on p.id = a.person_id
        where a.person_id = any(?::uuid[]) and a.status = 'active' and 'coach' = any(a.roles) and p.erased_at is null`,
      [pgArray(unique)],
    );
    const coaches = new Set(rows.map((r) => r.person_id));
    const missing = unique.filter((id) => !coaches.has(id));
    if (missing.length) throw new InvalidInputError(`${missing.length === 1 ? 'One person is' : `${missing.length} people are`} not an Improvement Coach (an active account with the coach role).`, [{ field: 'coachPersonIds', message: 'coachPersonIds must be people whose accounts have the coach role' }]);
    return unique;
  }
}

function toView(row: PlaceRow, maturity: Maturity): PlaceView {
  return {
    placeId: row.place_id,
    name: row.name,
    systemId: row.system_id,
    systemName: row.system_name,
    regionCode: row.region_code,
    regionName: row.region_name,
    wave: row.wave,
    joinedOn: row.joined_on,
    population: row.population,
    demo: row.demo,
    coachPersonIds: row.coaches ?? [],
    latestMaturity: maturity,
  };
}

function encodeCursor(key: [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string' && /^[0-9a-f-]{36}$/i.test(key[1])) return [key[0], key[1]];
  } catch {
    // fall through
  }
  throw new InvalidInputError('The cursor is not one this list gave out.', [{ field: 'cursor', message: 'cursor must be a nextCursor from this list' }]);
}
