import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AllowLineBreaks } from '@slp/platform';
import type { TalentPool } from '@slp/talent';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

export class CreateTalentPoolDto {
  @IsUUID()
  systemId!: string;

  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  /** e.g. "aspiring directors", "clinical leaders for neighbourhood health". */
  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  purpose?: string;
}

export class TalentPoolsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  systemId?: string;
}

export class TalentPoolDto {
  id!: string;
  systemId!: string;
  name!: string;
  purpose!: string;
}

export function toTalentPoolDto(pool: TalentPool): TalentPoolDto {
  return { id: pool.id, systemId: pool.system.id, name: pool.name, purpose: pool.purpose };
}
