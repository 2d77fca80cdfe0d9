import { OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { AllowLineBreaks, Nullable } from '@slp/platform';
import { GRADES, type Grade, STAFF_GROUPS, type StaffGroup } from '@slp/identity';
import { AFC_BANDS, eligibilitySummary, LEADERSHIP_LEVELS, type LeadershipLevel, type ProgrammeSnapshot } from '@slp/learning';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

export class EligibilityDto {
  /** ESR staff groups that may join; absent or empty means any. */
  @IsOptional()
  @IsArray()
  @IsIn(STAFF_GROUPS, { each: true })
  staffGroups?: StaffGroup[];

  /** Lowest Agenda for Change band that may join; a range covers bands only; null: no lower bound. */
  @Nullable()
  @IsIn(AFC_BANDS)
  minGrade?: Grade | null;

  /** Highest Agenda for Change band that may join; null: no upper bound. */
  @Nullable()
  @IsIn(AFC_BANDS)
  maxGrade?: Grade | null;

  /** Grades that may join besides the range, e.g. ["gp", "medical_consultant"]: the only way non-AfC grades are eligible. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(GRADES.length)
  @IsIn(GRADES, { each: true })
  grades?: Grade[];
}

export class CreateProgrammeDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @IsIn(LEADERSHIP_LEVELS)
  level!: LeadershipLevel;

  /** The owning system; null for a national programme. */
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  systemId!: string | null;

  @IsOptional()
  @ValidateNested()
  @Type(() => EligibilityDto)
  eligibility?: EligibilityDto;

  /** Funding allocated, in pence; null when none is recorded. */
  @Nullable()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  fundingPence?: number | null;
}

/** Any of the creation fields but the owning system, which does not change. */
export class UpdateProgrammeDto extends PartialType(OmitType(CreateProgrammeDto, ['systemId'] as const)) {}

export class ProgrammesQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  systemId?: string;
}

export class ProgrammeDto {
  id!: string;
  title!: string;
  description!: string;
  level!: LeadershipLevel;
  systemId!: string | null;
  /** summary: who may join, in plain words, e.g. "Agenda for Change band 8a and above, and GPs". */
  eligibility!: { staffGroups: StaffGroup[]; minGrade: Grade | null; maxGrade: Grade | null; grades: Grade[]; summary: string };
  fundingPence!: number | null;
}

export function toProgrammeDto(programme: ProgrammeSnapshot): ProgrammeDto {
  return {
    id: programme.id,
    title: programme.title,
    description: programme.description,
    level: programme.level,
    systemId: programme.system?.id ?? null,
    eligibility: {
      staffGroups: programme.eligibleStaffGroups,
      minGrade: programme.minGrade ?? null,
      maxGrade: programme.maxGrade ?? null,
      grades: programme.eligibleGrades,
      summary: eligibilitySummary(programme),
    },
    fundingPence: programme.fundingPence ?? null,
  };
}
