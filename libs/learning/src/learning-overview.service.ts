import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Grade, StaffGroup } from '@slp/identity';
import { AccessScope } from '@slp/platform';
import type { CohortStatus } from './cohort-status';
import { EnrolmentRecord, toEnrolmentRecord } from './enrolment-record';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment, EnrolmentStatus } from './enrolment.entity';
import { SeatAllocator } from './seat-allocator';
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

/** Statuses whose holder is invited to the cohort's sessions. */
const SEATED: readonly EnrolmentStatus[] = ['enrolled', 'completed', 'not_completed'];
/** A person's own enrolments are few; this bounds the page all the same. */
const MAX_ENROLMENTS = 200;

/** Reads for a participant's own pages: their enrolments with cohorts and sessions, in three queries whatever their number. */
@Injectable()
export class LearningOverviewService {
  constructor(
    private readonly em: EntityManager,
    private readonly seats: SeatAllocator,
  ) {}

  /** The caller's enrolments, newest first. */
  async mine(scope: AccessScope): Promise<LearningOverviewItem[]> {
    const enrolments = await this.em.find(Enrolment, { person: scope.personId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: MAX_ENROLMENTS, populate: ['cohort', 'cohort.programme', 'person'] });
    const positions = await this.seats.waitlistPositions(this.em, enrolments);
    const seatedCohorts = [...new Set(enrolments.filter((e) => SEATED.includes(e.status)).map((e) => e.cohort.id))];
    const sessions = seatedCohorts.length ? await this.em.find(Session, { cohort: { $in: seatedCohorts } }, { orderBy: { startsAt: 'asc', id: 'asc' } }) : [];
    return enrolments.map((enrolment) => ({
      enrolment: toEnrolmentRecord(enrolment, positions.get(enrolment.id) ?? null),
      cohort: { id: enrolment.cohort.id, name: enrolment.cohort.name, startsAt: enrolment.cohort.startsAt, endsAt: enrolment.cohort.endsAt, status: enrolment.cohort.status },
      programme: { id: enrolment.cohort.programme.id, title: enrolment.cohort.programme.title },
      sessions: SEATED.includes(enrolment.status) ? sessions.filter((s) => s.cohort.id === enrolment.cohort.id).map(toSessionRecord) : [],
    }));
  }

  /**
   * What a participant's page of a cohort shows beside the cohort itself (whose visibility the
   * caller has checked): its sessions, the caller's live enrolment in it, and the staff group and
   * grade eligibility is judged on — read at once, as the page waits for all three.
   */
  async cohortPage(scope: AccessScope, cohortId: string): Promise<{ sessions: SessionRecord[]; mine: EnrolmentRecord | null; profile: { staffGroup: StaffGroup | null; grade: Grade | null } }> {
    const [sessions, mine, [profile]] = await Promise.all([
      this.em.fork().find(Session, { cohort: cohortId }, { orderBy: { startsAt: 'asc', id: 'asc' } }),
      this.activeIn(scope, cohortId, this.em.fork()),
      this.em.fork().execute<{ staff_group: StaffGroup | null; grade: Grade | null }[]>(`select staff_group, grade from person where id = ?`, [scope.personId]),
    ]);
    return { sessions: sessions.map(toSessionRecord), mine, profile: { staffGroup: profile?.staff_group ?? null, grade: profile?.grade ?? null } };
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
