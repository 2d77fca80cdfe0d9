import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CohortsService, ProgrammeAccess } from '@slp/learning';
import { OrganisationsService } from '@slp/directory';
import { Nomination, NominationsService, NomineeInput, READINESS, Readiness } from '@slp/talent';
import { AccessScope, ConflictError, DomainError, formatLondon, NotFoundError, Roles } from '@slp/platform';
import { field, FormErrors, looksLikeEmail } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { isId, londonDate } from '../learning/learning-labels';
import { StaffQueries } from './staff-queries';

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
    private readonly cohorts: CohortsService,
    private readonly organisations: OrganisationsService,
    private readonly queries: StaffQueries,
    private readonly pages: PageRenderer,
  ) {}

  /** "Nominate someone": for a cohort the caller runs; the nominee is someone in their systems, or anyone by email. */
  @Get('new')
  newPage(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.nominateForm(request, reply, {}, new FormErrors(), 200);
  }

  @Post('new')
  async nominate(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const form = NOMINATE_FIELDS.reduce<Record<string, string>>((all, name) => ({ ...all, [name]: field(request.body, name) }), {});
    if (field(request.body, 'action') === 'search') {
      const errors = new FormErrors();
      if (!form.q) errors.add('q', 'Enter a name or email address to search for');
      return this.nominateForm(request, reply, form, errors, errors.any ? 422 : 200);
    }
    const errors = new FormErrors();
    if (!isId(form.cohortId!)) errors.add('cohortId', 'Select the cohort you nominate them for');
    let nominee: NomineeInput | null = null;
    if (form.nomineeKind === 'existing') {
      if (!isId(form.personId!)) errors.add(form.q ? 'personId' : 'q', form.q ? 'Select the person to nominate' : 'Search for the person to nominate');
      else nominee = { personId: form.personId! };
    } else if (form.nomineeKind === 'email') {
      if (!looksLikeEmail(form.email!)) errors.add('email', 'Enter an email address in the correct format, like name@nhs.net');
      if (!form.givenName || form.givenName.length > 100) errors.add('givenName', 'Enter their first name (up to 100 characters)');
      if (!form.familyName || form.familyName.length > 100) errors.add('familyName', 'Enter their last name (up to 100 characters)');
      if (!isId(form.organisationId!)) errors.add('organisationId', 'Select the organisation they work for');
      if (!errors.any) nominee = { email: form.email!, givenName: form.givenName!, familyName: form.familyName!, organisationId: form.organisationId! };
    } else {
      errors.add('nomineeKind', 'Choose how to find the person you nominate');
    }
    if (!(READINESS as readonly string[]).includes(form.readiness!)) errors.add('readiness', 'Choose how ready they are');
    if (!['1', '2', '3'].includes(form.performance!)) errors.add('performance', 'Choose their performance, from 1 to 3');
    if (!['1', '2', '3'].includes(form.potential!)) errors.add('potential', 'Choose their potential, from 1 to 3');
    if (!form.rationale) errors.add('rationale', 'Enter why you nominate them');
    else if (form.rationale.length > 5000) errors.add('rationale', 'Why you nominate them must be 5000 characters or fewer');
    if (errors.any || !nominee) return this.nominateForm(request, reply, form, errors, 422);
    try {
      await this.nominations.create(scope, { nominee, cohortId: form.cohortId!, readiness: form.readiness as Readiness, performance: Number(form.performance), potential: Number(form.potential), rationale: form.rationale! });
    } catch (error) {
      // Refusals of this nomination (not in the target's system, already nominated, no such person) are said on the form.
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      const at = form.nomineeKind === 'existing' ? (form.q ? 'personId' : 'q') : 'email';
      return this.nominateForm(request, reply, form, new FormErrors().add(at, error.message), error.status === 409 ? 409 : 422);
    }
    request.session.set('flash', 'Nomination sent. We have emailed them to ask for their consent; it will wait for your decision once they agree.');
    return reply.redirect('/staff/nominations', 303);
  }

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

  private async nominateForm(request: WebRequest, reply: FastifyReply, form: Record<string, string | undefined>, errors: FormErrors, status: number): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const cohorts = (await this.cohorts.list(scope, {}, { limit: 200 })).items.filter((c) => ProgrammeAccess.canManage(scope, c.programme.system?.id ?? null) && ['draft', 'open', 'closed'].includes(c.status));
    const organisations = (await this.organisations.list(scope, {}, { limit: 200 })).items;
    const matches = form.q ? await this.queries.searchPeople(scope, form.q.slice(0, 100)) : [];
    const grid = (chosen: string | undefined) => [{ value: '', text: 'Choose' }, ...['1', '2', '3'].map((v) => ({ value: v, text: `${v}${v === '1' ? ' (low)' : v === '3' ? ' (high)' : ''}`, selected: chosen === v }))];
    return this.pages.render(request, reply, 'staff/nominate.njk', {
      title: 'Nominate someone',
      area: 'staff',
      errors,
      form,
      cohortItems: [{ value: '', text: 'Choose a cohort' }, ...cohorts.map((c) => ({ value: c.id, text: `${c.name} (${c.programme.title}), starts ${londonDate(c.startsAt)}`, selected: form.cohortId === c.id }))],
      organisationItems: [{ value: '', text: 'Choose an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name, selected: form.organisationId === o.id }))],
      searched: Boolean(form.q),
      matches: matches.map((m) => ({ value: m.id, text: `${m.givenName} ${m.familyName}`, hint: { text: [m.email, m.organisationName].filter(Boolean).join(', ') }, checked: form.personId === m.id })),
      readinessItems: READINESS.map((value) => ({ value, text: READINESS_LABELS[value], checked: form.readiness === value })),
      performanceItems: grid(form.performance),
      potentialItems: grid(form.potential),
    }, status);
  }

  private rejectForm(request: WebRequest, reply: FastifyReply, nomination: Nomination, reason: string, errors: FormErrors, status: number): FastifyReply {
    return this.pages.render(request, reply, 'staff/nomination-reject.njk', { title: `Reject the nomination of ${describe(nomination).nominee}`, area: 'staff', errors, nominationId: nomination.id, target: describe(nomination).target, reason }, status);
  }
}

const NOMINATE_FIELDS = ['cohortId', 'nomineeKind', 'q', 'personId', 'email', 'givenName', 'familyName', 'organisationId', 'readiness', 'performance', 'potential', 'rationale'] as const;

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
