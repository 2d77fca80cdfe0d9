import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AllowLineBreaks, Nullable } from '@slp/platform';
import { BETTER_WHEN, COMPONENTS, type Component, INDICATOR_UNITS, type IndicatorUnit, MAX_VALUES_PER_REQUEST, PERIOD } from '@slp/neighbourhood';
import type { BetterWhen } from '@slp/neighbourhood';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

const IsDay = (field: string) =>
  applyDecorators(IsISO8601({ strict: true, strictSeparator: true }, { message: `${field} must be a date (YYYY-MM-DD)` }), MaxLength(10, { message: `${field} must be a date (YYYY-MM-DD)` }), Matches(/^(19|[2-9]\d)\d\d-/, { message: `${field} must be a date from 1900 on` }));
const IsPeriod = (field: string) => Matches(PERIOD, { message: `${field} must be a month (YYYY-MM)` });
const Text = (max: number) => applyDecorators(Trim(), IsString(), IsNotEmpty(), MaxLength(max));

// --- Places -----------------------------------------------------------------------------------

export class JoinPlaceDto {
  /** A Place of the directory. */
  @IsUUID()
  placeId!: string;

  /** Programme wave (wave 1: 43 Places). */
  @IsInt()
  @Min(1)
  @Max(20)
  wave!: number;

  /** When the Place joined, YYYY-MM-DD. */
  @IsDay('joinedOn')
  joinedOn!: string;

  /** People the Place serves (the denominator of its rates per 1,000 unless a value says otherwise). */
  @IsInt()
  @Min(1)
  @Max(20_000_000)
  population!: number;

  /** Improvement Coaches: people whose accounts have the `coach` role. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  coachPersonIds?: string[];
}

export class SetCoachesDto {
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  coachPersonIds!: string[];
}

export class PlacesQueryDto extends PageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  wave?: number;

  @IsOptional()
  @IsUUID()
  systemId?: string;
}

// --- Coaching sessions ------------------------------------------------------------------------

export class CoachingSessionDto {
  @IsDay('heldOn')
  heldOn!: string;

  /** The component the session was about, if one. */
  @IsOptional()
  @Nullable()
  @IsIn(COMPONENTS)
  component?: Component | null;

  /** Who took part (names and roles, as you would write them in notes). */
  @IsArray()
  @ArrayMaxSize(100)
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim() : v)) : value))
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  attendees!: string[];

  @AllowLineBreaks()
  @Text(10_000)
  summary!: string;

  /** Actions agreed. */
  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  actions?: string;
}

// --- Assessments ------------------------------------------------------------------------------

export class ComponentRatingDto {
  /** 1 (emerging) to 4 (thriving). */
  @IsInt()
  @Min(1)
  @Max(4)
  level!: number;

  /** What the level rests on. */
  @AllowLineBreaks()
  @Text(5_000)
  evidence!: string;
}

const Rating = () => applyDecorators(IsOptional(), ValidateNested(), Type(() => ComponentRatingDto));

/** A level and evidence for each component assessed (at least one). */
export class ComponentRatingsDto {
  @Rating() population_health_management?: ComponentRatingDto;
  @Rating() modern_general_practice?: ComponentRatingDto;
  @Rating() community_health_services?: ComponentRatingDto;
  @Rating() neighbourhood_mdts?: ComponentRatingDto;
  @Rating() intermediate_care?: ComponentRatingDto;
  @Rating() urgent_neighbourhood_services?: ComponentRatingDto;
}

export class AssessmentDto {
  @IsDay('assessedOn')
  assessedOn!: string;

  @ValidateNested()
  @Type(() => ComponentRatingsDto)
  components!: ComponentRatingsDto;
}

// --- Indicators -------------------------------------------------------------------------------

export class CreateIndicatorDto {
  /** Lower-case letters, digits and underscores, e.g. `falls_admissions_65`. */
  @Matches(/^[a-z][a-z0-9_]{1,63}$/, { message: 'code must be 2–64 lower-case letters, digits or underscores, starting with a letter' })
  code!: string;

  @Text(200)
  name!: string;

  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsIn(INDICATOR_UNITS)
  unit!: IndicatorUnit;

  @IsIn(BETTER_WHEN)
  betterWhen!: BetterWhen;
}

export class MonthlyValueDto {
  @IsPeriod('period')
  period!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e12)
  numerator!: number;

  /** For rates and percentages; a rate per 1,000 without one is per the Place's population. */
  @IsOptional()
  @Nullable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.000001)
  @Max(1e12)
  denominator?: number | null;
}

export class PutValuesDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VALUES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => MonthlyValueDto)
  values!: MonthlyValueDto[];
}

export class BaselineDto {
  @IsPeriod('from')
  from!: string;

  @IsPeriod('to')
  to!: string;
}

// --- Intelligence Centre ----------------------------------------------------------------------

export class IntelligenceQueryDto {
  @Matches(/^[a-z][a-z0-9_]{1,63}$/, { message: 'indicator must be an indicator code' })
  indicator!: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  wave?: number;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

// --- Practice library -------------------------------------------------------------------------

export class CreatePracticeDto {
  @IsUUID()
  placeId!: string;

  @Text(300)
  title!: string;

  @AllowLineBreaks()
  @Text(10_000)
  summary!: string;

  @IsIn(COMPONENTS)
  component!: Component;

  /** Who to ask about it (a person of the platform); their name and work email are shown with the practice. */
  @IsOptional()
  @Nullable()
  @IsUUID()
  contactPersonId?: string | null;
}

export class PracticesQueryDto {
  @IsOptional()
  @IsIn(COMPONENTS)
  component?: Component;

  /** Words to search for: "quoted phrases", -excluded, or. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

// --- Mentoring --------------------------------------------------------------------------------

export class MentorSuggestionsQueryDto {
  @IsIn(COMPONENTS)
  component!: Component;
}

export class ProposeMentoringDto {
  @IsUUID()
  menteePlaceId!: string;

  @IsUUID()
  mentorPlaceId!: string;

  @IsIn(COMPONENTS)
  component!: Component;

  /** What the mentee Place wants to learn. */
  @AllowLineBreaks()
  @Text(2000)
  goal!: string;
}

export class MentoringDecisionDto {
  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class CloseMentoringDto {
  /** What the Places learnt. */
  @AllowLineBreaks()
  @Text(10_000)
  reflection!: string;
}

// --- Stories ----------------------------------------------------------------------------------

export class StoryDto {
  @Text(300)
  title!: string;

  @AllowLineBreaks()
  @Text(20_000)
  text!: string;

  @IsOptional()
  @Nullable()
  @IsIn(COMPONENTS)
  component?: Component | null;

  /** Shared with the whole programme (default: the Place's staff and coaches only). */
  @IsOptional()
  @IsBoolean()
  sharedNationally?: boolean;
}

export class StoriesQueryDto {
  @IsOptional()
  @IsIn(COMPONENTS)
  component?: Component;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
