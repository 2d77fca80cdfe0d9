import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Grade, StaffGroup } from '@slp/identity';
import { AccessScope, NotFoundError } from '@slp/platform';
import type { CohortStatus } from './cohort-status';
import type { EligibilityRules } from './eligibility';
import { CohortSnapshot, cohortVisibleTo } from './learning.queries';
import type { LeadershipLevel } from './programme.entity';
import { EnrolmentRecord, toEnrolmentRecord } from './enrolment-record';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment, EnrolmentSource, EnrolmentStatus } from './enrolment.entity';
import { SeatAllocator, waitlistPositionSql } from './seat-allocator';
import { Session, SessionKind, SessionStatus } from './session.entity';

/** A session as a participant's own pages show it. */
export interface SessionRecord {
  readonly id: string;
  readonly title: string;
  readonly kind: SessionKind;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly location: string | null;
  readonly onlineUrl: string | null;
  readonly status: SessionStatus;
}

/** One of a person's enrolments with what their "Your learning" page needs of its cohort, programme and sessions. */
export interface LearningOverviewItem {
  readonly enrolment: EnrolmentRecord;
  readonly cohort: { readonly id: string; readonly name: string; readonly startsAt: Date; readonly endsAt: Date; readonly status: CohortStatus };
  readonly programme: { readonly id: string; readonly title: string };
  /** The cohort's sessions, for those who hold a seat (others are not invited to them). */
  readonly sessions: readonly SessionRecord[];
}

/** What a participant's page of a cohort shows ({@link LearningOverviewService.cohortPage}). */
export interface CohortPage {
  readonly cohort: Omit<CohortSnapshot, 'programme' | 'offerWindowHours'>;
  readonly programme: { readonly id: string; readonly title: string; readonly level: LeadershipLevel; readonly systemId: string | null } & EligibilityRules;
  readonly sessions: SessionRecord[];
  readonly mine: EnrolmentRecord | null;
  readonly profile: { readonly staffGroup: StaffGroup | null; readonly grade: Grade | null };
}

interface CohortPageRow extends Partial<EnrolmentRow> {
  cohort: string;
  name: string;
  cohort_status: CohortStatus;
  capacity: number;
  seats_taken: number;
  enrolment_opens_at: Timestamp;
  enrolment_closes_at: Timestamp;
  starts_at: Timestamp;
  ends_at: Timestamp;
  requires_approval: boolean;
  waitlist_enabled: boolean;
  programme: string;
  title: string;
  level: LeadershipLevel;
  system_id: string | null;
  eligible_staff_groups: StaffGroup[];
  min_grade: Grade | null;
  max_grade: Grade | null;
  eligible_grades: Grade[];
  own_system_id: string | null;
  staff_group: StaffGroup | null;
  grade: Grade | null;
  enrolled_ever: boolean;
  sessions: unknown;
}

/** Statuses whose holder is invited to the cohort's sessions. */
const SEATED: readonly EnrolmentStatus[] = ['enrolled', 'completed', 'not_completed'];
/** A person's own enrolments are few; this bounds the page all the same. */
const MAX_ENROLMENTS = 200;

/** Reads for a participant's own pages: their enrolments with cohorts and sessions, in one query whatever their number. */
@Injectable()
export class LearningOverviewService {
  constructor(
    private readonly em: EntityManager,
    private readonly seats: SeatAllocator,
  ) {}

  /**
   * The caller's enrolments, newest first, with their cohorts, programmes, waitlist positions and
   * (for those holding a seat) sessions: one statement, no entity hydration (the hottest page).
   */
  async mine(scope: AccessScope): Promise<LearningOverviewItem[]> {
    const rows = await this.em.execute<OverviewRow[]>(
      `select ${ENROLMENT_COLUMNS}, c.name as cohort_name, c.starts_at as cohort_starts_at, c.ends_at as cohort_ends_at, c.status as cohort_status,
              p.id as programme_id, p.title as programme_title,
              case when e.status in ${SEATED_SQL} then ${SESSIONS_JSON('e.cohort_id')} else '[]'::json end as sessions
         from enrolment e join person pe on pe.id = e.person_id join cohort c on c.id = e.cohort_id join programme p on p.id = c.programme_id
        where e.person_id = ? order by e.created_at desc, e.id desc limit ${MAX_ENROLMENTS}`,
      [scope.personId],
    );
    return rows.map((row) => ({
      enrolment: enrolmentOf(row),
      cohort: { id: row.cohort_id, name: row.cohort_name, startsAt: dateOf(row.cohort_starts_at), endsAt: dateOf(row.cohort_ends_at), status: row.cohort_status },
      programme: { id: row.programme_id, title: row.programme_title },
      sessions: sessionsOf(row.sessions),
    }));
  }

  /**
   * Everything a participant's page of a cohort shows, if the caller may see the cohort (the rule
   * of CohortsService.getVisible: staff of its system, anyone it is open to once out of draft,
   * anyone enrolled in it; else not found): the cohort and its programme, its sessions, the
   * caller's live enrolment in it, and the staff group and grade eligibility is judged on — one
   * statement, no entity hydration, as the page waits for all of it.
   */
  async cohortPage(scope: AccessScope, cohortId: string): Promise<CohortPage> {
    const [row] = await this.em.execute<CohortPageRow[]>(
      `select c.id as cohort, c.name, c.status as cohort_status, c.capacity, c.seats_taken, c.enrolment_opens_at, c.enrolment_closes_at, c.starts_at, c.ends_at,
              c.requires_approval, c.waitlist_enabled,
              p.id as programme, p.title, p.level, p.system_id, p.eligible_staff_groups, p.min_grade, p.max_grade, p.eligible_grades,
              o.system_id as own_system_id, pe.staff_group, pe.grade,
              exists(select 1 from enrolment x where x.cohort_id = c.id and x.person_id = pe.id) as enrolled_ever,
              ${SESSIONS_JSON('c.id')} as sessions,
              ${ENROLMENT_COLUMNS}
         from cohort c join programme p on p.id = c.programme_id
         left join person pe on pe.id = ? left join organisation o on o.id = pe.organisation_id
         left join lateral (select * from enrolment m where m.cohort_id = c.id and m.person_id = pe.id and m.status in (${ACTIVE_ENROLMENT_STATUSES.map((status) => `'${status}'`).join(', ')}) limit 1) e on true
        where c.id = ?`,
      [scope.personId, cohortId],
    );
    if (!row || !cohortVisibleTo(scope, { systemId: row.system_id, status: row.cohort_status }, row.own_system_id, row.enrolled_ever)) throw NotFoundError.of('cohort', cohortId);
    return {
      cohort: {
        id: row.cohort,
        name: row.name,
        status: row.cohort_status,
        capacity: row.capacity,
        seatsTaken: row.seats_taken,
        enrolmentOpensAt: dateOf(row.enrolment_opens_at),
        enrolmentClosesAt: dateOf(row.enrolment_closes_at),
        startsAt: dateOf(row.starts_at),
        endsAt: dateOf(row.ends_at),
        requiresApproval: row.requires_approval,
        waitlistEnabled: row.waitlist_enabled,
      },
      programme: { id: row.programme, title: row.title, level: row.level, systemId: row.system_id, eligibleStaffGroups: row.eligible_staff_groups, minGrade: row.min_grade, maxGrade: row.max_grade, eligibleGrades: row.eligible_grades },
      sessions: sessionsOf(row.sessions),
      mine: row.id ? enrolmentOf(row as CohortPageRow & EnrolmentRow) : null,
      profile: { staffGroup: row.staff_group, grade: row.grade },
    };
  }

  /** The caller's live enrolment (enrolled, waiting, offered or applied) in one cohort, if any. */
  async activeIn(scope: AccessScope, cohortId: string, em: EntityManager = this.em): Promise<EnrolmentRecord | null> {
    const enrolment = await em.findOne(Enrolment, { cohort: cohortId, person: scope.personId, status: { $in: [...ACTIVE_ENROLMENT_STATUSES] } }, { populate: ['person'] });
    return enrolment ? toEnrolmentRecord(enrolment, await this.seats.waitlistPosition(em, enrolment)) : null;
  }
}

export function toSessionRecord(session: Session): SessionRecord {
  return { id: session.id, title: session.title, kind: session.kind, startsAt: session.startsAt, endsAt: session.endsAt, location: session.location ?? null, onlineUrl: session.onlineUrl ?? null, status: session.status };
}

/** Statuses whose holder is invited to the cohort's sessions, as SQL. */
const SEATED_SQL = `(${SEATED.map((status) => `'${status}'`).join(', ')})`;

/** An enrolment `e` of person `pe` as an EnrolmentRecord needs it, with its waitlist position. */
const ENROLMENT_COLUMNS = `e.id, e.cohort_id, e.status, e.source, e.offer_expires_at, e.end_reason, e.created_at, e.enrolled_at, e.ended_at,
       pe.id as person_id, pe.given_name, pe.family_name,
       case when e.status = 'waitlisted' and e.waitlist_ticket is not null then ${waitlistPositionSql('e.cohort_id', 'e.waitlist_ticket')} end as waitlist_position`;

/** A cohort's sessions in start order, as a JSON array (one round trip for the page). */
const SESSIONS_JSON = (cohort: string) =>
  `(select coalesce(json_agg(json_build_object('id', s.id, 'title', s.title, 'kind', s.kind, 'startsAt', s.starts_at, 'endsAt', s.ends_at, 'location', s.location, 'onlineUrl', s.online_url, 'status', s.status) order by s.starts_at, s.id), '[]'::json)
      from session s where s.cohort_id = ${cohort})`;

type Timestamp = Date | string;

interface EnrolmentRow {
  id: string;
  cohort_id: string;
  status: EnrolmentStatus;
  source: EnrolmentSource;
  offer_expires_at: Timestamp | null;
  end_reason: string | null;
  created_at: Timestamp;
  enrolled_at: Timestamp | null;
  ended_at: Timestamp | null;
  person_id: string;
  given_name: string;
  family_name: string;
  waitlist_position: number | null;
}

interface OverviewRow extends EnrolmentRow {
  cohort_name: string;
  cohort_starts_at: Timestamp;
  cohort_ends_at: Timestamp;
  cohort_status: CohortStatus;
  programme_id: string;
  programme_title: string;
  sessions: unknown;
}

interface SessionJson {
  id: string;
  title: string;
  kind: SessionKind;
  startsAt: string;
  endsAt: string;
  location: string | null;
  onlineUrl: string | null;
  status: SessionStatus;
}

const dateOf = (value: Timestamp): Date => (value instanceof Date ? value : new Date(value));
const dateOrNull = (value: Timestamp | null): Date | null => (value === null ? null : dateOf(value));

function enrolmentOf(row: EnrolmentRow): EnrolmentRecord {
  return {
    id: row.id,
    cohortId: row.cohort_id,
    person: { id: row.person_id, givenName: row.given_name, familyName: row.family_name },
    status: row.status,
    source: row.source,
    waitlistPosition: row.waitlist_position ?? null,
    offerExpiresAt: dateOrNull(row.offer_expires_at),
    endReason: row.end_reason,
    createdAt: dateOf(row.created_at),
    enrolledAt: dateOrNull(row.enrolled_at),
    endedAt: dateOrNull(row.ended_at),
  };
}

function sessionsOf(json: unknown): SessionRecord[] {
  const list = (typeof json === 'string' ? JSON.parse(json) : json) as SessionJson[];
  return list.map((s) => ({ id: s.id, title: s.title, kind: s.kind, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt), location: s.location, onlineUrl: s.onlineUrl, status: s.status }));
}
