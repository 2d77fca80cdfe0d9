import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AlreadyEnrolledError, CohortFullError, CohortsService, EnrolmentClosedError, enrolmentClosedReason, EnrolmentRecord, EnrolmentService, ineligibilityReason, LearningOverviewService, NotEligibleError } from '@slp/learning';
import { AccessScope, Authenticated, EmailNotVerifiedError, NotFoundError } from '@slp/platform';
import { FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { isId, LEVEL_LABELS, londonDate, statusTag, toSessionView } from '../learning/learning-labels';

/** The one thing this person can do on a cohort's page, or why they cannot. */
type CohortAction = { readonly kind: 'button'; readonly text: 'Enrol' | 'Apply' | 'Join the waiting list'; readonly hint: string } | { readonly kind: 'reason'; readonly text: string } | { readonly kind: 'enrolled'; readonly tag: ReturnType<typeof statusTag> };

@Controller('cohorts')
export class CohortsController {
  constructor(
    private readonly cohorts: CohortsService,
    private readonly enrolments: EnrolmentService,
    private readonly overview: LearningOverviewService,
    private readonly pages: PageRenderer,
  ) {}

  @Authenticated()
  @Get(':cohortId')
  show(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') id: string): Promise<FastifyReply> {
    return this.page(request, reply, id, new FormErrors(), 200);
  }

  /**
   * Enrols, applies or joins the waiting list — whichever the cohort's rules make of it, decided
   * under the cohort's lock by the same service as the API. Post, redirect, get: the result page
   * can be reloaded without enrolling twice.
   */
  @Authenticated()
  @Post(':cohortId/enrol')
  async enrol(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') id: string): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('cohort');
    try {
      await this.enrolments.enrolSelf(AccessScope.of(request.user!), id);
    } catch (error) {
      const refused = error instanceof CohortFullError || error instanceof EnrolmentClosedError || error instanceof NotEligibleError || error instanceof AlreadyEnrolledError || error instanceof EmailNotVerifiedError;
      if (!refused) throw error;
      const message = error instanceof EmailNotVerifiedError ? 'Confirm your email address before enrolling: follow the link in the email we sent you' : error instanceof CohortFullError ? 'This cohort has just filled up and has no waiting list' : error.message;
      return this.page(request, reply, id, new FormErrors().add('cohort-action', message), 409);
    }
    return reply.redirect(`/cohorts/${id}/result`, 303);
  }

  /** What came of it: enrolled, application sent, or a place in the waiting list's queue. */
  @Authenticated()
  @Get(':cohortId/result')
  async result(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') id: string): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('cohort');
    const scope = AccessScope.of(request.user!);
    const { cohort, programme } = await this.cohorts.getVisible(scope, id);
    const enrolment = await this.overview.activeIn(scope, id);
    if (!enrolment) return reply.redirect(`/cohorts/${id}`, 303);
    const panel = resultPanel(enrolment);
    return this.pages.render(request, reply, 'cohorts/result.njk', { title: panel.title, area: 'programmes', panel, cohortName: cohort.name, programmeTitle: programme.title });
  }

  private async page(request: WebRequest, reply: FastifyReply, id: string, errors: FormErrors, status: number): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('cohort');
    const scope = AccessScope.of(request.user!);
    const { cohort, programme, sessions, mine, profile } = await this.overview.cohortPage(scope, id);
    const left = Math.max(0, cohort.capacity - cohort.seatsTaken);

    let action: CohortAction;
    const closed = enrolmentClosedReason(cohort, new Date());
    const ineligible = ineligibilityReason(programme, profile);
    if (mine) action = { kind: 'enrolled', tag: statusTag(mine) };
    else if (closed) action = { kind: 'reason', text: cohort.status === 'open' && new Date() < cohort.enrolmentOpensAt ? `Enrolment opens on ${londonDate(cohort.enrolmentOpensAt)}.` : 'This cohort is not taking enrolments.' };
    else if (ineligible) action = { kind: 'reason', text: `You cannot join this cohort. ${ineligible}` };
    else if (cohort.requiresApproval) action = { kind: 'button', text: 'Apply', hint: 'The programme team will look at your application and tell you by email.' };
    else if (left > 0) action = { kind: 'button', text: 'Enrol', hint: `${left} ${left === 1 ? 'place' : 'places'} left.` };
    else if (cohort.waitlistEnabled) action = { kind: 'button', text: 'Join the waiting list', hint: 'The cohort is full. If a place comes up, the first person waiting is offered it.' };
    else action = { kind: 'reason', text: 'This cohort is full and has no waiting list.' };

    return this.pages.render(
      request,
      reply,
      'cohorts/show.njk',
      {
        title: cohort.name,
        area: 'programmes',
        errors,
        cohort: {
          id: cohort.id,
          dates: `${londonDate(cohort.startsAt)} to ${londonDate(cohort.endsAt)}`,
          closes: londonDate(cohort.enrolmentClosesAt),
          availability: left > 0 ? `${left} ${left === 1 ? 'place' : 'places'} left` : cohort.waitlistEnabled ? 'Full – waiting list open' : 'Full',
          needsApproval: cohort.requiresApproval,
        },
        programme: { id: programme.id, title: programme.title, level: LEVEL_LABELS[programme.level] },
        sessions: sessions.map(toSessionView),
        action,
      },
      status,
    );
  }
}

function resultPanel(enrolment: EnrolmentRecord): { title: string; body: string | null } {
  switch (enrolment.status) {
    case 'enrolled':
      return { title: 'You are enrolled', body: 'We have emailed you the details, with an invitation for each session.' };
    case 'pending_approval':
      return { title: 'Application sent', body: 'The programme team will look at your application. We will email you when they decide.' };
    case 'waitlisted':
      return { title: 'You are on the waiting list', body: enrolment.waitlistPosition ? `Your place in the queue: ${enrolment.waitlistPosition}` : null };
    default:
      return { title: 'You have been offered a place', body: 'Accept or decline it from Your learning.' };
  }
}
