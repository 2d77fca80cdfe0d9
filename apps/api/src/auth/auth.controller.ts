import { Body, Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Account, AuthService, InvitationsService, TokenPair } from '@slp/identity';
import { NotAuthenticatedError, Public } from '@slp/platform';
import { LoginDto, LogoutDto, RefreshDto, TokenPairDto } from './dto/login.dto';
import { AcceptInvitationDto, RegisterDto, RegisteredAccountDto } from './dto/register.dto';
import { LocalAuthGuard } from './local-auth.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly invitations: InvitationsService,
  ) {}

  /** Creates a participant account. */
  @Public()
  @Post('register')
  async register(@Body() body: RegisterDto): Promise<RegisteredAccountDto> {
    const account = await this.auth.register(body);
    return { id: account.id, email: account.person.email, roles: account.roles };
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
