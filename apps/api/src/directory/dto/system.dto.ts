import { PageQueryDto } from '../../http/page-query.dto';
import { BooleanQuery } from '../../http/boolean-query.transform';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Region, System, SYSTEM_KINDS, type SystemKind } from '@slp/directory';
import { Trim } from '../../http/trim.transform';

export class CreateSystemDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  /** The ICB's ODS code, e.g. QE1. */
  @Trim()
  @Matches(/^[A-Za-z0-9]{3,5}$/, { message: 'odsCode must be 3 to 5 letters or digits' })
  odsCode!: string;

  @IsIn(SYSTEM_KINDS)
  kind!: SystemKind;

  /** NHS England region code (e.g. Y62) or name (e.g. North West). */
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  region!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  population?: number;
}

export class SystemsQueryDto extends PageQueryDto {
  /** Include closed systems (ICBs that have closed, e.g. merged), which lists leave out by default. */
  @IsOptional()
  @BooleanQuery()
  @IsIn([true, false], { message: 'includeClosed must be true or false' })
  includeClosed?: boolean;
}

export class SystemDto {
  id!: string;
  name!: string;
  odsCode!: string;
  kind!: SystemKind;
  /** Region name, e.g. North West. */
  region!: string;
  regionCode!: string;
  population!: number | null;
  /** The ODS close date (YYYY-MM-DD); null while open. */
  closedOn!: string | null;
}

export class RegionDto {
  code!: string;
  name!: string;
}

export function toSystemDto(system: System): SystemDto {
  return {
    id: system.id,
    name: system.name,
    odsCode: system.odsCode,
    kind: system.kind,
    region: system.region.name,
    regionCode: system.region.code,
    population: system.population ?? null,
    closedOn: system.closedOn ?? null,
  };
}

export function toRegionDto(region: Region): RegionDto {
  return { code: region.code, name: region.name };
}
