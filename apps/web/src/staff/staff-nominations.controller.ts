import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Nomination, NominationsService, Readiness } from '@slp/talent';
import { AccessScope, ConflictError, formatLondon, NotFoundError, Roles } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { isId } from '../learning/learning-labels';

const READINESS_LABELS: Readonly<Record<Readiness, string>> = { ready_now: 'Ready now', ready_1_2_years: 'Ready in 1 to 2 years', ready_3_plus_years: 'Ready in 3 years or more' };
const REASON_MAX = 1000;

/**
 * Deciding consented nominations: the nominee has agreed, and a lead or admin of the target's
 * system accepts (a cohort place, or membership of the programme or pool) or rejects with a
 * reason. The talent service scopes, audits and emails.
 */
@Controller('staff/nominations')
@Roles('programme_lead', 'admin')
export class StaffNominationsController {
  constructor(
    private readonly nominations: NominationsService,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  async list(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const page = await this.nominations.list(scope, { status: 'consented' }, { limit: 100 });
    const flash = request.session.get('flash') ?? null;
    if (flash) request.session.set('flash', undefined);
    return this.pages.render(request, reply, 'staff/nominations.njk', {
      title: 'Nominations to decide',
      area: 'staff',
      flash,
      nominations: page.items.map((n) => ({ id: n.id, ...describe(n) })),
      more: Boolean(page.nextCursor),
    });
  }

  @Post(':nominationId/accept')
  async accept(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('nominationId') id: string): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('nomination');
    const scope = AccessScope.of(request.user!);
    const { nomination } = await this.nominations.get(scope, id);
    try {
      await this.nominations.accept(scope, id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      request.session.set('flash', `The nomination of ${describe(nomination).nominee} could not be accepted: ${error.message}`);
      return reply.redirect('/staff/nominations', 303);
    }
    request.session.set('flash', `You accepted the nomination of ${describe(nomination).nominee}. We have emailed them.`);
    return reply.redirect('/staff/nominations', 303);
  }

  @Get(':nominationId/reject')
  async rejectPage(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('nominationId') id: string): Promise<FastifyReply> {
    const nomination = await this.find(request, id);
    return this.rejectForm(request, reply, nomination, '', new FormErrors(), 200);
  }

  @Post(':nominationId/reject')
  async reject(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('nominationId') id: string): Promise<FastifyReply> {
    const nomination = await this.find(request, id);
    const reason = field(request.body, 'reason');
    const errors = new FormErrors();
    if (!reason) errors.add('reason', 'Enter the reason for rejecting the nomination');
    else if (reason.length > REASON_MAX) errors.add('reason', `The reason must be ${REASON_MAX} characters or fewer`);
    if (errors.any) return this.rejectForm(request, reply, nomination, reason, errors, 422);
    try {
      await this.nominations.reject(AccessScope.of(request.user!), id, reason);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return this.rejectForm(request, reply, nomination, reason, new FormErrors().add('reason', error.message), 409);
    }
    request.session.set('flash', `You rejected the nomination of ${describe(nomination).nominee}. We have emailed them the reason.`);
    return reply.redirect('/staff/nominations', 303);
  }

  /** A nomination the caller may decide; anyone else's is a page that does not exist (as in the API). */
  private async find(request: WebRequest, id: string): Promise<Nomination> {
    if (!isId(id)) throw NotFoundError.of('nomination');
    const scope = AccessScope.of(request.user!);
    const { nomination } = await this.nominations.get(scope, id);
    // The nominee may read their own nomination, but deciding it is for the target's staff.
    if (nomination.nominee.id === scope.personId) throw NotFoundError.of('nomination', id);
    return nomination;
  }

  private rejectForm(request: WebRequest, reply: FastifyReply, nomination: Nomination, reason: string, errors: FormErrors, status: number): FastifyReply {
    return this.pages.render(request, reply, 'staff/nomination-reject.njk', { title: `Reject the nomination of ${describe(nomination).nominee}`, area: 'staff', errors, nominationId: nomination.id, target: describe(nomination).target, reason }, status);
  }
}

function describe(n: Nomination) {
  const target = n.cohort ? `Cohort: ${n.cohort.name}` : n.programme ? `Programme: ${n.programme.title}` : n.talentPool ? `Talent pool: ${n.talentPool.name}` : '';
  return {
    nominee: `${n.nominee.givenName} ${n.nominee.familyName}`,
    nominator: `${n.nominator.givenName} ${n.nominator.familyName}`,
    target,
    readiness: READINESS_LABELS[n.readiness],
    grid: `Performance ${n.performance}, potential ${n.potential}`,
    rationale: n.rationale,
    since: formatLondon(n.createdAt),
  };
}
