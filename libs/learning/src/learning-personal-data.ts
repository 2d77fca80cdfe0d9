import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSubject, Erasure, ExportRequest, PersonalDataArea, RegisterPersonalData, SqlStatement } from '@slp/platform';
import { Attendance } from './attendance.entity';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment } from './enrolment.entity';
import { EnrolmentService } from './enrolment.service';

interface EnrolmentExportRow {
  id: string;
  status: string;
  source: string;
  waitlist_ticket: number | null;
  offer_expires_at: Date | null;
  end_reason: string | null;
  decided_at: Date | null;
  enrolled_at: Date | null;
  ended_at: Date | null;
  created_at: Date;
  updated_at: Date;
  programme_id: string;
  programme_title: string;
  cohort_id: string;
  cohort_name: string;
  cohort_starts_at: Date;
  cohort_ends_at: Date;
  attendance: { id: string; title: string; kind: string; startsAt: string; status: string; recordedAt: string }[];
}

/** PostgreSQL's timestamps (a Date, or text inside JSON) as ISO 8601 in UTC. */
function iso(value: Date | string): string;
function iso(value: Date | string | null): string | null;
function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/** End reasons that are codes the platform writes; any other end reason is a lead's free text about the person. */
const END_REASON_CODES = ['offer_expired', 'offer_declined', 'cohort_cancelled', 'person_erased'];

/** Enrolments and attendance. Erasure withdraws what is still active, by the ordinary withdrawal, so the waiting list moves. */
@Injectable()
@RegisterPersonalData()
export class LearningPersonalData implements PersonalDataArea {
  readonly name = 'enrolments';
  readonly summary = 'Every cohort you applied to or were enrolled in (programme, cohort, status, where the place came from, waiting list, dates, why it ended) and your attendance at each session.';
  readonly onErasure = 'Active enrolments are withdrawn as if the person had withdrawn (the next person waiting gets the place); free-text reasons are cleared. Enrolments and attendance stay, anonymous, for cohort and pipeline reports.';
  readonly entities = [Enrolment, Attendance];
  readonly erasePhase = 10;

  constructor(private readonly enrolments: EnrolmentService) {}

  async ownedObjects(em: EntityManager, subject: DataSubject) {
    const rows = await em.find(Enrolment, { person: subject.personId }, { fields: ['id'] });
    return rows.map((row) => ({ type: 'enrolment', id: row.id }));
  }

  /** One query (attendance aggregated per enrolment): a long history exports in milliseconds, not one entity per row. */
  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const rows = await em.execute<EnrolmentExportRow[]>(
      `select e.id, e.status, e.source, e.waitlist_ticket, e.offer_expires_at, e.end_reason, e.decided_at, e.enrolled_at, e.ended_at, e.created_at, e.updated_at,
              pr.id as programme_id, pr.title as programme_title, c.id as cohort_id, c.name as cohort_name, c.starts_at as cohort_starts_at, c.ends_at as cohort_ends_at,
              coalesce((select json_agg(json_build_object('id', s.id, 'title', s.title, 'kind', s.kind, 'startsAt', s.starts_at, 'status', a.status, 'recordedAt', a.recorded_at) order by s.starts_at, s.id)
                          from attendance a join session s on s.id = a.session_id where a.enrolment_id = e.id), '[]') as attendance
         from enrolment e join cohort c on c.id = e.cohort_id join programme pr on pr.id = c.programme_id
        where e.person_id = ? order by e.created_at, e.id`,
      [subject.personId],
    );
    return rows.map((row) => ({
      id: row.id,
      programme: { id: row.programme_id, title: row.programme_title },
      cohort: { id: row.cohort_id, name: row.cohort_name, startsAt: iso(row.cohort_starts_at), endsAt: iso(row.cohort_ends_at) },
      status: row.status,
      source: row.source,
      waitlistTicket: row.waitlist_ticket,
      offerExpiresAt: iso(row.offer_expires_at),
      endReason: row.end_reason,
      decidedAt: iso(row.decided_at),
      enrolledAt: iso(row.enrolled_at),
      endedAt: iso(row.ended_at),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      attendance: row.attendance.map((a) => ({ session: { id: a.id, title: a.title, kind: a.kind, startsAt: iso(a.startsAt) }, status: a.status, recordedAt: iso(a.recordedAt) })),
    }));
  }

  async erase(em: EntityManager, { subject, actorAccountId }: Erasure): Promise<Record<string, number>> {
    const active = await em.find(Enrolment, { person: subject.personId, status: { $in: [...ACTIVE_ENROLMENT_STATUSES] } }, { fields: ['id'], orderBy: { id: 'asc' } });
    for (const enrolment of active) await this.enrolments.withdrawOnErasure(actorAccountId, enrolment.id);
    const cleared = await em.execute<{ id: string }[]>(`update enrolment set end_reason = null where person_id = ? and end_reason is not null and end_reason <> all(?::text[]) returning id`, [subject.personId, `{${END_REASON_CODES.join(',')}}`]);
    return { enrolmentsWithdrawn: active.length, endReasonsCleared: cleared.length };
  }

  recentActivity(cutoff: Date): SqlStatement {
    return {
      sql: `select person_id from enrolment where greatest(created_at, updated_at) >= ?
            union all select e.person_id from attendance a join enrolment e on e.id = a.enrolment_id where a.recorded_at >= ?`,
      params: [cutoff, cutoff],
    };
  }
}
