import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ForbiddenError, InvalidInputError } from '@slp/platform';
import { Attendance, AttendanceStatus } from './attendance.entity';
import { Enrolment } from './enrolment.entity';
import { Session } from './session.entity';
import { SessionsService } from './sessions.service';

export interface AttendanceRecordInput {
  readonly enrolmentId: string;
  readonly status: AttendanceStatus;
}

@Injectable()
export class AttendanceService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** Records attendance for enrolled people of the session's cohort; a second record for the same person replaces the first. */
  async record(scope: AccessScope, sessionId: string, records: readonly AttendanceRecordInput[]): Promise<Attendance[]> {
    const { session, canManage } = await this.sessions.get(scope, sessionId);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can record attendance.');
    const ids = [...new Set(records.map((r) => r.enrolmentId))];
    if (ids.length !== records.length) throw new InvalidInputError('Each enrolment may appear once.', [{ field: 'records', message: 'records must not repeat an enrolmentId' }]);
    return this.em.transactional(async (em) => {
      // Concurrent recordings for a session queue here, so a repeated PUT updates rather than collides.
      await em.findOneOrFail(Session, { id: sessionId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      const enrolments = await em.find(Enrolment, { id: { $in: ids }, cohort: session.cohort.id, status: { $in: ['enrolled', 'completed', 'not_completed'] } });
      const found = new Set(enrolments.map((e) => e.id));
      const unknown = records.map((r, i) => ({ r, i })).filter(({ r }) => !found.has(r.enrolmentId));
      if (unknown.length) {
        throw new InvalidInputError('Some enrolments are not enrolled in this session’s cohort.', unknown.map(({ i }) => ({ field: `records.${i}.enrolmentId`, message: 'enrolmentId must be an enrolled person of this cohort' })));
      }
      const now = new Date();
      const saved: Attendance[] = [];
      // Records already kept for these enrolments, read in one query (a PUT may carry a thousand).
      const kept = new Map((await em.find(Attendance, { session: sessionId, enrolment: { $in: ids } })).map((a) => [a.enrolment.id, a]));
      for (const record of records) {
        const existing = kept.get(record.enrolmentId);
        const attendance = existing ?? em.create(Attendance, { session: em.getReference(Session, sessionId), enrolment: em.getReference(Enrolment, record.enrolmentId), status: record.status, recordedByAccountId: scope.accountId, recordedAt: now });
        em.assign(attendance, { status: record.status, recordedByAccountId: scope.accountId, recordedAt: now });
        saved.push(attendance);
      }
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'attendance.record', objectType: 'session', objectId: sessionId, details: { enrolmentIds: ids } });
      return saved;
    });
  }

  async forSession(scope: AccessScope, sessionId: string): Promise<Attendance[]> {
    const { canManage } = await this.sessions.get(scope, sessionId);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can see a session’s attendance.');
    return this.em.find(Attendance, { session: sessionId }, { orderBy: { recordedAt: 'asc' } });
  }

  /** One enrolment's attendance, for its person or the cohort's staff (the caller has already seen the enrolment). */
  forEnrolment(enrolmentId: string): Promise<Attendance[]> {
    return this.em.find(Attendance, { enrolment: enrolmentId }, { populate: ['session'], orderBy: { session: { startsAt: 'asc' } } });
  }
}
