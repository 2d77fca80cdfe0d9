import { Injectable } from '@nestjs/common';
import { AccessScope, ForbiddenError, NotFoundError, ReplicaReads, SqlReader } from '@slp/platform';
import { ReportFreshness, reportFreshness } from './report-freshness';

export interface CohortReport {
  readonly cohortId: string;
  readonly name: string;
  readonly programmeTitle: string;
  readonly status: string;
  readonly capacity: number;
  readonly seatsTaken: number;
  readonly fillRate: number;
  readonly waitlistLength: number;
  readonly applications: { readonly received: number; readonly approved: number; readonly rejected: number; readonly pending: number; readonly medianHoursToDecision: number | null; readonly meanHoursToDecision: number | null };
  readonly sessions: { readonly sessionId: string; readonly title: string; readonly startsAt: string; readonly status: string; readonly present: number; readonly absent: number; readonly apologies: number; readonly attendanceRate: number | null }[];
  readonly completion: { readonly completed: number; readonly notCompleted: number; readonly stillEnrolled: number; readonly completionRate: number | null };
  /** Where it was read (a replica, or the primary) and the instant it is complete up to. */
  readonly freshness: ReportFreshness;
}

/** One cohort's operational figures for the admins of its programme's system (no personal data, so no suppression). */
@Injectable()
export class CohortReportService {
  constructor(private readonly replicaReads: ReplicaReads) {}

  async report(scope: AccessScope, cohortId: string): Promise<CohortReport> {
    // A cohort created a moment ago may not have reached the replica yet: its 404 is the primary's to give.
    const { result, source } = await this.replicaReads.read('report.cohort', (db) => this.figures(db, scope, cohortId), { retryOnPrimary: (error) => error instanceof NotFoundError });
    return { ...result, freshness: reportFreshness(source) };
  }

  private async figures(read: SqlReader, scope: AccessScope, cohortId: string): Promise<Omit<CohortReport, 'freshness'>> {
    const [cohort] = await read.execute<{ id: string; name: string; status: string; capacity: number; seats_taken: number; title: string; system_id: string | null }>(
      `select c.id, c.name, c.status, c.capacity, c.seats_taken, p.title, p.system_id from cohort c join programme p on p.id = c.programme_id where c.id = ?`,
      [cohortId],
    );
    if (!cohort || !scope.canSeeStaffDataOf(cohort.system_id)) throw NotFoundError.of('cohort', cohortId);
    if (!scope.isAdmin) throw new ForbiddenError('Reports are for admins.');
    const [counts] = await read.execute<Record<string, string | null>>(
      `select count(*) filter (where status = 'waitlisted') as waitlisted,
              count(*) filter (where decided_at is not null or status = 'pending_approval') as received,
              count(*) filter (where decided_at is not null and status <> 'rejected') as approved,
              count(*) filter (where status = 'rejected') as rejected,
              count(*) filter (where status = 'pending_approval') as pending,
              percentile_cont(0.5) within group (order by extract(epoch from decided_at - created_at) / 3600) filter (where decided_at is not null) as median_hours,
              avg(extract(epoch from decided_at - created_at) / 3600) filter (where decided_at is not null) as mean_hours,
              count(*) filter (where status = 'completed') as completed,
              count(*) filter (where status = 'not_completed') as not_completed,
              count(*) filter (where status = 'enrolled') as enrolled
         from enrolment where cohort_id = ?`,
      [cohortId],
    );
    const sessions = await read.execute<{ id: string; title: string; starts_at: Date; status: string; present: string; absent: string; apologies: string }>(
      `select s.id, s.title, s.starts_at, s.status,
              count(a.*) filter (where a.status = 'present') as present,
              count(a.*) filter (where a.status = 'absent') as absent,
              count(a.*) filter (where a.status = 'apologies') as apologies
         from session s left join attendance a on a.session_id = s.id
        where s.cohort_id = ? group by s.id order by s.starts_at, s.id`,
      [cohortId],
    );
    const n = (value: string | null | undefined) => Number(value ?? 0);
    const round = (value: string | null | undefined) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);
    const completed = n(counts!.completed);
    const notCompleted = n(counts!.not_completed);
    return {
      cohortId: cohort.id,
      name: cohort.name,
      programmeTitle: cohort.title,
      status: cohort.status,
      capacity: cohort.capacity,
      seatsTaken: cohort.seats_taken,
      fillRate: cohort.capacity ? cohort.seats_taken / cohort.capacity : 0,
      waitlistLength: n(counts!.waitlisted),
      applications: { received: n(counts!.received), approved: n(counts!.approved), rejected: n(counts!.rejected), pending: n(counts!.pending), medianHoursToDecision: round(counts!.median_hours), meanHoursToDecision: round(counts!.mean_hours) },
      sessions: sessions.map((s) => {
        const recorded = n(s.present) + n(s.absent) + n(s.apologies);
        return { sessionId: s.id, title: s.title, startsAt: new Date(s.starts_at).toISOString(), status: s.status, present: n(s.present), absent: n(s.absent), apologies: n(s.apologies), attendanceRate: recorded ? n(s.present) / recorded : null };
      }),
      completion: { completed, notCompleted, stillEnrolled: n(counts!.enrolled), completionRate: completed + notCompleted ? completed / (completed + notCompleted) : null },
    };
  }
}
