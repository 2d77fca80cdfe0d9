import { BadRequestException, ConsoleLogger, ForbiddenException, HttpException, Logger, LoggerService, NotFoundException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { FastifyRequest } from 'fastify';
import { ConflictError, DomainError, ForbiddenError, InvalidInputError, NotAuthenticatedError, NotFoundError, RateLimitedError } from './domain-errors';
import { ProblemDetailsFilter } from './problem-details.filter';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from './problem-details';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A Fastify reply stand-in that records what the filter sends. */
class RecordedReply {
  statusCode?: number;
  readonly headers: Record<string, string> = {};
  body?: ProblemDetails;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  send(body: ProblemDetails): this {
    this.body = body;
    return this;
  }
}

function hostFor(url: string, reply: RecordedReply): ArgumentsHost {
  const request = { url, method: 'GET' } as FastifyRequest;
  return { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
}

function send(exception: unknown, url = '/api/v1/cohorts/42?email=grace%40nhs.example'): RecordedReply {
  const reply = new RecordedReply();
  new ProblemDetailsFilter().catch(exception, hostFor(url, reply));
  return reply;
}

/** Captures what the filter logs, so a 500's error id can be found in the log. */
class CapturingLogger implements LoggerService {
  readonly errors: unknown[][] = [];
  log(): void {}
  warn(): void {}
  error(...args: unknown[]): void {
    this.errors.push(args);
  }
}

describe('ProblemDetailsFilter', () => {
  let logger: CapturingLogger;

  beforeEach(() => {
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
  });

  afterAll(() => {
    Logger.overrideLogger(new ConsoleLogger());
  });

  describe('typed domain errors', () => {
    it.each([
      [new InvalidInputError('Bad dates.'), 400, 'Invalid input', 'invalid-input'],
      [new NotAuthenticatedError('Sign in first.'), 401, 'Not authenticated', 'not-authenticated'],
      [new ForbiddenError('Not yours.'), 403, 'Forbidden', 'forbidden'],
      [NotFoundError.of('cohort', '42'), 404, 'Not found', 'not-found'],
      [new ConflictError('Already enrolled.'), 409, 'Conflict', 'conflict'],
      [new RateLimitedError('Slow down.', 60), 429, 'Too many requests', 'rate-limited'],
    ])('maps %p to its status, title and type, with its message as the detail', (error: DomainError, status, title, kind) => {
      const reply = send(error);

      expect(reply.statusCode).toBe(status);
      expect(reply.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
      expect(reply.body).toEqual({ type: problemType(kind), title, status, detail: error.message, instance: '/api/v1/cohorts/42' });
    });

    it('lists the invalid fields of an InvalidInputError', () => {
      const errors = [{ field: 'capacity', message: 'capacity must be at least 1' }];

      const reply = send(new InvalidInputError('The request has an invalid field: capacity.', errors));

      expect(reply.statusCode).toBe(400);
      expect(reply.body?.errors).toEqual(errors);
    });

    it('says when to retry after a rate limit', () => {
      const reply = send(new RateLimitedError('Too many sign-in attempts.', 120));

      expect(reply.statusCode).toBe(429);
      expect(reply.headers['retry-after']).toBe('120');
    });

    it('phrases a hidden object as not visible, so ids cannot be probed', () => {
      expect(send(NotFoundError.of('system', 'abc')).body?.detail).toBe('No system abc is visible to you.');
    });

    it('keeps the query string, which may hold personal data, out of the instance', () => {
      const reply = send(new ForbiddenError('No.'), '/api/v1/people?email=grace%40nhs.example&name=Grace');

      expect(reply.body?.instance).toBe('/api/v1/people');
    });
  });

  describe('database constraint violations', () => {
    it('answers 409 for a unique constraint violation without exposing the constraint or SQL', () => {
      const driverError = Object.assign(new Error('duplicate key value violates unique constraint "person_email_unique" Key (email)=(grace@nhs.example) already exists.'), { code: '23505' });

      const reply = send(new UniqueConstraintViolationException(driverError));

      expect(reply.statusCode).toBe(409);
      expect(reply.body).toMatchObject({ type: problemType('conflict'), title: 'Conflict', status: 409 });
      expect(JSON.stringify(reply.body)).not.toMatch(/person_email_unique|grace@nhs\.example|duplicate key/);
    });

    it('answers 400 for a reference to something that does not exist', () => {
      const driverError = Object.assign(new Error('insert or update on table "organisation" violates foreign key constraint "organisation_system_id_foreign"'), { code: '23503' });

      const reply = send(new ForeignKeyConstraintViolationException(driverError));

      expect(reply.statusCode).toBe(400);
      expect(reply.body).toMatchObject({ type: problemType('invalid-reference'), status: 400 });
      expect(JSON.stringify(reply.body)).not.toContain('organisation_system_id_foreign');
    });
  });

  describe('Nest HTTP exceptions', () => {
    it('maps a NotFoundException (an unknown route) to a 404 problem that does not repeat the URL', () => {
      const reply = send(new NotFoundException('Cannot GET /api/v1/nothing?token=s3cr3t-consent-token'), '/api/v1/nothing?token=s3cr3t-consent-token');

      expect(reply.statusCode).toBe(404);
      expect(reply.body).toMatchObject({ type: problemType('not-found'), title: 'Not found', status: 404, detail: 'There is no such route. Check the method and the address.', instance: '/api/v1/nothing' });
      expect(JSON.stringify(reply.body)).not.toContain('s3cr3t-consent-token');
    });

    it('joins a list of messages into one detail', () => {
      const reply = send(new BadRequestException(['name must be a string', 'capacity must be a number']));

      expect(reply.statusCode).toBe(400);
      expect(reply.body).toMatchObject({ type: problemType('invalid-input'), title: 'Invalid input', detail: 'name must be a string; capacity must be a number' });
    });

    it('maps a ForbiddenException to a 403 problem', () => {
      expect(send(new ForbiddenException('Forbidden resource')).body).toMatchObject({ status: 403, title: 'Forbidden', type: problemType('forbidden') });
    });

    it('keeps an unusual status code and names its type after it', () => {
      const reply = send(new HttpException('I am a teapot', 418));

      expect(reply.statusCode).toBe(418);
      expect(reply.body).toMatchObject({ status: 418, type: problemType('http-418'), detail: 'I am a teapot' });
    });
  });

  describe('Fastify client errors', () => {
    it('maps an unsupported media type to 415', () => {
      const error = Object.assign(new Error('Unsupported Media Type: text/plain'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });

      const reply = send(error);

      expect(reply.statusCode).toBe(415);
      expect(reply.body).toMatchObject({ type: problemType('unsupported-media-type'), title: 'Unsupported media type', detail: 'Unsupported Media Type: text/plain' });
    });

    it('maps a body that is too large to 413', () => {
      const error = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });

      expect(send(error).statusCode).toBe(413);
    });
  });

  describe('unexpected errors', () => {
    it('answers 500 with an error id and none of the internal message', () => {
      const reply = send(new TypeError("Cannot read properties of undefined (reading 'passwordHash') at connect password=s3cret"));

      expect(reply.statusCode).toBe(500);
      expect(reply.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
      expect(reply.body).toMatchObject({ type: problemType('internal'), title: 'Internal server error', status: 500, errorId: expect.stringMatching(UUID) });
      expect(reply.body?.detail).toContain(reply.body!.errorId!);
      expect(JSON.stringify(reply.body)).not.toMatch(/passwordHash|s3cret|TypeError|Cannot read/);
    });

    it('logs the error with the same error id the caller sees', () => {
      const cause = new Error('pool exhausted');

      const reply = send(cause);

      const errorId = reply.body!.errorId!;
      expect(logger.errors).toHaveLength(1);
      expect(JSON.stringify(logger.errors[0])).toContain(errorId);
      expect(logger.errors[0]![0]).toMatchObject({ err: cause, errorId });
    });

    it('gives every failure its own error id', () => {
      const first = send(new Error('one')).body!.errorId;
      const second = send(new Error('two')).body!.errorId;

      expect(first).not.toBe(second);
    });

    it('treats something thrown that is not an Error as a 500 too', () => {
      const reply = send('a string was thrown');

      expect(reply.statusCode).toBe(500);
      expect(JSON.stringify(reply.body)).not.toContain('a string was thrown');
    });

    it('treats an error claiming a 5xx status code as an internal error, not a client error', () => {
      const reply = send(Object.assign(new Error('upstream exploded at 10.0.0.5'), { statusCode: 502 }));

      expect(reply.statusCode).toBe(500);
      expect(reply.body?.errorId).toMatch(UUID);
      expect(JSON.stringify(reply.body)).not.toContain('10.0.0.5');
    });
  });
});
