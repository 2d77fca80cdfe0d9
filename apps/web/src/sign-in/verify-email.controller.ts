import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EmailVerificationService } from '@slp/identity';
import { ConflictError, InvalidInputError, NotFoundError, Public } from '@slp/platform';
import { field } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';

/**
 * The verification email's link. Opening it only shows a button: a mail scanner following the
 * link must not use it up; the person's own click (a form post) does.
 */
@Controller('verify-email')
export class VerifyEmailController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly pages: PageRenderer,
  ) {}

  @Public()
  @Get()
  show(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('token') token: unknown): FastifyReply {
    if (typeof token !== 'string' || !token) return this.failed(request, reply, 'This link is not complete. Check you copied the whole link from the email.', 400);
    return this.pages.render(request, reply, 'sign-in/verify-email.njk', { title: 'Confirm your email address', token });
  }

  @Public()
  @Post()
  async confirm(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const token = field(body, 'token');
    if (!token) return this.failed(request, reply, 'This link is not complete. Check you copied the whole link from the email.', 400);
    try {
      await this.verification.verify(token);
    } catch (error) {
      if (error instanceof NotFoundError) return this.failed(request, reply, error.message, 404);
      if (error instanceof ConflictError) return this.failed(request, reply, error.message, 409);
      if (error instanceof InvalidInputError) return this.failed(request, reply, error.message, 400);
      throw error;
    }
    return this.pages.render(request, reply, 'sign-in/email-verified.njk', { title: 'Email address confirmed' });
  }

  private failed(request: WebRequest, reply: FastifyReply, detail: string, status: number): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/verify-email-failed.njk', { title: 'This link cannot be used', detail }, status);
  }
}
