import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OrganisationsService } from '@slp/directory';
import { AuthService } from '@slp/identity';
import { InvalidInputError, MIN_PASSWORD_LENGTH, Public, RateLimitedError } from '@slp/platform';
import { field, FormErrors, looksLikeEmail } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the person typed, kept when the form comes back (never the password). */
interface RegisterForm {
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly organisationQuery: string;
  readonly organisationId: string;
}

interface OrganisationChoice {
  readonly value: string;
  readonly text: string;
  readonly hint: { readonly text: string };
  readonly checked: boolean;
}

/**
 * Self-registration. The organisation is found by a search that is an ordinary form submission
 * (the "Search" button posts the form back with matching organisations as radios), so it works
 * without JavaScript.
 */
@Controller('register')
export class RegisterController {
  constructor(
    private readonly auth: AuthService,
    private readonly organisations: OrganisationsService,
    private readonly pages: PageRenderer,
  ) {}

  @Public()
  @Get()
  show(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    if (request.user) return reply.redirect('/learning', 303);
    return this.page(request, reply, { givenName: '', familyName: '', email: '', organisationQuery: '', organisationId: '' }, [], new FormErrors(), false);
  }

  @Public()
  @Post()
  async submit(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const form: RegisterForm = {
      givenName: field(body, 'givenName'),
      familyName: field(body, 'familyName'),
      email: field(body, 'email'),
      organisationQuery: field(body, 'organisationQuery'),
      organisationId: field(body, 'organisationId'),
    };
    const found = await this.organisations.search(form.organisationQuery);
    const choices = found.map((o) => ({ value: o.id, text: o.name, hint: { text: `${o.odsCode}, ${o.system.name}` }, checked: o.id === form.organisationId }));
    const errors = new FormErrors();
    if (field(body, 'action') === 'search') {
      if (!form.organisationQuery) errors.add('organisationQuery', 'Enter the name or ODS code of your organisation');
      else if (!choices.length) errors.add('organisationQuery', 'No organisation matches your search: try part of its name, or its ODS code');
      return this.page(request, reply, form, choices, errors, true, errors.any ? 400 : 200);
    }

    const password = typeof (body as Record<string, unknown> | null)?.password === 'string' ? (body as Record<string, string>).password! : '';
    if (!form.givenName) errors.add('givenName', 'Enter your first name');
    else if (form.givenName.length > 100) errors.add('givenName', 'First name must be 100 characters or fewer');
    if (!form.familyName) errors.add('familyName', 'Enter your last name');
    else if (form.familyName.length > 100) errors.add('familyName', 'Last name must be 100 characters or fewer');
    if (!form.email) errors.add('email', 'Enter your email address');
    else if (!looksLikeEmail(form.email)) errors.add('email', 'Enter an email address in the correct format, like name@nhs.net');
    if (form.organisationQuery && !choices.some((choice) => choice.checked)) errors.add(choices.length ? 'organisationId' : 'organisationQuery', choices.length ? 'Select your organisation' : 'No organisation matches your search: try part of its name, or its ODS code');
    if (!form.organisationQuery && form.organisationId && !UUID.test(form.organisationId)) errors.add('organisationQuery', 'Search for your organisation');
    if (!password) errors.add('password', 'Enter a password');
    else if (password.length < MIN_PASSWORD_LENGTH) errors.add('password', `Password must be ${MIN_PASSWORD_LENGTH} characters or more`);
    else if (password.length > 256) errors.add('password', 'Password must be 256 characters or fewer');
    if (errors.any) return this.page(request, reply, form, choices, errors, Boolean(form.organisationQuery), 400);

    const organisationId = choices.find((choice) => choice.checked)?.value;
    try {
      await this.auth.register({ email: form.email, password, givenName: form.givenName, familyName: form.familyName, organisationId }, request.ip);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        return this.page(request, reply, form, choices, errors.add('email', 'Too many accounts have been created from here recently. Try again later.'), true, 429);
      }
      if (error instanceof InvalidInputError) return this.page(request, reply, form, choices, errors.add('organisationQuery', 'Search for your organisation again and select it'), true, 400);
      throw error;
    }
    // The same page whether or not the address was known: what to do next arrives by email.
    return this.pages.render(request, reply, 'sign-in/registered.njk', { title: 'Check your email' });
  }

  private page(request: WebRequest, reply: FastifyReply, form: RegisterForm, choices: OrganisationChoice[], errors: FormErrors, searched: boolean, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'sign-in/register.njk', { title: 'Create an account', errors, form, choices, searched }, status);
  }
}
