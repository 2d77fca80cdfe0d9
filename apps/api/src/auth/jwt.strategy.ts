import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AccessTokenClaims, AuthService, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@slp/identity';
import { APP_CONFIG, AppConfig, NotAuthenticatedError, Principal } from '@slp/platform';

/**
 * Verifies access tokens: algorithm pinned to HS256 (no `none`, no key confusion), issuer,
 * audience and `exp` checked; then the session (`sid`) must not be signed out, and the account is
 * re-read, so sign-out and a disabled account both stop the token at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object built once (jsonwebtoken accepts one; the typings lag): a string secret is
      // turned into a key on every request.
      secretOrKey: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal> {
    // Both checks at once (Redis and PostgreSQL): every authenticated request waits for the slower, not the sum.
    const [live, principal] = await Promise.all([this.auth.sessionIsLive(claims), this.auth.principalFor(claims.sub, claims.amr)]);
    if (!live) throw new NotAuthenticatedError('This session has ended. Sign in again.');
    if (!principal) throw new NotAuthenticatedError('This account is not active. Sign in again.');
    return { ...principal, sessionId: claims.sid };
  }
}
