import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { GRADES, type Grade, type Person, type PersonInvitationStatus, STAFF_GROUPS, type StaffGroup } from '@slp/identity';
import { PageQueryDto } from '../../http/page-query.dto';
import { Trim } from '../../http/trim.transform';

/** Fields absent are left alone; `null` clears a field that may be empty. */
export class UpdatePersonDto {
  // Not @IsOptional: that would let null through to a required column.
  @ValidateIf((_, value) => value !== undefined)
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  givenName?: string;

  @ValidateIf((_, value) => value !== undefined)
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  familyName?: string;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsUUID()
  organisationId?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsIn(STAFF_GROUPS)
  staffGroup?: StaffGroup | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Trim()
  @IsString()
  @MaxLength(100)
  profession?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Trim()
  @IsString()
  @MaxLength(200)
  jobTitle?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsIn(GRADES)
  grade?: Grade | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Trim()
  @IsEmail({}, { message: 'lineManagerEmail must be an email address' })
  @MaxLength(254)
  lineManagerEmail?: string | null;
}

export class PeopleQueryDto extends PageQueryDto {
  @IsOptional()
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @IsOptional()
  @IsUUID()
  systemId?: string;

  /** `true`: only people whose employment proposal you may confirm or reject. */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'employmentPending must be true or false' })
  employmentPending?: 'true' | 'false';
}

/** Employment a person proposed for themself, not yet confirmed; it decides nothing until it is. */
export class PendingEmploymentDto {
  organisationId!: string | null;
  systemId!: string | null;
  staffGroup!: StaffGroup | null;
  grade!: Grade | null;
  proposedAt!: string;
}

export class PersonDto {
  id!: string;
  email!: string;
  givenName!: string;
  familyName!: string;
  organisationId!: string | null;
  systemId!: string | null;
  staffGroup!: StaffGroup | null;
  profession!: string | null;
  jobTitle!: string | null;
  grade!: Grade | null;
  lineManagerEmail!: string | null;
  /** Null when nothing is waiting; organisationId, staffGroup and grade above are the confirmed facts. */
  pendingEmployment!: PendingEmploymentDto | null;
}

export function toPersonDto(person: Person): PersonDto {
  return {
    id: person.id,
    email: person.email,
    givenName: person.givenName,
    familyName: person.familyName,
    organisationId: person.organisation?.id ?? null,
    systemId: person.organisation?.system.id ?? null,
    staffGroup: person.staffGroup ?? null,
    profession: person.profession ?? null,
    jobTitle: person.jobTitle ?? null,
    grade: person.grade ?? null,
    lineManagerEmail: person.lineManagerEmail ?? null,
    pendingEmployment: person.employmentProposedAt
      ? {
          organisationId: person.pendingOrganisation?.id ?? null,
          systemId: person.pendingOrganisation?.system.id ?? null,
          staffGroup: person.pendingStaffGroup ?? null,
          grade: person.pendingGrade ?? null,
          proposedAt: person.employmentProposedAt.toISOString(),
        }
      : null,
  };
}

/** People to invite to set up an account, by id (at most 500 a call). */
export class InvitePeopleDto {
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  personIds!: string[];
}

export class PersonInvitationDto {
  personId!: string;
  /** `invited` (emailed now), `already_invited` (a working invitation was sent before: not sent again), `has_account`, or `not_found` (not in your systems). */
  status!: PersonInvitationStatus;
}

export class PersonInvitationsDto {
  results!: PersonInvitationDto[];
  invited!: number;
}
