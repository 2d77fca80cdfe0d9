import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Grade, StaffGroup } from '@slp/identity';
import { AccessScope, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, NotFoundError, Page, PageRequest } from '@slp/platform';
import type { CohortStatus } from './cohort-status';
import { ProgrammeAccess } from './programme-access';
import type { LeadershipLevel } from './programme.entity';

/** A cohort as its readers see it: the entity fits, and so does a row read by {@link LearningQueries}. */
export interface CohortSnapshot {
  readonly id: string;
  readonly programme: { readonly id: string; readonly system?: { readonly id: string } | null };
  readonly name: string;
  readonly status: CohortStatus;
  readonly capacity: number;
  readonly seatsTaken: number;
  readonly enrolmentOpensAt: Date;
  readonly enrolmentClosesAt: Date;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly requiresApproval: boolean;
  readonly waitlistEnabled: boolean;
  readonly offerWindowHours: number;
}

/** A programme as its readers see it: the entity fits, and so does a row read by {@link LearningQueries}. */
export interface ProgrammeSnapshot {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly level: LeadershipLevel;
  readonly system?: { readonly id: string } | null;
  readonly eligibleStaffGroups: StaffGroup[];
  readonly minGrade?: Grade | null;
  readonly maxGrade?: Grade | null;
  readonly eligibleGrades: Grade[];
  readonly fundingPence?: number | null;
}

/**
 * Who may see a cohort: staff of its programme's system (and national admins); anyone it is open
 * to once it is out of draft; anyone enrolled in it (in any status). The rule both the entity path
 * (CohortsService.getVisible) and the read model below apply.
 */
export function cohortVisibleTo(scope: AccessScope, cohort: { systemId: string | null; status: CohortStatus }, ownSystemId: string | null, enrolled: boolean): boolean {
  if (ProgrammeAccess.canOversee(scope, cohort.systemId)) return true;
  return (cohort.status !== 'draft' && ProgrammeAccess.isOpenTo(ownSystemId, cohort.systemId)) || enrolled;
}

interface CohortViewRow {
  id: string;
  programme_id: string;
  system_id: string | null;
  name: string;
  status: CohortStatus;
  capacity: number;
  seats_taken: number;
  enrolment_opens_at: string | Date;
  enrolment_closes_at: string | Date;
  starts_at: string | Date;
  ends_at: string | Date;
  requires_approval: boolean;
  waitlist_enabled: boolean;
  offer_window_hours: number;
  waitlist_length: number;
  own_system_id: string | null;
  enrolled: boolean;
}

interface ProgrammeRow {
  id: string;
  title: string;
  description: string;
  level: LeadershipLevel;
  system_id: string | null;
  eligible_staff_groups: StaffGroup[];
  min_grade: Grade | null;
  max_grade: Grade | null;
  eligible_grades: Grade[];
  funding_pence: string | number | null;
}

/**
 * The learning context's most-read answers as single SQL statements: a cohort page and the
 * programme list are read on every visit, so each is one round trip (after authentication) with
 * no entities hydrated. The same rules as the services (visibility above, ProgrammesService's).
 */
@Injectable()
export class LearningQueries {
  constructor(private readonly em: EntityManager) {}

  /** A cohort the caller may see, with how many wait for it; 404 when there is none they may see. */
  async cohortView(scope: AccessScope, id: string): Promise<{ cohort: CohortSnapshot; waitlistLength: number }> {
    const [row] = await this.em.execute<CohortViewRow[]>(
      `select c.id, c.programme_id, p.system_id, c.name, c.status, c.capacity, c.seats_taken, c.enrolment_opens_at, c.enrolment_closes_at,
              c.starts_at, c.ends_at, c.requires_approval, c.waitlist_enabled, c.offer_window_hours,
              (select count(*)::int from enrolment w where w.cohort_id = c.id and w.status = 'waitlisted') as waitlist_length,
              (select o.system_id from person pe join organisation o on o.id = pe.organisation_id where pe.id = ?) as own_system_id,
              exists(select 1 from enrolment m where m.cohort_id = c.id and m.person_id = ?) as enrolled
         from cohort c join programme p on p.id = c.programme_id
        where c.id = ?`,
      [scope.personId, scope.personId, id],
    );
    if (!row || !cohortVisibleTo(scope, { systemId: row.system_id, status: row.status }, row.own_system_id, row.enrolled)) throw NotFoundError.of('cohort', id);
    return {
      cohort: {
        id: row.id,
        programme: { id: row.programme_id, system: row.system_id ? { id: row.system_id } : null },
        name: row.name,
        status: row.status,
        capacity: row.capacity,
        seatsTaken: row.seats_taken,
        enrolmentOpensAt: new Date(row.enrolment_opens_at),
        enrolmentClosesAt: new Date(row.enrolment_closes_at),
        startsAt: new Date(row.starts_at),
        endsAt: new Date(row.ends_at),
        requiresApproval: row.requires_approval,
        waitlistEnabled: row.waitlist_enabled,
        offerWindowHours: row.offer_window_hours,
      },
      waitlistLength: row.waitlist_length,
    };
  }

  /**
   * Programmes the caller may see, by title (keyset pages, the same cursors as findPage): national
   * admins all; everyone else national programmes, their staff systems' and their own system's.
   */
  async programmePage(scope: AccessScope, filter: { systemId?: string }, page: PageRequest): Promise<Page<ProgrammeSnapshot>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const where: string[] = [];
    const params: unknown[] = [];
    if (!scope.isNationalAdmin) {
      where.push(`(p.system_id is null or p.system_id::text = any(?::text[]) or p.system_id = (select o.system_id from person pe join organisation o on o.id = pe.organisation_id where pe.id = ?))`);
      // An array literal, as elsewhere (the driver binds a JS array as a list); system ids are UUIDs.
      params.push(`{${(scope.staffSystems as readonly string[]).join(',')}}`, scope.personId);
    }
    if (filter.systemId) {
      where.push('p.system_id = ?');
      params.push(filter.systemId);
    }
    if (page.cursor) {
      const [title, id] = decodeCursor(page.cursor, [{ name: 'title', type: 'string' }, { name: 'id', type: 'uuid' }]);
      where.push('(p.title, p.id) > (?, ?::uuid)');
      params.push(title, id);
    }
    const rows = await this.em.execute<ProgrammeRow[]>(
      `select p.id, p.title, p.description, p.level, p.system_id, p.eligible_staff_groups, p.min_grade, p.max_grade, p.eligible_grades, p.funding_pence
         from programme p ${where.length ? `where ${where.join(' and ')}` : ''}
        order by p.title, p.id limit ?`,
      [...params, limit + 1],
    );
    const items = rows.slice(0, limit).map(
      (row): ProgrammeSnapshot => ({
        id: row.id,
        title: row.title,
        description: row.description,
        level: row.level,
        system: row.system_id ? { id: row.system_id } : null,
        eligibleStaffGroups: row.eligible_staff_groups,
        minGrade: row.min_grade,
        maxGrade: row.max_grade,
        eligibleGrades: row.eligible_grades,
        fundingPence: row.funding_pence === null ? null : Number(row.funding_pence),
      }),
    );
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.title, last.id]) : null };
  }
}
