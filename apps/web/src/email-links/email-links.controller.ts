import { Body, Controller, Get, Headers, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InvitationsService } from '@slp/identity';
import { NotificationPreferencesService } from '@slp/notifications';
import { ConflictError, InvalidInputError, MIN_PASSWORD_LENGTH, Public } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';

/** Tokens we email are base64url (invitations, verification) or `<uuid>.<base64url>` (unsubscribe). */
const TOKEN = /^[A-Za-z0-9_.-]{16,200}$/;

function tokenOf(value: unknown): string {
  return typeof value === 'string' && TOKEN.test(value) ? value : '';
}

/**
 * The pages emailed links open without signing in: setting a password from an invitation, and
 * stopping session reminders (confirming an email address is the sign-in area's). Opening a link never changes
 * anything (mail scanners open links too); each page's button does, through the same services as
 * the API's routes.
 */
@Controller()
export class EmailLinksController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly preferences: NotificationPreferencesService,
    private readonly pages: PageRenderer,
  ) {}

  /** A nominee or imported person sets a password; the invitation is checked when it is used (single use, expiring). */
  @Public()
  @Get('invitation')
  invitation(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('token') token: unknown): FastifyReply {
    const valid = tokenOf(token);
    if (!valid) return this.invitationNotValid(request, reply);
    return this.invitationPage(request, reply, valid, new FormErrors());
  }

  @Public()
  @Post('invitation')
  async acceptInvitation(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const token = tokenOf(field(body, 'token'));
    if (!token) return this.invitationNotValid(request, reply);
    const raw = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const password = typeof raw.password === 'string' ? raw.password : '';
    const confirmation = typeof raw.confirmPassword === 'string' ? raw.confirmPassword : '';
    const errors = new FormErrors();
    if (!password) errors.add('password', 'Enter a password');
    else if (password.length < MIN_PASSWORD_LENGTH) errors.add('password', `Password must be ${MIN_PASSWORD_LENGTH} characters or more`);
    else if (password.length > 256) errors.add('password', 'Password must be 256 characters or fewer');
    if (!errors.any && confirmation !== password) errors.add('confirmPassword', 'Enter the same password twice');
    if (errors.any) return this.invitationPage(request, reply, token, errors, 400);
    try {
      await this.invitations.accept(token, password);
    } catch (error) {
      if (error instanceof InvalidInputError) return this.invitationNotValid(request, reply);
      if (error instanceof ConflictError) return this.pages.render(request, reply, 'email-links/done.njk', { title: 'You already have an account', body: 'Sign in with your email address and password.', signIn: true }, 409);
      throw error;
    }
    return this.pages.render(request, reply, 'email-links/done.njk', { title: 'Your account is ready', body: 'You can now sign in with your email address and the password you chose.', signIn: true });
  }

  @Public()
  @Get('unsubscribe')
  unsubscribePage(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('token') token: unknown): FastifyReply {
    const valid = tokenOf(token);
    if (!valid || !this.preferences.isValidUnsubscribeToken(valid)) return this.unsubscribeNotValid(request, reply);
    return this.pages.render(request, reply, 'email-links/unsubscribe.njk', { title: 'Stop session reminders', token: valid });
  }

  /**
   * The page's button (with its CSRF token), or a mail client's RFC 8058 one-click POST of
   * `List-Unsubscribe=One-Click` to the link itself (no cookie, no CSRF token: the signed token
   * in the link is the authority, and it can only switch reminders off).
   */
  @Public()
  @Post('unsubscribe')
  async unsubscribe(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('token') queryToken: unknown, @Body() body: unknown, @Headers('accept') accept: string | undefined): Promise<FastifyReply> {
    const oneClick = isOneClickUnsubscribe(body);
    const token = tokenOf(field(body, 'token')) || tokenOf(queryToken);
    if (!token || !this.preferences.isValidUnsubscribeToken(token)) {
      if (oneClick && !accept?.includes('text/html')) return reply.status(400).send();
      return this.unsubscribeNotValid(request, reply);
    }
    await this.preferences.unsubscribe(token);
    if (oneClick && !accept?.includes('text/html')) return reply.status(204).send();
    return this.pages.render(request, reply, 'email-links/done.njk', {
      title: 'You have stopped session reminders',
      body: 'You will still get emails about your applications, places and changes to your sessions. You can switch reminders back on in your account.',
      preferencesLink: true,
    });
  }

  private invitationPage(request: WebRequest, reply: FastifyReply, token: string, errors: FormErrors, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'email-links/invitation.njk', { title: 'Set up your account', errors, token, minLength: MIN_PASSWORD_LENGTH }, status);
  }

  private invitationNotValid(request: WebRequest, reply: FastifyReply): FastifyReply {
    return this.pages.render(request, reply, 'email-links/done.njk', {
      title: 'This link has been used or has expired',
      body: 'Invitation links work once, for 14 days. If you have already set your password, sign in. Otherwise ask the person who invited you to send a new invitation.',
      signIn: true,
    }, 410);
  }

  private unsubscribeNotValid(request: WebRequest, reply: FastifyReply): FastifyReply {
    return this.pages.render(request, reply, 'email-links/done.njk', {
      title: 'This link is not valid',
      body: 'Check you copied the whole link from the email. You can also switch reminders off in your account.',
      preferencesLink: true,
    }, 400);
  }
}

/** RFC 8058 §3.1: the one-click request's body is exactly `List-Unsubscribe=One-Click`. */
export function isOneClickUnsubscribe(body: unknown): boolean {
  return field(body, 'List-Unsubscribe') === 'One-Click';
}
