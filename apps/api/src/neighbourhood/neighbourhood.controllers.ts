import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import {
  AssessmentsService,
  CoachingSessionsService,
  IndicatorsService,
  IntelligenceService,
  IntelligenceView,
  MentoringService,
  NeighbourhoodPlacesService,
  PracticesService,
  StoriesService,
} from '@slp/neighbourhood';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { csvStream } from '@slp/reports';
import {
  AssessmentDto,
  BaselineDto,
  CloseMentoringDto,
  CoachingSessionDto,
  CreateIndicatorDto,
  CreatePracticeDto,
  IntelligenceQueryDto,
  JoinPlaceDto,
  MentoringDecisionDto,
  MentorSuggestionsQueryDto,
  PlacesQueryDto,
  PracticesQueryDto,
  ProposeMentoringDto,
  PutValuesDto,
  SetCoachesDto,
  StoriesQueryDto,
  StoryDto,
} from './dto/neighbourhood.dto';

const scopeOf = (principal: Principal) => AccessScope.of(principal);

/** Programme Places: staff (leads, system admins, the Place's coaches) read; national admins bring Places in and assign coaches. */
@ApiTags('neighbourhood')
@Controller('neighbourhood/places')
export class NeighbourhoodPlacesController {
  constructor(
    private readonly places: NeighbourhoodPlacesService,
    private readonly coaching: CoachingSessionsService,
    private readonly assessments: AssessmentsService,
    private readonly indicators: IndicatorsService,
    private readonly mentoring: MentoringService,
    private readonly stories: StoriesService,
  ) {}

  @Roles('programme_lead', 'coach', 'admin')
  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: PlacesQueryDto) {
    return this.places.list(scopeOf(principal), query);
  }

  @Roles('admin')
  @Post()
  join(@CurrentPrincipal() principal: Principal, @Body() body: JoinPlaceDto) {
    return this.places.join(scopeOf(principal), body);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId')
  get(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string) {
    return this.places.get(scopeOf(principal), placeId);
  }

  @Roles('admin')
  @Put(':placeId/coaches')
  setCoaches(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Body() body: SetCoachesDto) {
    return this.places.setCoaches(scopeOf(principal), placeId, body.coachPersonIds);
  }

  /** Every assessment, oldest first, and per component the first and latest level. */
  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId/assessments')
  async listAssessments(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string) {
    const history = await this.assessments.history(scopeOf(principal), placeId);
    return { items: history.assessments, change: history.change };
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Post(':placeId/assessments')
  assess(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Body() body: AssessmentDto) {
    return this.assessments.record(scopeOf(principal), placeId, body);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId/coaching-sessions')
  async listCoaching(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string) {
    return { items: await this.coaching.list(scopeOf(principal), placeId) };
  }

  /** The Place's Improvement Coaches only. */
  @Roles('coach')
  @Post(':placeId/coaching-sessions')
  recordCoaching(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Body() body: CoachingSessionDto) {
    return this.coaching.record(scopeOf(principal), placeId, body);
  }

  /** Upserts monthly values by period → `{ created, updated, unchanged }`. */
  @Roles('programme_lead', 'coach', 'admin')
  @Put(':placeId/indicators/:code/values')
  putValues(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Param('code') code: string, @Body() body: PutValuesDto) {
    return this.indicators.putValues(scopeOf(principal), placeId, code, body.values);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Put(':placeId/indicators/:code/baseline')
  putBaseline(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Param('code') code: string, @Body() body: BaselineDto) {
    return this.indicators.putBaseline(scopeOf(principal), placeId, code, body);
  }

  /** The XmR chart: series with signals, baseline, limits, variation and change from baseline. */
  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId/indicators/:code')
  chart(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Param('code') code: string) {
    return this.indicators.chart(scopeOf(principal), placeId, code);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId/mentor-suggestions')
  async mentorSuggestions(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Query() query: MentorSuggestionsQueryDto) {
    return { items: await this.mentoring.suggestions(scopeOf(principal), placeId, query.component) };
  }

  /** The Place's stories, shared or not (its staff and coaches). */
  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId/stories')
  async placeStories(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string) {
    return { items: await this.stories.forPlace(scopeOf(principal), placeId) };
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Post(':placeId/stories')
  tellStory(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string, @Body() body: StoryDto) {
    return this.stories.create(scopeOf(principal), placeId, body);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':placeId/mentoring')
  async mentoringOf(@CurrentPrincipal() principal: Principal, @Param('placeId', ParseUUIDPipe) placeId: string) {
    return { items: await this.mentoring.forPlace(scopeOf(principal), placeId) };
  }
}

@ApiTags('neighbourhood')
@Controller('neighbourhood/indicators')
export class NeighbourhoodIndicatorsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @Authenticated()
  @Get()
  async catalogue() {
    return { items: await this.indicators.catalogue() };
  }

  @Roles('admin')
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateIndicatorDto) {
    return this.indicators.create(scopeOf(principal), { ...body, description: body.description ?? '' });
  }
}

@ApiTags('neighbourhood')
@Controller('neighbourhood/intelligence')
export class IntelligenceController {
  constructor(private readonly intelligence: IntelligenceService) {}

  /**
   * Every visible Place's latest value, change from baseline and variation for one indicator; the
   * variation by region and wave; maturity distribution per component. Small counts are withheld.
   * `?format=csv` (or `Accept: text/csv`) downloads the Places as CSV.
   */
  @Roles('programme_lead', 'coach', 'admin')
  @Get()
  @ApiProduces('application/json', 'text/csv')
  async national(@CurrentPrincipal() principal: Principal, @Query() query: IntelligenceQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<IntelligenceView | Readable> {
    const { format, ...filter } = query;
    const view = await this.intelligence.national(scopeOf(principal), filter);
    const csv = format === 'csv' || (format === undefined && (accept ?? '').includes('text/csv'));
    if (!csv) return view;
    const columns = ['placeId', 'place', 'system', 'region', 'wave', 'indicator', 'latestPeriod', 'latestValue', 'changeFromBaseline', 'changeFromBaselinePercent', 'variation', 'baselineSet', 'withheld'];
    const rows = view.places.map((p) => [p.placeId, p.name, p.systemName, p.regionName, p.wave, view.indicator.code, p.latestPeriod, p.latestValue, p.changeFromBaseline, p.changeFromBaselinePercent, p.variation, p.baselineSet, p.withheld]);
    void reply.header('Content-Type', 'text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="intelligence-${view.indicator.code}.csv"`);
    return csvStream(columns, rows);
  }
}

@ApiTags('neighbourhood')
@Controller('neighbourhood/practices')
export class PracticesController {
  constructor(private readonly practices: PracticesService) {}

  /** Every signed-in person reads the library. */
  @Authenticated()
  @Get()
  async search(@CurrentPrincipal() principal: Principal, @Query() query: PracticesQueryDto) {
    return { items: await this.practices.search(scopeOf(principal), query) };
  }

  /** The Place's staff and coaches share its practices. */
  @Roles('programme_lead', 'coach', 'admin')
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreatePracticeDto) {
    return this.practices.create(scopeOf(principal), body);
  }
}

@ApiTags('neighbourhood')
@Controller('neighbourhood/mentoring')
export class MentoringController {
  constructor(private readonly mentoring: MentoringService) {}

  /** The mentee Place's staff or coaches propose → `proposed`; both Places' staff are emailed. */
  @Roles('programme_lead', 'coach', 'admin')
  @Post()
  propose(@CurrentPrincipal() principal: Principal, @Body() body: ProposeMentoringDto) {
    return this.mentoring.propose(scopeOf(principal), body);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':mentoringId')
  get(@CurrentPrincipal() principal: Principal, @Param('mentoringId', ParseUUIDPipe) id: string) {
    return this.mentoring.get(scopeOf(principal), id);
  }

  /** The mentor Place's staff. */
  @Roles('programme_lead', 'admin')
  @Post(':mentoringId/accept')
  @HttpCode(200)
  accept(@CurrentPrincipal() principal: Principal, @Param('mentoringId', ParseUUIDPipe) id: string, @Body() body: MentoringDecisionDto) {
    return this.mentoring.accept(scopeOf(principal), id, body.note);
  }

  /** The mentor Place's staff. */
  @Roles('programme_lead', 'admin')
  @Post(':mentoringId/decline')
  @HttpCode(200)
  decline(@CurrentPrincipal() principal: Principal, @Param('mentoringId', ParseUUIDPipe) id: string, @Body() body: MentoringDecisionDto) {
    return this.mentoring.decline(scopeOf(principal), id, body.note);
  }

  /** Either Place's staff, with what was learnt. */
  @Roles('programme_lead', 'admin')
  @Post(':mentoringId/close')
  @HttpCode(200)
  close(@CurrentPrincipal() principal: Principal, @Param('mentoringId', ParseUUIDPipe) id: string, @Body() body: CloseMentoringDto) {
    return this.mentoring.close(scopeOf(principal), id, body.reflection);
  }
}

@ApiTags('neighbourhood')
@Controller('neighbourhood/stories')
export class StoriesController {
  constructor(private readonly stories: StoriesService) {}

  /** Stories shared nationally, and the unshared ones of the Places the caller works with. */
  @Roles('programme_lead', 'coach', 'admin')
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: StoriesQueryDto) {
    return { items: await this.stories.list(scopeOf(principal), query) };
  }
}

export const NEIGHBOURHOOD_CONTROLLERS = [StoriesController, NeighbourhoodPlacesController, NeighbourhoodIndicatorsController, IntelligenceController, PracticesController, MentoringController];
