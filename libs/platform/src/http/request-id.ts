import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTABLE_ID = /^[\w-]{8,64}$/;

/**
 * The request's id: the caller's `X-Request-Id` when it looks like one, else a new UUID. Fastify
 * assigns it (its `genReqId`), and logs, audit entries and the response header all share it.
 */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}
