import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Organisation, ORGANISATION_TYPES, type OrganisationType } from '@slp/directory';
import { Trim } from '../../http/trim.transform';
import { PageQueryDto } from '../../http/page-query.dto';
import { BooleanQuery } from '../../http/boolean-query.transform';

export class CreateOrganisationDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Trim()
  @Matches(/^[A-Za-z0-9]{3,10}$/, { message: 'odsCode must be 3 to 10 letters or digits' })
  odsCode!: string;

  @IsIn(ORGANISATION_TYPES)
  type!: OrganisationType;

  @IsUUID()
  systemId!: string;

  @IsOptional()
  @IsUUID()
  placeId?: string;
}

export class OrganisationsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  systemId?: string;

  @IsOptional()
  @IsUUID()
  placeId?: string;

  @IsOptional()
  @IsIn(ORGANISATION_TYPES)
  type?: OrganisationType;

  /** Include closed organisations, which lists (and so pickers) leave out by default. */
  @IsOptional()
  @BooleanQuery()
  @IsIn([true, false], { message: 'includeClosed must be true or false' })
  includeClosed?: boolean;
}

export class OrganisationDto {
  id!: string;
  name!: string;
  odsCode!: string;
  type!: OrganisationType;
  systemId!: string;
  placeId!: string | null;
  /** The ODS close date (YYYY-MM-DD); null while open. */
  closedOn!: string | null;
}

export function toOrganisationDto(organisation: Organisation): OrganisationDto {
  return {
    id: organisation.id,
    name: organisation.name,
    odsCode: organisation.odsCode,
    type: organisation.type,
    systemId: organisation.system.id,
    placeId: organisation.place?.id ?? null,
    closedOn: organisation.closedOn ?? null,
  };
}
