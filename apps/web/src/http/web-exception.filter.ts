import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { DomainError, MfaRequiredError, RateLimitedError } from '@slp/platform';
import { PageRenderer, WebRequest } from './page-renderer';
import { SignInRequiredError } from './sign-in-required.error';

/** Fastify's own errors (body parsing, CSRF) carry a status code. */
interface StatusError {
  readonly statusCode?: number;
  readonly code?: string;
}

/**
 * Every error, whatever throws it, becomes a page (never a stack trace or JSON): sign in when a
 * page needs it, 403 for a refused request (a missing or wrong CSRF token included, before
 * anything changed), 404, and 500 with an error id that is also in the log.
 */
@Catch()
export class WebExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebErrors');

  constructor(private readonly pages: PageRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<WebRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof SignInRequiredError) {
      const query = new URLSearchParams({ returnTo: exception.returnTo, ...(exception.timedOut ? { timedOut: '1' } : {}) });
      void reply.redirect(`/sign-in?${query.toString()}`, 303);
      return;
    }
    if (exception instanceof MfaRequiredError) {
      // Held to the set-up until multi-factor sign-in is on and they sign in again with a code.
      void reply.redirect('/account/security', 303);
      return;
    }
    const status = statusOf(exception);
    if (status === 403) {
      this.pages.render(request, reply, 'errors/forbidden.njk', { title: 'You do not have access to this page' }, 403);
      return;
    }
    if (status === 404) {
      this.pages.render(request, reply, 'errors/not-found.njk', { title: 'Page not found' }, 404);
      return;
    }
    if (status === 429) {
      if (exception instanceof RateLimitedError) void reply.header('Retry-After', String(exception.retryAfterSeconds));
      this.pages.render(request, reply, 'errors/problem.njk', { title: 'Too many requests', detail: exception instanceof Error ? exception.message : 'Try again in a few minutes.' }, 429);
      return;
    }
    if (status && status >= 400 && status < 500) {
      // A request no page of ours sends (a malformed body, a changed form): say so plainly.
      const detail = exception instanceof DomainError ? exception.message : 'Go back and try again.';
      this.pages.render(request, reply, 'errors/problem.njk', { title: 'Sorry, we could not do that', detail }, status);
      return;
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId }, `Unhandled error ${errorId}`);
    try {
      this.pages.render(request, reply, 'errors/server-error.njk', { title: 'Sorry, there is a problem with the service', errorId }, 500);
    } catch {
      // The layout itself failed (no session yet, say): a plain page still carries the id.
      void reply.status(500).header('Content-Type', 'text/plain; charset=utf-8').send(`Sorry, there is a problem with the service. Error id: ${errorId}`);
    }
  }
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof DomainError) return exception.status;
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as StatusError | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
