import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from '../errors/problem-details';

/**
 * Fastify answers a few bad requests itself, before any route or Nest filter runs, with its own
 * `{ statusCode, error, message }` JSON: a path segment over the router's length limit (414), a
 * path that is not valid percent-encoding (400), and, from Node's HTTP parser, a request line or
 * headers over 16 KB (431) or a malformed request (400). These give the API's problem+json instead,
 * without echoing the path back (it may carry a token).
 */

const FRAMEWORK_DETAILS: Record<string, { status: number; detail: string }> = {
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, detail: 'A segment of the path is longer than any identifier the API uses.' },
  FST_ERR_BAD_URL: { status: 400, detail: 'The path is not valid percent-encoded UTF-8.' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, detail: 'The request does not match any version of this route.' },
};

function problemFor(status: number, detail: string, instance?: string): ProblemDetails {
  const title = status === 414 ? 'URI too long' : status === 431 ? 'Request header fields too large' : status === 408 ? 'Request timeout' : 'Invalid input';
  return { type: problemType(title.toLowerCase().replace(/\s+/g, '-')), title, status, detail, ...(instance ? { instance } : {}) };
}

/** Fastify's `frameworkErrors` option: router-level refusals as problem+json. */
export function frameworkErrorsAsProblems(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const known = FRAMEWORK_DETAILS[error.code ?? ''] ?? { status: 400, detail: 'The request could not be routed.' };
  void reply.status(known.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problemFor(known.status, known.detail));
}

/**
 * Fastify's `clientErrorHandler` option: what Node's HTTP parser refuses (there is no request
 * object yet, only the socket), answered as problem+json and the connection closed, as Node does.
 */
export function clientErrorsAsProblems(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request line and headers together exceed 16 KB: send long values in a JSON body instead.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive.']
        : [400, 'The request is not well-formed HTTP.'];
  const body = JSON.stringify(problemFor(status, detail));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
