import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { AllowLineBreaks, MIN_PASSWORD_LENGTH, type Role, ROLES } from '@slp/platform';
import { Trim } from '../../http/trim.transform';

export class CreateAccountDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  givenName!: string;

  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  familyName!: string;

  @IsArray()
  @ArrayNotEmpty()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  /** Systems a staff account works for; empty with role admin makes a national admin. */
  @IsArray()
  @ArrayMaxSize(42)
  @IsUUID('all', { each: true })
  systemIds!: string[];

  /** Optional: without one, the account cannot sign in until a password is set. */
  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH, { message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(256)
  password?: string;

  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class AccountDto {
  id!: string;
  email!: string;
  roles!: Role[];
  systemIds!: string[];
  status!: string;
  personId!: string;
}
