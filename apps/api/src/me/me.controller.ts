import { Body, Controller, Delete, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AccountsService, EqualityService, MfaService, PasswordService } from '@slp/identity';
import { AccessScope, AllowWithoutMfa, Authenticated, CurrentPrincipal, NotFoundError, Principal } from '@slp/platform';
import { ChangePasswordDto, MfaCodeDto, RecoveryCodesDto, TotpSetupDto } from '../auth/dto/mfa.dto';
import { PersonDto, toPersonDto } from '../people/dto/person.dto';
import { EqualityDto, EqualityResponseDto, toEqualityDto } from './dto/equality.dto';

export class MeDto {
  id!: string;
  email!: string;
  roles!: string[];
  systemIds!: string[];
  /** False until a self-registered account follows its verification link; until then it cannot enrol or see nominations. */
  emailVerified!: boolean;
  /** Multi-factor sign-in: whether it is on, and whether the account's roles require it (MFA_REQUIRED_ROLES). */
  mfa!: MfaStatusDto;
  person!: PersonDto;
}

export class MfaStatusDto {
  enabled!: boolean;
  required!: boolean;
}

@ApiTags('me')
@Controller('me')
export class MeController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly equality: EqualityService,
    private readonly mfa: MfaService,
    private readonly passwords: PasswordService,
  ) {}

  /** Open to a session still owing its second factor, so a client can see it must set up MFA. */
  @Authenticated()
  @AllowWithoutMfa()
  @Get()
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const account = await this.accounts.me(principal.accountId);
    const mfa = await this.mfa.status(account.id, account.roles);
    return { id: account.id, email: account.person.email, roles: account.roles, systemIds: account.systemIds, emailVerified: Boolean(account.emailVerifiedAt), mfa, person: toPersonDto(account.person) };
  }

  /** Starts TOTP set-up: a new key (not active until confirmed) as text, otpauth URL and QR code. 409 if MFA is on. */
  @Authenticated()
  @AllowWithoutMfa()
  @Post('mfa/totp')
  async startTotp(@CurrentPrincipal() principal: Principal): Promise<TotpSetupDto> {
    return this.mfa.startTotpSetup(AccessScope.of(principal));
  }

  /**
   * Confirms set-up with a code from the app: MFA is on, and the ten recovery codes are shown this
   * once. Sign in again (with a code) for a session that counts as multi-factor.
   */
  @Authenticated()
  @AllowWithoutMfa()
  @Post('mfa/totp/confirm')
  @HttpCode(200)
  async confirmTotp(@CurrentPrincipal() principal: Principal, @Body() body: MfaCodeDto): Promise<RecoveryCodesDto> {
    return this.mfa.confirmTotp(AccessScope.of(principal), body.code);
  }

  /** Turns MFA off with a current code or a recovery code; 409 when the account's role requires MFA. The holder is emailed. */
  @Authenticated()
  @AllowWithoutMfa()
  @Delete('mfa/totp')
  @HttpCode(204)
  async disableTotp(@CurrentPrincipal() principal: Principal, @Body() body: MfaCodeDto): Promise<void> {
    await this.mfa.disableTotp(AccessScope.of(principal), body.code);
  }

  /** Changes the password (the current one is checked and rate limited); every session ends, this one too, and the holder is emailed. */
  @Authenticated()
  @Post('password')
  @HttpCode(204)
  async changePassword(@Req() request: FastifyRequest, @CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<void> {
    await this.passwords.changePassword(AccessScope.of(principal), body.currentPassword, body.newPassword, request.ip, principal.sessionId);
  }

  /** Signs out everywhere: every session and refresh token of the account ends, this one too. */
  @Authenticated()
  @AllowWithoutMfa()
  @Delete('sessions')
  @HttpCode(204)
  async signOutEverywhere(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.passwords.signOutEverywhere(AccessScope.of(principal), principal.sessionId);
  }

  /** Your own equality monitoring; nobody else can read it. */
  @Authenticated()
  @Get('equality')
  async getEquality(@CurrentPrincipal() principal: Principal): Promise<EqualityResponseDto> {
    const record = await this.equality.own(AccessScope.of(principal));
    if (!record) throw new NotFoundError('You have not recorded equality monitoring.');
    return toEqualityDto(record);
  }

  @Authenticated()
  @Put('equality')
  async putEquality(@CurrentPrincipal() principal: Principal, @Body() body: EqualityDto): Promise<EqualityResponseDto> {
    const { consent: _consent, ...values } = body;
    return toEqualityDto(await this.equality.put(AccessScope.of(principal), values));
  }

  /** Withdraws consent: the record is deleted. */
  @Authenticated()
  @Delete('equality')
  @HttpCode(204)
  async deleteEquality(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.equality.remove(AccessScope.of(principal));
  }
}
