import { getQueueToken } from '@nestjs/bullmq';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokenClaims, AuthService, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@slp/identity';
import { EMAIL_QUEUE } from '@slp/notifications';
import { AccessScope, AppConfig, ForbiddenError, MAINTENANCE_QUEUE, NotAuthenticatedError, PROBLEM_CONTENT_TYPE, ProblemDetailsFilter } from '@slp/platform';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'slp_queue_dashboard';
/** The dashboard's own credential is good for this audience only: never for the API, and no API token is good here as a cookie. */
export const QUEUE_DASHBOARD_AUDIENCE = 'queue-dashboard';
const DASHBOARD_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * The queue dashboard (bull-board) for national admins. It is a plain Fastify route outside Nest's
 * guards, so this hook is its authorisation: a bearer access token (scripts), or a cookie of its
 * own. Opening `/admin/queues?token=<access token>` once in a browser trades the access token for
 * a 15-minute dashboard token (its own audience, the same session: signing out ends it too) in a
 * cookie scoped to this path, HttpOnly, SameSite=Strict, and Secure when served over https. No
 * credential, or one that does not hold, is a 401; a signed-in caller who is not a national admin
 * gets 403.
 */
export async function mountQueueDashboard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const board = new BoardAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  const queues = [EMAIL_QUEUE, MAINTENANCE_QUEUE].map((name) => app.get<Queue>(getQueueToken(name)));
  // Redis outages show in readiness and metrics; an unhandled 'error' event would go to stderr.
  for (const queue of queues) queue.on('error', () => undefined);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'SLP queues' } },
  });
  const jwt = app.get(JwtService);
  const auth = app.get(AuthService);
  const publicUrlIsHttps = config.publicUrl.startsWith('https:');

  /** The caller behind a credential: `null` when it does not hold, else whether they may use the dashboard. */
  const callerFor = async (token: string | undefined, audience: string): Promise<{ claims: AccessTokenClaims; allowed: boolean } | null> => {
    const claims = await auth.verifyAccessToken(token, audience);
    const principal = claims ? await auth.principalFor(claims.sub, claims.amr) : null;
    // A national admin whose session still owes its second factor is held to the MFA set-up, here as in the API.
    return claims && principal ? { claims, allowed: AccessScope.of(principal).isNationalAdmin && !principal.mfaPending } : null;
  };

  await app.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const query = request.query as { token?: string };
        if (query.token) {
          const caller = await callerFor(query.token, JWT_AUDIENCE);
          if (!caller?.allowed) return deny(reply, request, caller);
          const dashboardToken = await jwt.signAsync(
            { sub: caller.claims.sub, sid: caller.claims.sid, amr: caller.claims.amr ?? [] },
            { algorithm: JWT_ALGORITHM, expiresIn: DASHBOARD_TOKEN_TTL_SECONDS, issuer: JWT_ISSUER, audience: QUEUE_DASHBOARD_AUDIENCE, secret: config.auth.jwtSecret },
          );
          // request.protocol honours X-Forwarded-Proto only with TRUST_PROXY, so a client cannot claim https.
          const secure = publicUrlIsHttps || request.protocol === 'https';
          return reply
            .header('Set-Cookie', `${COOKIE}=${dashboardToken}; Path=${QUEUE_DASHBOARD_PATH}; Max-Age=${DASHBOARD_TOKEN_TTL_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`)
            .redirect(QUEUE_DASHBOARD_PATH, 303);
        }
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        const caller = bearer ? await callerFor(bearer, JWT_AUDIENCE) : await callerFor(cookie(request, COOKIE), QUEUE_DASHBOARD_AUDIENCE);
        if (!caller?.allowed) return deny(reply, request, caller);
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}

const problems = new ProblemDetailsFilter();

function deny(reply: FastifyReply, request: FastifyRequest, caller: { allowed: boolean } | null): FastifyReply {
  const error = caller
    ? new ForbiddenError('The queue dashboard is for national admins.')
    : new NotAuthenticatedError('The queue dashboard is for national admins: open it with ?token=<access token>.');
  const problem = problems.toProblem(error, request);
  return reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const pair = (request.headers.cookie ?? '').split(/;\s*/).find((part) => part.startsWith(`${name}=`));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : undefined;
}
