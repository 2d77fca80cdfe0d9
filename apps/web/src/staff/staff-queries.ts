import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { AccessScope, LONDON } from '@slp/platform';

/** A cohort with how many of one kind of enrolment wait in it. */
export interface CohortCount {
  readonly cohortId: string;
  readonly cohortName: string;
  readonly programmeTitle: string;
  readonly count: number;
}

export interface WeekSession {
  readonly id: string;
  readonly title: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly cohortId: string;
  readonly cohortName: string;
  readonly canManage: boolean;
}

export interface Awaiting {
  readonly applications: readonly CohortCount[];
  readonly offers: readonly CohortCount[];
  readonly nominations: number;
  readonly sessions: readonly WeekSession[];
  readonly weekStart: Date;
  readonly weekEnd: Date;
}

export interface PersonMatch {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly organisationName: string | null;
}

/**
 * What the staff workspace reads that no single library service answers: counts across the
 * cohorts of the caller's systems (the same scope as the API: staff see programmes of their own
 * systems; national programmes only national admins). Read-only; every change goes through the
 * libraries' services.
 */
@Injectable()
export class StaffQueries {
  constructor(private readonly em: EntityManager) {}

  /** "What awaits you": applications and nominations to decide, offers outstanding, this week's sessions (London's week). */
  async awaiting(scope: AccessScope, now = new Date()): Promise<Awaiting> {
    const { clause, params } = systemClause(scope, 'pr.system_id');
    const conn = this.em.getConnection();
    const managing = canManageAnything(scope);
    const week = DateTime.fromJSDate(now, { zone: LONDON }).startOf('week');
    const weekStart = week.toJSDate();
    const weekEnd = week.plus({ weeks: 1 }).toJSDate();
    const countsOf = async (status: string): Promise<CohortCount[]> => {
      if (!managing) return [];
      const rows = await conn.execute<{ cohort_id: string; cohort_name: string; programme_title: string; count: string }[]>(
        `select c.id as cohort_id, c.name as cohort_name, pr.title as programme_title, count(*) as count
           from enrolment e join cohort c on c.id = e.cohort_id join programme pr on pr.id = c.programme_id
          where e.status = ? and ${clause}
          group by c.id, c.name, pr.title order by c.name, c.id`,
        [status, ...params],
      );
      return rows.map((r) => ({ cohortId: r.cohort_id, cohortName: r.cohort_name, programmeTitle: r.programme_title, count: Number(r.count) }));
    };
    const applications = await countsOf('pending_approval');
    const offers = await countsOf('offered');
    let nominations = 0;
    if (managing) {
      const target = systemClause(scope, 'n.target_system_id');
      const [row] = await conn.execute<{ count: string }[]>(`select count(*) as count from nomination n where n.status = 'consented' and ${target.clause}`, target.params);
      nominations = Number(row?.count ?? 0);
    }
    const sessionRows = await conn.execute<{ id: string; title: string; starts_at: Date; ends_at: Date; cohort_id: string; cohort_name: string; system_id: string | null }[]>(
      `select s.id, s.title, s.starts_at, s.ends_at, c.id as cohort_id, c.name as cohort_name, pr.system_id
         from session s join cohort c on c.id = s.cohort_id join programme pr on pr.id = c.programme_id
        where s.status <> 'cancelled' and s.starts_at >= ? and s.starts_at < ? and ${clause}
        order by s.starts_at, s.id limit 200`,
      [weekStart, weekEnd, ...params],
    );
    const sessions = sessionRows.map((r) => ({ id: r.id, title: r.title, startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), cohortId: r.cohort_id, cohortName: r.cohort_name, canManage: managing }));
    return { applications, offers, nominations, sessions, weekStart, weekEnd };
  }

  /**
   * People of the caller's systems whose name or email contains the text (case-insensitive),
   * for "Enrol someone": at most `limit`, by family name.
   */
  async searchPeople(scope: AccessScope, text: string, limit = 20): Promise<PersonMatch[]> {
    const { clause, params } = systemClause(scope, 'o.system_id');
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.em.getConnection().execute<{ id: string; given_name: string; family_name: string; email: string; organisation_name: string | null }[]>(
      `select p.id, p.given_name, p.family_name, p.email, o.name as organisation_name
         from person p join organisation o on o.id = p.organisation_id
        where ${clause} and p.erased_at is null
          and (lower(p.email) like ? or lower(p.given_name || ' ' || p.family_name) like ?)
        order by p.family_name, p.given_name, p.id limit ?`,
      [...params, pattern, pattern, limit],
    );
    return rows.map((r) => ({ id: r.id, givenName: r.given_name, familyName: r.family_name, email: r.email, organisationName: r.organisation_name }));
  }
}

/** Programme leads and admins decide applications and nominations; coaches only oversee. */
export function canManageAnything(scope: AccessScope): boolean {
  return scope.has('programme_lead') || scope.has('admin');
}

/** `column` limited to the caller's staff systems (every system for a national admin; nothing for someone with none). */
function systemClause(scope: AccessScope, column: string): { clause: string; params: unknown[] } {
  const systems = scope.staffSystems;
  if (systems === 'all') return { clause: 'true', params: [] };
  if (!systems.length) return { clause: 'false', params: [] };
  // One placeholder per id: the driver would spread an array bound to a single `?` into a list anyway.
  return { clause: `${column} in (${systems.map(() => '?').join(', ')})`, params: [...systems] };
}
