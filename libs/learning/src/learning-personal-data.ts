import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSubject, Erasure, ExportRequest, PersonalDataArea, RegisterPersonalData, SqlStatement } from '@slp/platform';
import { Attendance } from './attendance.entity';
import { ACTIVE_ENROLMENT_STATUSES, Enrolment } from './enrolment.entity';
import { EnrolmentService } from './enrolment.service';

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

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const enrolments = await em.find(Enrolment, { person: subject.personId }, { populate: ['cohort', 'cohort.programme'], orderBy: { createdAt: 'asc', id: 'asc' } });
    const attendance = enrolments.length ? await em.find(Attendance, { enrolment: { $in: enrolments.map((e) => e.id) } }, { populate: ['session'], orderBy: { session: { startsAt: 'asc' } } }) : [];
    return enrolments.map((enrolment) => ({
      id: enrolment.id,
      programme: { id: enrolment.cohort.programme.id, title: enrolment.cohort.programme.title },
      cohort: { id: enrolment.cohort.id, name: enrolment.cohort.name, startsAt: enrolment.cohort.startsAt.toISOString(), endsAt: enrolment.cohort.endsAt.toISOString() },
      status: enrolment.status,
      source: enrolment.source,
      waitlistTicket: enrolment.waitlistTicket ?? null,
      offerExpiresAt: enrolment.offerExpiresAt?.toISOString() ?? null,
      endReason: enrolment.endReason ?? null,
      decidedAt: enrolment.decidedAt?.toISOString() ?? null,
      enrolledAt: enrolment.enrolledAt?.toISOString() ?? null,
      endedAt: enrolment.endedAt?.toISOString() ?? null,
      createdAt: enrolment.createdAt.toISOString(),
      updatedAt: enrolment.updatedAt.toISOString(),
      attendance: attendance
        .filter((a) => a.enrolment.id === enrolment.id)
        .map((a) => ({ session: { id: a.session.id, title: a.session.title, kind: a.session.kind, startsAt: a.session.startsAt.toISOString() }, status: a.status, recordedAt: a.recordedAt.toISOString() })),
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
