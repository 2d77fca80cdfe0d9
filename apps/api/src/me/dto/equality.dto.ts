import { Equals, IsIn, IsOptional } from 'class-validator';
import { AGE_BANDS, DISABILITY, ETHNIC_CATEGORIES, type EqualityMonitoring, RELIGIONS, SEXES, SEXUAL_ORIENTATIONS } from '@slp/identity';

export class EqualityDto {
  /** Must be true: the data is kept only with the person's consent. */
  @Equals(true, { message: 'consent must be true to record equality monitoring' })
  consent!: boolean;

  /** NHS Data Dictionary ethnic category code A–S, Z (not stated), or prefer_not_to_say. */
  @IsOptional()
  @IsIn(ETHNIC_CATEGORIES)
  ethnicity?: string;

  @IsOptional()
  @IsIn(SEXES)
  sex?: string;

  @IsOptional()
  @IsIn(DISABILITY)
  disability?: string;

  @IsOptional()
  @IsIn(SEXUAL_ORIENTATIONS)
  sexualOrientation?: string;

  @IsOptional()
  @IsIn(RELIGIONS)
  religion?: string;

  @IsOptional()
  @IsIn(AGE_BANDS)
  ageBand?: string;
}

export class EqualityResponseDto {
  consent!: true;
  consentedAt!: string;
  ethnicity!: string | null;
  sex!: string | null;
  disability!: string | null;
  sexualOrientation!: string | null;
  religion!: string | null;
  ageBand!: string | null;
}

export function toEqualityDto(record: EqualityMonitoring): EqualityResponseDto {
  return {
    consent: true,
    consentedAt: record.consentedAt.toISOString(),
    ethnicity: record.ethnicity ?? null,
    sex: record.sex ?? null,
    disability: record.disability ?? null,
    sexualOrientation: record.sexualOrientation ?? null,
    religion: record.religion ?? null,
    ageBand: record.ageBand ?? null,
  };
}
