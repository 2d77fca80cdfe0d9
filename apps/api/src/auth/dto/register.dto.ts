import { IsEmail, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { AllowLineBreaks, MIN_PASSWORD_LENGTH } from '@slp/platform';
import { Trim } from '../../http/trim.transform';

export class RegisterDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** At least 12 characters (NCSC and OWASP: length over complexity rules). */
  @AllowLineBreaks()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH, { message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(256)
  password!: string;

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

  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class RegisteredAccountDto {
  id!: string;
  email!: string;
  roles!: string[];
}

export class AcceptInvitationDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  @AllowLineBreaks()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH, { message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(256)
  password!: string;
}

export class VerifyEmailDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}
