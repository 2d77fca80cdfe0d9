import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Cohort, CohortsService, CohortStatus, EnrolmentService, LearningQueries, SessionsService } from '@slp/learning';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { PageDto, PageQueryDto, toPageDto } from '../http/page-query.dto';
import { CohortDto, CohortsQueryDto, toCohortDto, UpdateCohortDto } from './dto/cohort.dto';
import { EnrolDto, EnrolmentDto, EnrolmentsQueryDto, toEnrolmentDto } from './dto/enrolment.dto';
import { CreateSessionDto, SessionDto, toSessionDto } from './dto/session.dto';

@ApiTags('cohorts')
@Controller('cohorts')
export class CohortsController {
  constructor(
    private readonly cohorts: CohortsService,
    private readonly enrolments: EnrolmentService,
    private readonly sessions: SessionsService,
    private readonly queries: LearningQueries,
  ) {}

  /** Cohorts you run or oversee, and open cohorts you could join. */
  @Authenticated()
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: CohortsQueryDto): Promise<PageDto<CohortDto>> {
    const { limit, cursor, ...filter } = query;
    const page = await this.cohorts.list(AccessScope.of(principal), filter, { limit, cursor });
    const counts = await this.cohorts.counts(page.items);
    return toPageDto(page, (cohort) => toCohortDto(cohort, counts.get(cohort.id)!));
  }

  @Authenticated()
  @Get(':cohortId')
  async get(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string): Promise<CohortDto> {
    const { cohort, waitlistLength } = await this.queries.cohortView(AccessScope.of(principal), id);
    return toCohortDto(cohort, { waitlistLength });
  }

  @Roles('programme_lead', 'admin')
  @Patch(':cohortId')
  async update(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string, @Body() body: UpdateCohortDto): Promise<CohortDto> {
    return this.view(await this.cohorts.update(AccessScope.of(principal), id, body));
  }

  @Roles('programme_lead', 'admin')
  @Post(':cohortId/open')
  @HttpCode(200)
  open(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string): Promise<CohortDto> {
    return this.move(principal, id, 'open');
  }

  @Roles('programme_lead', 'admin')
  @Post(':cohortId/close')
  @HttpCode(200)
  close(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string): Promise<CohortDto> {
    return this.move(principal, id, 'closed');
  }

  @Roles('programme_lead', 'admin')
  @Post(':cohortId/start')
  @HttpCode(200)
  start(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string): Promise<CohortDto> {
    return this.move(principal, id, 'running');
  }

  @Roles('programme_lead', 'admin')
  @Post(':cohortId/complete')
  @HttpCode(200)
  complete(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string): Promise<CohortDto> {
    return this.move(principal, id, 'completed');
  }

  /** Withdraws everyone and cancels the sessions; everyone affected is emailed. */
  @Roles('programme_lead', 'admin')
  @Post(':cohortId/cancel')
  @HttpCode(200)
  cancel(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string): Promise<CohortDto> {
    return this.move(principal, id, 'cancelled');
  }

  /** `{}` enrols (or applies for) yourself; `{ personId }` lets a lead or admin enrol someone. */
  @Authenticated()
  @Post(':cohortId/enrolments')
  async enrol(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) cohortId: string, @Body() body: EnrolDto): Promise<EnrolmentDto> {
    const scope = AccessScope.of(principal);
    const view = body.personId && body.personId !== principal.personId ? await this.enrolments.enrolOnBehalf(scope, cohortId, body.personId) : await this.enrolments.enrolSelf(scope, cohortId);
    return toEnrolmentDto(view);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':cohortId/enrolments')
  async enrolmentsOf(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) cohortId: string, @Query() query: EnrolmentsQueryDto): Promise<PageDto<EnrolmentDto>> {
    const { limit, cursor, status } = query;
    return toPageDto(await this.enrolments.listForCohort(AccessScope.of(principal), cohortId, status, { limit, cursor }), (view) => toEnrolmentDto(view));
  }

  /** Europe/London times; enrolled people are emailed the invitation. */
  @Roles('programme_lead', 'admin')
  @Post(':cohortId/sessions')
  async createSession(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) cohortId: string, @Body() body: CreateSessionDto): Promise<SessionDto> {
    return toSessionDto(await this.sessions.create(AccessScope.of(principal), cohortId, body));
  }

  @Authenticated()
  @Get(':cohortId/sessions')
  async sessionsOf(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) cohortId: string, @Query() _page: PageQueryDto): Promise<{ items: SessionDto[]; nextCursor: null }> {
    return { items: (await this.sessions.list(AccessScope.of(principal), cohortId)).map(toSessionDto), nextCursor: null };
  }

  private async move(principal: Principal, id: string, to: CohortStatus): Promise<CohortDto> {
    return this.view(await this.cohorts.transition(AccessScope.of(principal), id, to));
  }

  private async view(cohort: Cohort): Promise<CohortDto> {
    const counts = await this.cohorts.counts([cohort]);
    return toCohortDto(cohort, counts.get(cohort.id)!);
  }
}
