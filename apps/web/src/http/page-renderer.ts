import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/view';
import type { Principal } from '@slp/platform';
import type { FormErrors } from './form-errors';

/** Areas of the header navigation; a page names its own so the link is marked current. */
export type NavigationArea = 'home' | 'learning' | 'programmes' | 'account' | 'staff' | 'none';

/** What every page's view model has: its `<h1>` (also the `<title>`), and the form's errors if it has any. */
export interface PageModel {
  readonly title: string;
  readonly errors?: FormErrors;
  readonly area?: NavigationArea;
  readonly [key: string]: unknown;
}

export type WebRequest = FastifyRequest & { user?: Principal | null };

/**
 * Renders a page inside the layout: the view model the controller mapped, plus what the layout
 * needs — the CSP nonce for inline scripts, the CSRF token for every form, whether someone is
 * signed in (for "Sign out"), and the form's errors in the shape the design system's macros take.
 */
@Injectable()
export class PageRenderer {
  render(request: WebRequest, reply: FastifyReply, template: string, model: PageModel, status = 200): FastifyReply {
    const { errors, area, ...rest } = model;
    const errorView = errors?.any ? errors.toView() : { errorList: [], fields: {} };
    return reply
      .status(status)
      .header('Content-Type', 'text/html; charset=utf-8')
      .view(template, {
        ...rest,
        errorList: errorView.errorList,
        fieldErrors: errorView.fields,
        area: area ?? 'none',
        signedIn: Boolean(request.user),
        // Held to the MFA set-up: the header offers no pages they could not open.
        mfaPending: Boolean(request.user?.mfaPending),
        isStaff: Boolean(request.user?.roles.some((role) => role !== 'participant')),
        cspNonce: (reply as FastifyReply & { cspNonce?: { script: string } }).cspNonce?.script,
        csrfToken: reply.generateCsrf(),
      }) as unknown as FastifyReply;
  }
}
