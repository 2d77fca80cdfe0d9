import { Body, Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Account, AuthService, EmailVerificationService, InvitationsService, TokenPair } from '@slp/identity';
import { AccessScope, Authenticated, CurrentPrincipal, NotAuthenticatedError, Principal, Public } from '@slp/platform';
import { LoginDto, LogoutDto, RefreshDto, TokenPairDto } from './dto/login.dto';
import { AcceptInvitationDto, RegisterDto, RegisteredAccountDto, VerifyEmailDto } from './dto/register.dto';
import { LocalAuthGuard } from './local-auth.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly invitations: InvitationsService,
    private readonly verification: EmailVerificationService,
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

  /** Signs in; rate limited per account and per IP (429 with Retry-After). */
  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  async login(@Req() request: FastifyRequest & { user: Account }, @Body() _body: LoginDto): Promise<TokenPairDto> {
    return toTokenPairDto(await this.auth.startSession(request.user));
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
