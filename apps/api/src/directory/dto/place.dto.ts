import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Place } from '@slp/directory';
import { Trim } from '../../http/trim.transform';

export class CreatePlaceDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  /** Neighbourhood Health Implementation Programme wave. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  wave?: number;

  /** Maturity of integrated working, 1 (emerging) to 4 (thriving). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4)
  maturityLevel?: number;
}

export class PlaceDto {
  id!: string;
  systemId!: string;
  name!: string;
  wave!: number | null;
  maturityLevel!: number | null;
}

export function toPlaceDto(place: Place): PlaceDto {
  return { id: place.id, systemId: place.system.id, name: place.name, wave: place.wave ?? null, maturityLevel: place.maturityLevel ?? null };
}
