import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { AllowLineBreaks } from '@slp/platform';
import { Trim } from '../../http/trim.transform';

export class LoginDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @AllowLineBreaks()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password!: string;
}

export class RefreshDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken!: string;
}

/** Sign-out names the session by its refresh token, or by the access token in `Authorization`, or both. */
export class LogoutDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken?: string;
}

export class TokenAccountDto {
  id!: string;
  email!: string;
  roles!: string[];
  systemIds!: string[];
}

export class TokenPairDto {
  /** JWT (HS256) for `Authorization: Bearer`, valid for `expiresIn` seconds. */
  accessToken!: string;
  /** Opaque, single-use: exchange it at /auth/refresh for a new pair. */
  refreshToken!: string;
  expiresIn!: number;
  tokenType!: 'Bearer';
  account!: TokenAccountDto;
}
