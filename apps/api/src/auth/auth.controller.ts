import { Body, Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Account, AuthService, EmailVerificationService, InvitationsService, MfaService, PasswordService, TokenPair } from '@slp/identity';
import { AccessScope, Authenticated, CurrentPrincipal, NotAuthenticatedError, Principal, Public } from '@slp/platform';
import { LoginDto, LogoutDto, RefreshDto, TokenPairDto } from './dto/login.dto';
import { AcceptInvitationDto, RegisterDto, RegisteredAccountDto, VerifyEmailDto } from './dto/register.dto';
import { MfaChallengeDto, MfaLoginDto, PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/mfa.dto';
import { LocalAuthGuard } from './local-auth.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly invitations: InvitationsService,
    private readonly verification: EmailVerificationService,
    private readonly mfa: MfaService,
    private readonly passwords: PasswordService,
  ) {}

  /**
   * Creates a participant account, whose email must then be verified. The answer is the same
   * whether or not the email is already known (no account-enumeration oracle): what to do next
   * goes to the address's owner by email. Rate limited per IP and overall (429 with Retry-After).
   */
  @Public()
  @Post('register')
  async register(@Req() request: FastifyRequest, @Body() body: RegisterDto): Promise<RegisteredAccountDto> {
    const registered = await this.auth.register(body, request.ip);
    return { id: registered.id, email: registered.email, roles: [...registered.roles] };
  }

  /** Follows the emailed verification link: 404 not a link we sent, 409 already used, 400 expired. */
  @Public()
  @Post('verify-email')
  @HttpCode(204)
  async verifyEmail(@Body() body: VerifyEmailDto): Promise<void> {
    await this.verification.verify(body.token);
  }

  /** Sends the signed-in, unverified account a fresh verification link (409 if verified; rate limited). */
  @Authenticated()
  @Post('verify-email/resend')
  @HttpCode(202)
  async resendVerification(@CurrentPrincipal() principal: Principal): Promise<Record<string, never>> {
    await this.verification.resend(AccessScope.of(principal));
    return {};
  }

  /**
   * Signs in; rate limited per account and per IP (429 with Retry-After). For an account with MFA
   * on, the answer is `{ mfaRequired: true, challengeToken, expiresIn }` and no tokens: finish at
   * POST /auth/login/mfa with a code.
   */
  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  async login(@Req() request: FastifyRequest & { user: Account }, @Body() _body: LoginDto): Promise<TokenPairDto | MfaChallengeDto> {
    if (await this.mfa.isEnabled(request.user.id)) {
      // The rehashed password (if any) from the credential check is saved with the challenge's audit entry.
      const challenge = await this.mfa.createChallenge(request.user);
      return { mfaRequired: true, challengeToken: challenge.challengeToken, expiresIn: challenge.expiresIn };
    }
    return toTokenPairDto(await this.auth.startSession(request.user));
  }

  /**
   * The second step of sign-in: the challenge and a 6-digit TOTP or a recovery code → the usual
   * token pair. Each code works once; 401 for a wrong code or a spent challenge, 429 after five wrong codes.
   */
  @Public()
  @Post('login/mfa')
  @HttpCode(200)
  async loginMfa(@Body() body: MfaLoginDto): Promise<TokenPairDto> {
    const { account, amr } = await this.mfa.verifySecondFactor(body.challengeToken, body.code);
    return toTokenPairDto(await this.auth.startSession(account, amr));
  }

  /** Emails a single-use reset link (60 minutes) if the address has an account; 202 either way. */
  @Public()
  @Post('password-reset')
  @HttpCode(202)
  async requestPasswordReset(@Req() request: FastifyRequest, @Body() body: PasswordResetRequestDto): Promise<Record<string, never>> {
    await this.passwords.requestPasswordReset(body.email, request.ip);
    return {};
  }

  /** Sets the new password from the link's token: 204, and every session of the account ends. 404 unknown, 409 used, 400 expired. */
  @Public()
  @Post('password-reset/confirm')
  @HttpCode(204)
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.passwords.confirmPasswordReset(body.token, body.password);
  }

  /** Exchanges a refresh token (single use) for a new pair. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return toTokenPairDto(await this.auth.refresh(body.refreshToken));
  }

  /** Sets up an account from an invitation (e.g. after consenting to a nomination through the emailed link). */
  @Public()
  @Post('accept-invitation')
  async acceptInvitation(@Body() body: AcceptInvitationDto): Promise<RegisteredAccountDto> {
    const account = await this.invitations.accept(body.token, body.password);
    return { id: account.id, email: account.person.email, roles: account.roles };
  }

  /**
   * Ends this session: its refresh token, every token rotated from it, and its access tokens, at
   * once. Public, so a client whose access token has expired can still sign out with the refresh
   * token; an access token in `Authorization` names the session on its own.
   */
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: LogoutDto, @Headers('authorization') authorization: string | undefined): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const accessTokenClaims = await this.auth.verifyAccessToken(bearer);
    if (!body.refreshToken && !accessTokenClaims) throw new NotAuthenticatedError('Send the session’s refresh token in the body, or a valid access token of it in Authorization.');
    await this.auth.logout({ refreshToken: body.refreshToken, accessTokenClaims });
  }
}

function toTokenPairDto(pair: TokenPair): TokenPairDto {
  const { account } = pair;
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresIn: pair.expiresIn,
    tokenType: 'Bearer',
    account: { id: account.id, email: account.person.email, roles: account.roles, systemIds: account.systemIds },
  };
}
