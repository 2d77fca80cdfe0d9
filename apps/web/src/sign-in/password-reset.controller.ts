import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PasswordService } from '@slp/identity';
import { ConflictError, InvalidInputError, MIN_PASSWORD_LENGTH, NotFoundError, Public, RateLimitedError } from '@slp/platform';
import { field, FormErrors, looksLikeEmail } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { minutes } from './sign-in.controller';

/** Longer than any token we send (43 base64url characters): anything longer is not ours. */
const MAX_TOKEN_LENGTH = 200;

/**
 * "Forgotten your password?": a single-use link by email (the same page whether or not the address
 * has an account), then a new password from the link. Opening the link only shows the form; the
 * person's own post uses it up, ending every session of the account.
 */
@Controller()
export class PasswordResetController {
  constructor(
    private readonly passwords: PasswordService,
    private readonly pages: PageRenderer,
  ) {}

  @Public()
  @Get('forgotten-password')
  showRequest(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.requestPage(request, reply, '', new FormErrors());
  }

  @Public()
  @Post('forgotten-password')
  async request(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const email = field(body, 'email');
    const errors = new FormErrors();
    if (!email) errors.add('email', 'Enter your email address');
    else if (!looksLikeEmail(email)) errors.add('email', 'Enter an email address in the correct format, like name@nhs.net');
    if (errors.any) return this.requestPage(request, reply, email, errors, 400);
    try {
      await this.passwords.requestPasswordReset(email, request.ip);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      void reply.header('Retry-After', String(error.retryAfterSeconds));
      return this.requestPage(request, reply, email, errors.add('email', `Too many reset links have been asked for from your network. Try again in ${minutes(error.retryAfterSeconds)}.`), 429);
    }
    // The same answer whatever the platform knows of the address.
    return this.pages.render(request, reply, 'sign-in/reset-link-sent.njk', { title: 'Check your email' });
  }

  @Public()
  @Get('reset-password')
  async showReset(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('token') token: unknown): Promise<FastifyReply> {
    if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) return this.failed(request, reply, 'This link is not complete. Check you copied the whole link from the email.', 400);
    try {
      await this.passwords.checkPasswordResetLink(token);
    } catch (error) {
      const refused = this.refusal(error);
      if (refused) return this.failed(request, reply, refused.detail, refused.status);
      throw error;
    }
    return this.resetPage(request, reply, token, new FormErrors());
  }

  @Public()
  @Post('reset-password')
  async reset(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const token = field(body, 'token');
    if (!token || token.length > MAX_TOKEN_LENGTH) return this.failed(request, reply, 'This link is not complete. Check you copied the whole link from the email.', 400);
    const raw = (body as Record<string, unknown> | null)?.password;
    const password = typeof raw === 'string' ? raw : '';
    const errors = new FormErrors();
    if (!password) errors.add('password', 'Enter a new password');
    else if (password.length < MIN_PASSWORD_LENGTH) errors.add('password', `Password must be ${MIN_PASSWORD_LENGTH} characters or more`);
    else if (password.length > 256) errors.add('password', 'Password must be 256 characters or fewer');
    if (errors.any) return this.resetPage(request, reply, token, errors, 400);
    try {
      await this.passwords.confirmPasswordReset(token, password);
    } catch (error) {
      const refused = this.refusal(error);
      if (refused) return this.failed(request, reply, refused.detail, refused.status);
      throw error;
    }
    return this.pages.render(request, reply, 'sign-in/password-saved.njk', { title: 'Your password has been changed' });
  }

  /** Why a link cannot be used: not one we sent, used (or replaced by a newer one), expired, or the account is gone. */
  private refusal(error: unknown): { detail: string; status: number } | null {
    if (error instanceof NotFoundError) return { detail: error.message, status: 404 };
    if (error instanceof ConflictError) return { detail: error.message, status: 409 };
    if (error instanceof InvalidInputError) return { detail: error.message, status: 400 };
    return null;
  }

  private requestPage(request: WebRequest, reply: FastifyReply, email: string, errors: FormErrors, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/forgotten-password.njk', { title: 'Reset your password', errors, email }, status);
  }

  private resetPage(request: WebRequest, reply: FastifyReply, token: string, errors: FormErrors, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/reset-password.njk', { title: 'Create a new password', errors, token }, status);
  }

  private failed(request: WebRequest, reply: FastifyReply, detail: string, status: number): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/reset-link-failed.njk', { title: 'This link cannot be used', detail }, status);
  }
}
