import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EnrolmentService, LearningOverviewItem, LearningOverviewService, SessionsService } from '@slp/learning';
import { AccessScope, Authenticated, ConflictError, formatLondon, NotFoundError } from '@slp/platform';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { isId, londonDate, statusTag, toSessionView } from './learning-labels';

/** Enrolments a person can still withdraw from (an offer is declined instead). */
const WITHDRAWABLE = new Set(['enrolled', 'waitlisted', 'pending_approval']);
/** Order on the page: offers awaiting an answer first, then live places, then the past. */
const ORDER: Record<string, number> = { offered: 0, enrolled: 1, pending_approval: 2, waitlisted: 3 };

@Controller('learning')
export class LearningController {
  constructor(
    private readonly overview: LearningOverviewService,
    private readonly enrolments: EnrolmentService,
    private readonly sessions: SessionsService,
    private readonly pages: PageRenderer,
  ) {}

  /** "Your learning": every enrolment with its status, offers with their deadline, sessions with their invitations. */
  @Authenticated()
  @Get()
  async show(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const items = await this.overview.mine(AccessScope.of(request.user!));
    const sorted = [...items].sort((a, b) => (ORDER[a.enrolment.status] ?? 9) - (ORDER[b.enrolment.status] ?? 9));
    const flash = request.session.get('flash') ?? null;
    if (flash) request.session.set('flash', undefined);
    return this.pages.render(request, reply, 'learning/show.njk', {
      title: 'Your learning',
      area: 'learning',
      flash,
      offers: sorted.filter((item) => item.enrolment.status === 'offered').map(toItemView),
      current: sorted.filter((item) => ['enrolled', 'pending_approval', 'waitlisted'].includes(item.enrolment.status)).map(toItemView),
      past: sorted.filter((item) => !['offered', 'enrolled', 'pending_approval', 'waitlisted'].includes(item.enrolment.status)).map(toItemView),
    });
  }

  @Authenticated()
  @Post('enrolments/:enrolmentId/accept')
  async accept(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('enrolmentId') id: string): Promise<FastifyReply> {
    return this.answerOffer(request, reply, id, 'accept');
  }

  @Authenticated()
  @Post('enrolments/:enrolmentId/decline')
  async decline(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('enrolmentId') id: string): Promise<FastifyReply> {
    return this.answerOffer(request, reply, id, 'decline');
  }

  /** "Are you sure?": withdrawing gives the place away, so it is confirmed on a page of its own. */
  @Authenticated()
  @Get('enrolments/:enrolmentId/withdraw')
  async confirmWithdrawal(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('enrolmentId') id: string): Promise<FastifyReply> {
    const item = await this.own(request, id);
    if (!WITHDRAWABLE.has(item.enrolment.status)) return reply.redirect('/learning', 303);
    return this.pages.render(request, reply, 'learning/withdraw.njk', {
      title: `Are you sure you want to withdraw from ${item.cohort.name}?`,
      area: 'learning',
      enrolmentId: item.enrolment.id,
      programmeTitle: item.programme.title,
      waiting: item.enrolment.status === 'waitlisted',
    });
  }

  @Authenticated()
  @Post('enrolments/:enrolmentId/withdraw')
  async withdraw(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('enrolmentId') id: string): Promise<FastifyReply> {
    const item = await this.own(request, id);
    await this.enrolments.withdraw(AccessScope.of(request.user!), item.enrolment.id);
    request.session.set('flash', `You have withdrawn from ${item.cohort.name}.`);
    return reply.redirect('/learning', 303);
  }

  /** The session's invitation (RFC 5545), the same file as the emailed one, for anyone holding a place. */
  @Authenticated()
  @Get('sessions/:sessionId/calendar.ics')
  async calendar(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('sessionId') id: string): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('session');
    const ics = await this.sessions.calendar(AccessScope.of(request.user!), id);
    return reply.header('Content-Type', 'text/calendar; charset=utf-8').header('Content-Disposition', 'attachment; filename="session.ics"').send(ics);
  }

  private async answerOffer(request: WebRequest, reply: FastifyReply, id: string, answer: 'accept' | 'decline'): Promise<FastifyReply> {
    const item = await this.own(request, id);
    const scope = AccessScope.of(request.user!);
    try {
      if (answer === 'accept') await this.enrolments.acceptOffer(scope, item.enrolment.id);
      else await this.enrolments.declineOffer(scope, item.enrolment.id);
    } catch (error) {
      // The offer lapsed or was answered in another tab: the page shows where things stand now.
      if (!(error instanceof ConflictError)) throw error;
      request.session.set('flash', `This offer can no longer be answered: ${error.message}`);
      return reply.redirect('/learning', 303);
    }
    request.session.set('flash', answer === 'accept' ? `You have accepted your place on ${item.cohort.name}.` : `You have declined the place on ${item.cohort.name}.`);
    return reply.redirect('/learning', 303);
  }

  /** One of the caller's own enrolments; anyone else's, or no such id, is a page that does not exist. */
  private async own(request: WebRequest, id: string): Promise<LearningOverviewItem> {
    if (!isId(id)) throw NotFoundError.of('enrolment');
    const item = (await this.overview.mine(AccessScope.of(request.user!))).find((candidate) => candidate.enrolment.id === id);
    if (!item) throw NotFoundError.of('enrolment');
    return item;
  }
}

/** One enrolment as the page shows it (exported for the benchmark, which renders the same view model). */
export function toItemView(item: LearningOverviewItem) {
  const { enrolment, cohort, programme } = item;
  return {
    enrolmentId: enrolment.id,
    cohortId: cohort.id,
    cohortName: cohort.name,
    programmeTitle: programme.title,
    dates: `${londonDate(cohort.startsAt)} to ${londonDate(cohort.endsAt)}`,
    tag: statusTag(enrolment),
    offerDeadline: enrolment.status === 'offered' && enrolment.offerExpiresAt ? formatLondon(enrolment.offerExpiresAt) : null,
    canWithdraw: WITHDRAWABLE.has(enrolment.status),
    sessions: item.sessions.map(toSessionView),
  };
}
