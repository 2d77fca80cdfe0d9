import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, IsUUID, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { ATTENDANCE_STATUSES, type Attendance, type AttendanceStatus, type Session, SESSION_KINDS, type SessionKind, type SessionStatus } from '@slp/learning';
import { toLondonIso } from '@slp/platform';
import { IsInstant } from '../../http/instant.transform';
import { Trim } from '../../http/trim.transform';

export class CreateSessionDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @IsIn(SESSION_KINDS)
  kind!: SessionKind;

  /** ISO 8601; without an offset, Europe/London time. */
  @IsInstant()
  startsAt!: Date;

  @IsInstant()
  endsAt!: Date;

  /** Where it happens; a location or an online link (or both) is required. */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  location?: string;

  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'onlineUrl must be an https URL' })
  @MaxLength(2000)
  onlineUrl?: string;
}

export class UpdateSessionDto {
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @IsOptional()
  @IsIn(SESSION_KINDS)
  kind?: SessionKind;

  @IsOptional()
  @IsInstant()
  startsAt?: Date;

  @IsOptional()
  @IsInstant()
  endsAt?: Date;

  /** null clears it (an online link must then remain). */
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Trim()
  @IsString()
  @MaxLength(500)
  location?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'onlineUrl must be an https URL' })
  @MaxLength(2000)
  onlineUrl?: string | null;
}

export class SessionDto {
  id!: string;
  cohortId!: string;
  title!: string;
  kind!: SessionKind;
  startsAt!: string;
  endsAt!: string;
  /** The same times in Europe/London, with their offset (GMT or BST). */
  startsAtLocal!: string;
  endsAtLocal!: string;
  timeZone!: 'Europe/London';
  location!: string | null;
  onlineUrl!: string | null;
  status!: SessionStatus;
  /** iCalendar SEQUENCE: rises with every change. */
  sequence!: number;
}

export function toSessionDto(session: Session): SessionDto {
  return {
    id: session.id,
    cohortId: session.cohort.id,
    title: session.title,
    kind: session.kind,
    startsAt: session.startsAt.toISOString(),
    endsAt: session.endsAt.toISOString(),
    startsAtLocal: toLondonIso(session.startsAt),
    endsAtLocal: toLondonIso(session.endsAt),
    timeZone: 'Europe/London',
    location: session.location ?? null,
    onlineUrl: session.onlineUrl ?? null,
    status: session.status,
    sequence: session.sequence,
  };
}

export class AttendanceRecordDto {
  @IsUUID()
  enrolmentId!: string;

  @IsIn(ATTENDANCE_STATUSES)
  status!: AttendanceStatus;
}

export class RecordAttendanceDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => AttendanceRecordDto)
  records!: AttendanceRecordDto[];
}

export class AttendanceDto {
  sessionId!: string;
  enrolmentId!: string;
  status!: AttendanceStatus;
  recordedAt!: string;
}

export function toAttendanceDto(attendance: Attendance): AttendanceDto {
  return { sessionId: attendance.session.id, enrolmentId: attendance.enrolment.id, status: attendance.status, recordedAt: attendance.recordedAt.toISOString() };
}
