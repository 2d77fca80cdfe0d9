import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RequestContext } from './request-context';

export interface RequestHookOptions {
  /** Paths whose responses are personal or carry credentials: `Cache-Control: no-store` on every one. */
  readonly noStorePrefixes: readonly string[];
}

/**
 * Fastify hooks on the root instance, so they see every request — Nest routes, the queue dashboard,
 * the OpenAPI UI, health probes and unmatched paths alike: each gets an `x-request-id` (the caller's
 * when well-formed, see requestIdFor, else a new one), runs inside a {@link RequestContext}, and is
 * logged once when it completes.
 */
export function registerRequestHooks(fastify: FastifyInstance, logger: Logger, options: RequestHookOptions): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.header('x-request-id', request.id);
    // Nest's logger (nestjs-pino) sees only the raw request: give it the same id to bind to its lines.
    (request.raw as { id?: string }).id = request.id;
    RequestContext.run({ requestId: request.id }, done);
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    // Personal data and tokens must not sit in browser or proxy caches (OWASP ASVS V8.2.1).
    if (options.noStorePrefixes.some((prefix) => pathOf(request.url) === prefix || pathOf(request.url).startsWith(`${prefix}/`))) void reply.header('Cache-Control', 'no-store');
  });

  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const status = reply.statusCode;
    // Load balancer probes every few seconds would drown the log; a failing probe is still logged.
    const level = status >= 500 ? 'error' : isHealthProbe(request.url) && status < 400 ? 'debug' : 'info';
    logger[level]({ req: request, res: reply, responseTime: Math.round(reply.elapsedTime) }, 'request completed');
  });
}

function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

function isHealthProbe(url: string): boolean {
  return pathOf(url).startsWith('/health/');
}
