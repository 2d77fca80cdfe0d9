import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext } from './request-context';
import { requestIdFor } from './request-id';

/** Runs the rest of the request inside a {@link RequestContext} carrying its id, and echoes the id to the caller. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { id?: unknown }, res: ServerResponse, next: () => void): void {
    const requestId = typeof req.id === 'string' ? req.id : requestIdFor(req);
    res.setHeader('x-request-id', requestId);
    RequestContext.run({ requestId }, next);
  }
}
