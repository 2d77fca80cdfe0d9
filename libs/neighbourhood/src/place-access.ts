import type { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, ForbiddenError, NotFoundError } from '@slp/platform';

/** A programme Place as the access rules need it. */
export interface ProgrammePlace {
  readonly placeId: string;
  readonly name: string;
  readonly systemId: string;
  readonly coachPersonIds: readonly string[];
}

/** `{a,b}`: a PostgreSQL array literal for a `?::uuid[]` or `?::text[]` parameter. */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Who may do what with a programme Place, in one place:
 * - national admins: everything;
 * - Place staff (programme leads and system admins of the Place's system): read everything about
 *   the Place, record its assessments, indicator values and practices, answer mentoring;
 * - the Place's Improvement Coaches (accounts with the `coach` role assigned to it): read it, and
 *   write coaching sessions, assessments, indicator values and practices; a coach who is not
 *   assigned sees nothing of the Place, whatever their systems;
 * - anyone else: the Place is not there (404).
 */
export const PlaceAccess = {
  isStaff(scope: AccessScope, place: Pick<ProgrammePlace, 'systemId'>): boolean {
    if (scope.isNationalAdmin) return true;
    return (scope.has('programme_lead') || scope.has('admin')) && scope.canSeeStaffDataOf(place.systemId);
  },

  isCoach(scope: AccessScope, place: Pick<ProgrammePlace, 'coachPersonIds'>): boolean {
    return scope.has('coach') && place.coachPersonIds.includes(scope.personId);
  },

  canRead(scope: AccessScope, place: ProgrammePlace): boolean {
    return PlaceAccess.isStaff(scope, place) || PlaceAccess.isCoach(scope, place);
  },

  /** Assessments, indicator values and baselines, practices: the Place's staff and its coaches. */
  canRecord(scope: AccessScope, place: ProgrammePlace): boolean {
    return PlaceAccess.canRead(scope, place);
  },

  /** SQL condition (on `np` = nh_place joined to `p` = place) and its parameters for the Places `scope` may read. */
  visibleWhere(scope: AccessScope): { sql: string; params: unknown[] } {
    if (scope.isNationalAdmin) return { sql: 'true', params: [] };
    const staffSystems = scope.has('programme_lead') || scope.has('admin') ? scope.staffSystems : [];
    const systems = staffSystems === 'all' ? [] : staffSystems;
    const coach = scope.has('coach') ? scope.personId : null;
    return {
      sql: `(p.system_id = any(?::uuid[]) or exists (select 1 from nh_place_coach c where c.place_id = np.place_id and c.person_id = ?::uuid))`,
      params: [pgArray(systems), coach],
    };
  },
};

/** Loads a programme Place, or null when the Place is not in the programme. */
export async function loadProgrammePlace(em: EntityManager, placeId: string, lock = false): Promise<ProgrammePlace | null> {
  const rows = await em.execute<{ place_id: string; name: string; system_id: string; coaches: string[] | null }[]>(
    `select np.place_id, p.name, p.system_id,
            (select array_agg(c.person_id::text order by c.person_id) from nh_place_coach c where c.place_id = np.place_id) as coaches
       from nh_place np join place p on p.id = np.place_id where np.place_id = ?${lock ? ' for update of np' : ''}`,
    [placeId],
  );
  const row = rows[0];
  return row ? { placeId: row.place_id, name: row.name, systemId: row.system_id, coachPersonIds: row.coaches ?? [] } : null;
}

/** The Place if `scope` may read it; 404 otherwise (so ids cannot be probed). */
export async function readablePlace(em: EntityManager, scope: AccessScope, placeId: string, lock = false): Promise<ProgrammePlace> {
  const place = await loadProgrammePlace(em, placeId, lock);
  if (!place || !PlaceAccess.canRead(scope, place)) throw NotFoundError.of('neighbourhood Place', placeId);
  return place;
}

/** The Place if `scope` may record data for it: 404 when it cannot see it, 403 when it can but may not. */
export async function recordablePlace(em: EntityManager, scope: AccessScope, placeId: string, what: string): Promise<ProgrammePlace> {
  const place = await readablePlace(em, scope, placeId);
  if (!PlaceAccess.canRecord(scope, place)) throw new ForbiddenError(`Only the Place's staff and its coaches can ${what}.`);
  return place;
}
