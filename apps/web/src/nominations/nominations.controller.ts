import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccessScope, Authenticated, ConflictError, EmailNotVerifiedError, formatLondon, InvalidInputError, NotFoundError, Public } from '@slp/platform';
import { Nomination, NominationsService, NominationStatus, targetLabel } from '@slp/talent';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Consent tokens are base64url; anything longer or of other characters is not one we sent. */
const TOKEN = /^[A-Za-z0-9_-]{16,200}$/;

const STATUS_TAGS: Readonly<Record<NominationStatus, { text: string; classes: string }>> = {
  submitted: { text: 'Submitted', classes: 'nhsuk-tag--grey' },
  awaiting_consent: { text: 'Waiting for your answer', classes: 'nhsuk-tag--orange' },
  consented: { text: 'You agreed', classes: 'nhsuk-tag--blue' },
  declined: { text: 'You declined', classes: 'nhsuk-tag--grey' },
  accepted: { text: 'Accepted', classes: 'nhsuk-tag--green' },
  rejected: { text: 'Not taken forward', classes: 'nhsuk-tag--red' },
  enrolled: { text: 'Enrolled', classes: 'nhsuk-tag--green' },
  withdrawn: { text: 'Withdrawn', classes: 'nhsuk-tag--grey' },
};

type Decision = 'consent' | 'decline';

/**
 * Nominations as the nominee sees them: answering from the emailed link without signing in (the
 * same single-use, expiring token and the same service as the API's token route), and, signed in,
 * their own nominations with the same answer.
 */
@Controller('nominations')
export class NominationsController {
  constructor(
    private readonly nominations: NominationsService,
    private readonly pages: PageRenderer,
  ) {}

  /** Opening the link changes nothing (mail scanners open links too): the answer is the form's. */
  @Public()
  @Get('respond')
  async respond(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('token') token: unknown): Promise<FastifyReply> {
    const preview = typeof token === 'string' && TOKEN.test(token) ? await this.nominations.previewByToken(token) : null;
    if (!preview || preview.state !== 'open') return this.linkNotValid(request, reply, preview);
    return this.respondPage(request, reply, token as string, preview.nomination, preview.targetLabel, new FormErrors(), '');
  }

  @Public()
  @Post('respond')
  async answerByToken(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const token = field(body, 'token');
    const decision = decisionOf(field(body, 'decision'));
    const preview = TOKEN.test(token) ? await this.nominations.previewByToken(token) : null;
    if (!preview || preview.state !== 'open') return this.linkNotValid(request, reply, preview);
    if (!decision) return this.respondPage(request, reply, token, preview.nomination, preview.targetLabel, new FormErrors().add('decision', 'Select whether you want to be considered'), field(body, 'notifyLineManager'), 400);
    let invitationSent = false;
    try {
      ({ invitationSent } = await this.nominations.answerByToken(token, decision, field(body, 'notifyLineManager') === 'yes'));
    } catch (error) {
      // Answered in another tab, or it expired between the page and the button.
      if (error instanceof InvalidInputError || error instanceof ConflictError) return this.linkNotValid(request, reply, { ...preview, state: 'used' });
      throw error;
    }
    return this.pages.render(request, reply, 'nominations/answered.njk', {
      title: decision === 'consent' ? 'Thank you: you have agreed to be considered' : 'You have declined the nomination',
      consented: decision === 'consent',
      nominatorName: fullName(preview.nomination.nominator),
      invitationSent,
    });
  }

  /** The signed-in nominee's own nominations (someone who has not verified their email is told how). */
  @Authenticated()
  @Get()
  async mine(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const flash = request.session.get('flash') ?? null;
    if (flash) request.session.set('flash', undefined);
    try {
      const page = await this.nominations.listMine(scope, { limit: 100 });
      return this.pages.render(request, reply, 'nominations/list.njk', { title: 'Your nominations', flash, nominations: page.items.map(toListView), unverified: false });
    } catch (error) {
      if (!(error instanceof EmailNotVerifiedError)) throw error;
      return this.pages.render(request, reply, 'nominations/list.njk', { title: 'Your nominations', flash, nominations: [], unverified: true });
    }
  }

  /** One nomination, for its nominee or the staff of its target's system (the emails' "View the nomination"); anyone else: page not found. */
  @Authenticated()
  @Get(':nominationId')
  async show(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('nominationId') id: string): Promise<FastifyReply> {
    if (!UUID.test(id)) throw NotFoundError.of('nomination');
    const view = await this.nominations.get(AccessScope.of(request.user!), id);
    return this.showPage(request, reply, view.nomination, new FormErrors());
  }

  @Authenticated()
  @Post(':nominationId/answer')
  async answer(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('nominationId') id: string, @Body() body: unknown): Promise<FastifyReply> {
    if (!UUID.test(id)) throw NotFoundError.of('nomination');
    const scope = AccessScope.of(request.user!);
    const { nomination } = await this.nominations.get(scope, id);
    if (nomination.nominee.id !== scope.personId) throw NotFoundError.of('nomination');
    const decision = decisionOf(field(body, 'decision'));
    if (!decision) return this.showPage(request, reply, nomination, new FormErrors().add('decision', 'Select whether you want to be considered'), 400);
    try {
      await this.nominations.answer(scope, id, decision, field(body, 'notifyLineManager') === 'yes');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      request.session.set('flash', `This nomination can no longer be answered: ${error.message}`);
      return reply.redirect('/nominations', 303);
    }
    request.session.set('flash', decision === 'consent' ? `You have agreed to be considered for ${targetLabel(nomination)}.` : `You have declined the nomination for ${targetLabel(nomination)}.`);
    return reply.redirect('/nominations', 303);
  }

  private respondPage(request: WebRequest, reply: FastifyReply, token: string, nomination: Nomination, target: string, errors: FormErrors, notifyLineManager: string, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'nominations/respond.njk', {
      title: 'You have been nominated',
      errors,
      token,
      action: '/nominations/respond',
      nomination: toDetailView(nomination, target),
      hasLineManager: Boolean(nomination.nominee.lineManagerEmail),
      notifyLineManager: notifyLineManager === 'yes',
    }, status);
  }

  private showPage(request: WebRequest, reply: FastifyReply, nomination: Nomination, errors: FormErrors, status = 200): FastifyReply {
    const own = nomination.nominee.id === request.user!.personId;
    return this.pages.render(request, reply, 'nominations/show.njk', {
      title: own ? 'Your nomination' : `Nomination of ${fullName(nomination.nominee)}`,
      errors,
      nomination: toDetailView(nomination, targetLabel(nomination)),
      tag: STATUS_TAGS[nomination.status],
      canAnswer: own && nomination.status === 'awaiting_consent',
      action: `/nominations/${nomination.id}/answer`,
      hasLineManager: own && Boolean(nomination.nominee.lineManagerEmail),
      notifyLineManager: false,
    }, status);
  }

  /** Used, expired or never ours: say so, and whom to ask when we know. */
  private linkNotValid(request: WebRequest, reply: FastifyReply, preview: { state: 'open' | 'expired' | 'used'; nomination: Nomination; targetLabel: string } | null): FastifyReply {
    const nomination = preview?.nomination ?? null;
    return this.pages.render(request, reply, 'nominations/link-not-valid.njk', {
      title: 'This link has been used or has expired',
      expired: preview?.state === 'expired',
      nominator: nomination ? { name: fullName(nomination.nominator), email: nomination.nominator.email } : null,
      target: preview?.targetLabel ?? null,
    }, nomination ? 410 : 404);
  }
}

function decisionOf(value: string): Decision | null {
  return value === 'consent' || value === 'decline' ? value : null;
}

function fullName(person: { givenName: string; familyName: string }): string {
  return `${person.givenName} ${person.familyName}`;
}

function toDetailView(nomination: Nomination, target: string) {
  return {
    id: nomination.id,
    nominatorName: fullName(nomination.nominator),
    nominatorEmail: nomination.nominator.email,
    target,
    rationale: nomination.rationale,
    expiresAt: nomination.status === 'awaiting_consent' && nomination.consentTokenExpiresAt ? formatLondon(nomination.consentTokenExpiresAt) : null,
  };
}

function toListView(nomination: Nomination) {
  return {
    id: nomination.id,
    target: targetLabel(nomination),
    nominatorName: fullName(nomination.nominator),
    tag: STATUS_TAGS[nomination.status],
    awaiting: nomination.status === 'awaiting_consent',
  };
}
