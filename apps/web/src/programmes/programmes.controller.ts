import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountsService } from '@slp/identity';
import { CohortsService, eligibilitySummary, ineligibilityReason, LEADERSHIP_LEVELS, LeadershipLevel, Programme, ProgrammesService } from '@slp/learning';
import { AccessScope, Authenticated, NotFoundError, Principal } from '@slp/platform';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { isId, LEVEL_LABELS, londonDate } from '../learning/learning-labels';

/** Programmes are few (tens); a page shows this many and offers the next. */
const PAGE_SIZE = 50;

interface ProgrammeSummaryView {
  readonly id: string;
  readonly title: string;
  readonly level: string;
  readonly description: string;
  readonly whoCanJoin: string;
  readonly eligible: boolean;
  readonly reason: string | null;
}

@Controller('programmes')
export class ProgrammesController {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly cohorts: CohortsService,
    private readonly accounts: AccountsService,
    private readonly pages: PageRenderer,
  ) {}

  /** Programmes this person can see, optionally of one leadership level, each marked with whether they may join. */
  @Authenticated()
  @Get()
  async list(@Req() request: WebRequest, @Res() reply: FastifyReply, @Query('level') level: unknown, @Query('cursor') cursor: unknown): Promise<FastifyReply> {
    const principal = request.user!;
    const chosen = typeof level === 'string' && (LEADERSHIP_LEVELS as readonly string[]).includes(level) ? (level as LeadershipLevel) : undefined;
    const page = await this.programmes.list(AccessScope.of(principal), { level: chosen }, { limit: PAGE_SIZE, cursor: typeof cursor === 'string' && cursor ? cursor : undefined });
    const person = await this.person(principal);
    const items: ProgrammeSummaryView[] = page.items.map((programme) => this.summary(programme, person));
    const nextPage = page.nextCursor ? `/programmes?${new URLSearchParams({ ...(chosen ? { level: chosen } : {}), cursor: page.nextCursor }).toString()}` : null;
    return this.pages.render(request, reply, 'programmes/list.njk', {
      title: 'Programmes',
      area: 'programmes',
      programmes: items,
      levelOptions: [{ value: '', text: 'All levels', selected: !chosen }, ...LEADERSHIP_LEVELS.map((value) => ({ value, text: LEVEL_LABELS[value], selected: value === chosen }))],
      filteredBy: chosen ? LEVEL_LABELS[chosen] : null,
      nextPage,
    });
  }

  /** A programme and its cohorts: dates, places left or a waiting list, and a link to each open one. */
  @Authenticated()
  @Get(':programmeId')
  async show(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('programmeId') id: string): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('programme');
    const principal = request.user!;
    const scope = AccessScope.of(principal);
    const programme = await this.programmes.get(scope, id);
    const cohorts = await this.cohorts.list(scope, { programmeId: id }, { limit: 100 });
    const visible = cohorts.items.filter((cohort) => cohort.status !== 'draft' && cohort.status !== 'cancelled');
    return this.pages.render(request, reply, 'programmes/show.njk', {
      title: programme.title,
      area: 'programmes',
      programme: this.summary(programme, await this.person(principal)),
      cohorts: visible.map((cohort) => {
        const left = Math.max(0, cohort.capacity - cohort.seatsTaken);
        const availability = cohort.status !== 'open' ? `Not taking enrolments (${cohort.status})` : left > 0 ? `${left} ${left === 1 ? 'place' : 'places'} left` : cohort.waitlistEnabled ? 'Full – waiting list open' : 'Full';
        return { id: cohort.id, name: cohort.name, dates: `${londonDate(cohort.startsAt)} to ${londonDate(cohort.endsAt)}`, closes: londonDate(cohort.enrolmentClosesAt), availability, open: cohort.status === 'open' };
      }),
    });
  }

  private async person(principal: Principal) {
    return (await this.accounts.me(principal.accountId)).person;
  }

  private summary(programme: Programme, person: { staffGroup?: Programme['eligibleStaffGroups'][number] | null; grade?: Programme['minGrade'] }): ProgrammeSummaryView {
    const reason = ineligibilityReason(programme, { staffGroup: person.staffGroup ?? null, grade: person.grade ?? null });
    return { id: programme.id, title: programme.title, level: LEVEL_LABELS[programme.level], description: programme.description, whoCanJoin: eligibilitySummary(programme), eligible: reason === null, reason };
  }
}
