import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimitedError } from './domain-errors';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from './problem-details';

const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** The message Nest's router gives an unmatched request: `Cannot <METHOD> <url>`. */
const ROUTE_NOT_FOUND = /^Cannot [A-Z]+ \//;

/** Fastify's own errors (body parsing, limits) carry a status code and an FST_ code. */
interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
}

/**
 * Maps every error, whatever throws it, to RFC 9457 problem+json. A 500 gets an `errorId` that is
 * also in the log line, so support can find the cause without the response leaking it.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = this.toProblem(exception, request);
    if (exception instanceof RateLimitedError) void reply.header('Retry-After', String(exception.retryAfterSeconds));
    void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  toProblem(exception: unknown, request?: FastifyRequest): ProblemDetails {
    const instance = request?.url?.split('?')[0];
    if (exception instanceof DomainError) {
      return { type: problemType(exception.kind), title: exception.title, status: exception.status, detail: exception.message, instance, ...(exception.errors ? { errors: exception.errors } : {}) };
    }
    if (exception instanceof UniqueConstraintViolationException) {
      return { type: problemType('conflict'), title: 'Conflict', status: 409, detail: 'This would duplicate something that already exists.', instance };
    }
    if (exception instanceof ForeignKeyConstraintViolationException) {
      return { type: problemType('invalid-reference'), title: 'Invalid input', status: 400, detail: 'The request refers to something that does not exist.', instance };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      let detail = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
      // Nest's unknown-route 404 says "Cannot GET <url>", query string and all: a consent or
      // invitation link opened against the API would hand its token back (and into any log of it).
      if (status === 404 && ROUTE_NOT_FOUND.test(detail)) detail = 'There is no such route. Check the method and the address.';
      return { type: problemType(kindFor(status)), title: STATUS_TITLES[status] ?? exception.name, status, detail, instance };
    }
    const fastifyError = exception as FastifyLikeError;
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      return { type: problemType(kindFor(status)), title: STATUS_TITLES[status] ?? 'Bad request', status, detail: fastifyError.message, instance };
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId }, `Unhandled error ${errorId}`);
    return { type: problemType('internal'), title: STATUS_TITLES[500]!, status: HttpStatus.INTERNAL_SERVER_ERROR, detail: `Something went wrong on our side. Quote error id ${errorId} if you contact support.`, instance, errorId };
  }
}

function kindFor(status: number): string {
  return (STATUS_TITLES[status] ?? `http-${status}`).toLowerCase().replace(/\s+/g, '-');
}
