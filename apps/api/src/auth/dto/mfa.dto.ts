import { IsEmail, IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';
import { AllowLineBreaks, MIN_PASSWORD_LENGTH } from '@slp/platform';
import { Trim } from '../../http/trim.transform';

/** A 6-digit code from the authenticator app, or (where accepted) one of the recovery codes. */
export class MfaCodeDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  code!: string;
}

export class MfaLoginDto {
  /** From the password step's `{ mfaRequired: true, challengeToken }`; valid for `expiresIn` seconds, once. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  challengeToken!: string;

  /** A current 6-digit TOTP, or a recovery code (each works once). */
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  code!: string;
}

/** What the password step answers for an account with MFA on: no tokens yet. */
export class MfaChallengeDto {
  mfaRequired!: true;
  /** Send it with a code to POST /auth/login/mfa. */
  challengeToken!: string;
  expiresIn!: number;
}

export class TotpSetupDto {
  /** Base32 key, for typing into an authenticator app. Not active until confirmed. */
  secret!: string;
  /** `otpauth://totp/…` URL (Key URI format), what the QR code holds. */
  otpauthUrl!: string;
  /** The otpauth URL as a QR code, SVG markup. */
  qrSvg!: string;
}

export class RecoveryCodesDto {
  /** Ten single-use codes, shown this once (stored only hashed). */
  recoveryCodes!: string[];
}

export class PasswordResetRequestDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class PasswordResetConfirmDto {
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

export class ChangePasswordDto {
  @AllowLineBreaks()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  currentPassword!: string;

  @AllowLineBreaks()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH, { message: `newPassword must be at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(256)
  newPassword!: string;
}
