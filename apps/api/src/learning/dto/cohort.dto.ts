import { PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { COHORT_STATUSES, type CohortCounts, type CohortSnapshot, type CohortStatus } from '@slp/learning';
import { IsInstant } from '../../http/instant.transform';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

export class CreateCohortDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(10_000)
  capacity!: number;

  @IsInstant()
  enrolmentOpensAt!: Date;

  @IsInstant()
  enrolmentClosesAt!: Date;

  @IsInstant()
  startsAt!: Date;

  @IsInstant()
  endsAt!: Date;

  @IsBoolean()
  requiresApproval!: boolean;

  @IsBoolean()
  waitlistEnabled!: boolean;

  /** 0 or absent: a freed seat goes straight to the next waitlisted person; otherwise they have this many hours to accept it. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  offerWindowHours?: number;
}

/** Any of the creation fields. Capacity may rise (the waitlist is promoted, oldest first) but not drop below the seats taken (409). */
export class UpdateCohortDto extends PartialType(CreateCohortDto) {}

export class CohortsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  programmeId?: string;

  @IsOptional()
  @IsIn(COHORT_STATUSES)
  status?: CohortStatus;

  @IsOptional()
  @IsUUID()
  systemId?: string;
}

export class CohortDto {
  id!: string;
  programmeId!: string;
  systemId!: string | null;
  name!: string;
  status!: CohortStatus;
  capacity!: number;
  seatsTaken!: number;
  seatsLeft!: number;
  waitlistLength!: number;
  enrolmentOpensAt!: string;
  enrolmentClosesAt!: string;
  startsAt!: string;
  endsAt!: string;
  requiresApproval!: boolean;
  waitlistEnabled!: boolean;
  offerWindowHours!: number;
}

export function toCohortDto(cohort: CohortSnapshot, counts: CohortCounts): CohortDto {
  return {
    id: cohort.id,
    programmeId: cohort.programme.id,
    systemId: cohort.programme.system?.id ?? null,
    name: cohort.name,
    status: cohort.status,
    capacity: cohort.capacity,
    seatsTaken: cohort.seatsTaken,
    seatsLeft: Math.max(0, cohort.capacity - cohort.seatsTaken),
    waitlistLength: counts.waitlistLength,
    enrolmentOpensAt: cohort.enrolmentOpensAt.toISOString(),
    enrolmentClosesAt: cohort.enrolmentClosesAt.toISOString(),
    startsAt: cohort.startsAt.toISOString(),
    endsAt: cohort.endsAt.toISOString(),
    requiresApproval: cohort.requiresApproval,
    waitlistEnabled: cohort.waitlistEnabled,
    offerWindowHours: cohort.offerWindowHours,
  };
}
