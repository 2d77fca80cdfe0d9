import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AllowLineBreaks } from '@slp/platform';
import type { Attendance, EnrolmentRecord, EnrolmentSource, EnrolmentStatus } from '@slp/learning';
import { ENROLMENT_STATUSES } from '@slp/learning';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

/** `{}` to enrol yourself; `{ personId }` for a lead or admin enrolling someone. */
export class EnrolDto {
  @IsOptional()
  @IsUUID()
  personId?: string;
}

export class RejectEnrolmentDto {
  @AllowLineBreaks()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class CompleteEnrolmentDto {
  @IsIn(['completed', 'not_completed'])
  outcome!: 'completed' | 'not_completed';
}

export class EnrolmentsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ENROLMENT_STATUSES)
  status?: EnrolmentStatus;
}

export class AttendanceSummaryDto {
  sessionId!: string;
  status!: string;
  recordedAt!: string;
}

export class EnrolmentDto {
  id!: string;
  cohortId!: string;
  personId!: string;
  person!: { id: string; givenName: string; familyName: string };
  status!: EnrolmentStatus;
  source!: EnrolmentSource;
  waitlistPosition!: number | null;
  offerExpiresAt!: string | null;
  endReason!: string | null;
  createdAt!: string;
  enrolledAt!: string | null;
  endedAt!: string | null;
  attendance?: AttendanceSummaryDto[];
}

export function toEnrolmentDto(record: EnrolmentRecord, attendance?: readonly Attendance[]): EnrolmentDto {
  return {
    id: record.id,
    cohortId: record.cohortId,
    personId: record.person.id,
    person: record.person,
    status: record.status,
    source: record.source,
    waitlistPosition: record.waitlistPosition,
    offerExpiresAt: record.offerExpiresAt?.toISOString() ?? null,
    endReason: record.endReason,
    createdAt: record.createdAt.toISOString(),
    enrolledAt: record.enrolledAt?.toISOString() ?? null,
    endedAt: record.endedAt?.toISOString() ?? null,
    ...(attendance ? { attendance: attendance.map((a) => ({ sessionId: a.session.id, status: a.status, recordedAt: a.recordedAt.toISOString() })) } : {}),
  };
}
