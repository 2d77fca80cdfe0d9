import { createSecretKey } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthService, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@slp/identity';
import { EMAIL_QUEUE } from '@slp/notifications';
import { AccessScope, AppConfig, MAINTENANCE_QUEUE, NotAuthenticatedError, PROBLEM_CONTENT_TYPE, ProblemDetailsFilter } from '@slp/platform';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'slp_queue_dashboard';

/**
 * The queue dashboard (bull-board) for national admins. It is a plain Fastify route outside Nest's
 * guards, so this hook is its authorisation: a bearer access token, or the cookie set by opening
 * `/admin/queues?token=<access token>` once in a browser (HttpOnly, SameSite=Strict, this path only).
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
  const secure = config.publicUrl.startsWith('https:');

  // The same checks as the API's JwtStrategy: pinned algorithm, issuer, audience, expiry, a key built once.
  const key = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')) as unknown as Buffer;
  const accountFor = async (token: string | undefined) => {
    if (!token) return null;
    try {
      const claims = await jwt.verifyAsync<{ sub: string; exp: number }>(token, { secret: key, algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
      const principal = await auth.principalFor(claims.sub);
      return principal && AccessScope.of(principal).isNationalAdmin ? { exp: claims.exp } : null;
    } catch {
      return null;
    }
  };

  await app.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const query = request.query as { token?: string };
        if (query.token) {
          const admin = await accountFor(query.token);
          if (!admin) return deny(reply, request);
          const maxAge = Math.max(0, admin.exp - Math.floor(Date.now() / 1000));
          return reply
            .header('Set-Cookie', `${COOKIE}=${encodeURIComponent(query.token)}; Path=${QUEUE_DASHBOARD_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`)
            .redirect(QUEUE_DASHBOARD_PATH, 303);
        }
        const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
        if (!(await accountFor(bearer ?? cookie(request, COOKIE)))) return deny(reply, request);
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}

const problems = new ProblemDetailsFilter();

function deny(reply: FastifyReply, request: FastifyRequest): FastifyReply {
  const problem = problems.toProblem(new NotAuthenticatedError('The queue dashboard is for national admins: open it with ?token=<access token>.'), request);
  return reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const pair = (request.headers.cookie ?? '').split(/;\s*/).find((part) => part.startsWith(`${name}=`));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : undefined;
}
