import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CohortsService, LearningQueries, ProgrammesService } from '@slp/learning';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { PageDto, toPageDto } from '../http/page-query.dto';
import { CohortDto, CreateCohortDto, toCohortDto } from './dto/cohort.dto';
import { CreateProgrammeDto, ProgrammeDto, ProgrammesQueryDto, toProgrammeDto, UpdateProgrammeDto } from './dto/programme.dto';

@ApiTags('programmes')
@Controller('programmes')
export class ProgrammesController {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly cohorts: CohortsService,
    private readonly queries: LearningQueries,
  ) {}

  /** National programmes and those of your systems. */
  @Authenticated()
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ProgrammesQueryDto): Promise<PageDto<ProgrammeDto>> {
    const { limit, cursor, ...filter } = query;
    return toPageDto(await this.queries.programmePage(AccessScope.of(principal), filter, { limit, cursor }), toProgrammeDto);
  }

  @Authenticated()
  @Get(':programmeId')
  async get(@CurrentPrincipal() principal: Principal, @Param('programmeId', ParseUUIDPipe) id: string): Promise<ProgrammeDto> {
    return toProgrammeDto(await this.programmes.get(AccessScope.of(principal), id));
  }

  /** Leads and admins, for their systems; national programmes (systemId null) by national admins. */
  @Roles('programme_lead', 'admin')
  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProgrammeDto): Promise<ProgrammeDto> {
    return toProgrammeDto(await this.programmes.create(AccessScope.of(principal), body));
  }

  /** Leads and admins of the programme's system (national admins for national programmes). */
  @Roles('programme_lead', 'admin')
  @Patch(':programmeId')
  async update(@CurrentPrincipal() principal: Principal, @Param('programmeId', ParseUUIDPipe) id: string, @Body() body: UpdateProgrammeDto): Promise<ProgrammeDto> {
    return toProgrammeDto(await this.programmes.update(AccessScope.of(principal), id, body));
  }

  /** A new cohort starts as a draft. */
  @Roles('programme_lead', 'admin')
  @Post(':programmeId/cohorts')
  async createCohort(@CurrentPrincipal() principal: Principal, @Param('programmeId', ParseUUIDPipe) programmeId: string, @Body() body: CreateCohortDto): Promise<CohortDto> {
    const cohort = await this.cohorts.create(AccessScope.of(principal), programmeId, body);
    return toCohortDto(cohort, { waitlistLength: 0 });
  }
}
