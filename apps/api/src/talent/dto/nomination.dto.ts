import { Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { AllowLineBreaks } from '@slp/platform';
import { NOMINATION_STATUSES, type Nomination, type NominationStatus, type NominationView, READINESS, type Readiness } from '@slp/talent';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

/** `{ personId }` for someone known, or `{ email, givenName, familyName, organisationId }` (created if new). */
export class NomineeDto {
  @IsOptional()
  @IsUUID()
  personId?: string;

  @IsOptional()
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  givenName?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  familyName?: string;

  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class CreateNominationDto {
  @ValidateNested()
  @Type(() => NomineeDto)
  nominee!: NomineeDto;

  @IsOptional()
  @IsUUID()
  programmeId?: string;

  @IsOptional()
  @IsUUID()
  cohortId?: string;

  @IsOptional()
  @IsUUID()
  talentPoolId?: string;

  @IsIn(READINESS)
  readiness!: Readiness;

  /** Talent grid performance, 1 (low) to 3 (high). */
  @IsInt()
  @Min(1)
  @Max(3)
  performance!: number;

  /** Talent grid potential, 1 (low) to 3 (high). */
  @IsInt()
  @Min(1)
  @Max(3)
  potential!: number;

  @AllowLineBreaks()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  rationale!: string;

  /** Let the nominee see their talent-grid placement (default false). */
  @IsOptional()
  @IsBoolean()
  shareGridWithNominee?: boolean;
}

export class ConsentDto {
  @IsIn(['consent', 'decline'])
  decision!: 'consent' | 'decline';

  /** The nominee agrees that their line manager is told (consent only). */
  @IsOptional()
  @IsBoolean()
  notifyLineManager?: boolean;
}

export class ConsentByTokenDto extends ConsentDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}

export class RejectNominationDto {
  @AllowLineBreaks()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

export class WithdrawNominationDto {
  @AllowLineBreaks()
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class NominationsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(NOMINATION_STATUSES)
  status?: NominationStatus;

  @IsOptional()
  @IsUUID()
  systemId?: string;

  @IsOptional()
  @IsUUID()
  programmeId?: string;
}

export class NominationEventDto {
  from!: NominationStatus | null;
  to!: NominationStatus;
  at!: string;
  actorAccountId!: string | null;
  actorRole!: string;
  reason!: string | null;
}

export class NominationDto {
  id!: string;
  status!: NominationStatus;
  nominee!: { id: string; givenName: string; familyName: string };
  nominator!: { id: string; givenName: string; familyName: string };
  programmeId!: string | null;
  cohortId!: string | null;
  talentPoolId!: string | null;
  targetSystemId!: string | null;
  readiness!: Readiness;
  /** Talent grid: present for staff, and for the nominee only when the lead shared it. */
  talentGrid?: { performance: number; potential: number };
  rationale!: string;
  decisionReason!: string | null;
  enrolmentId!: string | null;
  lineManagerNotified!: boolean;
  createdAt!: string;
  history?: NominationEventDto[];
}

export function toNominationDto(nomination: Nomination, showGrid: boolean, history?: NominationView['history']): NominationDto {
  const person = (p: Nomination['nominee']) => ({ id: p.id, givenName: p.givenName, familyName: p.familyName });
  return {
    id: nomination.id,
    status: nomination.status,
    nominee: person(nomination.nominee),
    nominator: person(nomination.nominator),
    programmeId: nomination.programme?.id ?? null,
    cohortId: nomination.cohort?.id ?? null,
    talentPoolId: nomination.talentPool?.id ?? null,
    targetSystemId: nomination.targetSystemId ?? null,
    readiness: nomination.readiness,
    ...(showGrid ? { talentGrid: { performance: nomination.performance, potential: nomination.potential } } : {}),
    rationale: nomination.rationale,
    decisionReason: nomination.decisionReason ?? null,
    enrolmentId: nomination.enrolment?.id ?? null,
    lineManagerNotified: nomination.lineManagerNotified,
    createdAt: nomination.createdAt.toISOString(),
    ...(history ? { history: history.map((e) => ({ from: e.fromStatus ?? null, to: e.toStatus, at: e.at.toISOString(), actorAccountId: e.actorAccountId ?? null, actorRole: e.actorRole, reason: e.reason ?? null })) } : {}),
  };
}

export function toNominationViewDto(view: NominationView): NominationDto {
  return toNominationDto(view.nomination, view.showGrid, view.history);
}

export class ConsentResultDto {
  nomination!: NominationDto;
  /** True when the nominee consented and has no account yet: an invitation to set one up was emailed to them. */
  invitationSent!: boolean;
}

