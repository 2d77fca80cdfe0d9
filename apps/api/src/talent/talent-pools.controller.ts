import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccessScope, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { TalentPoolsService } from '@slp/talent';
import { PageDto, toPageDto } from '../http/page-query.dto';
import { CreateTalentPoolDto, TalentPoolDto, TalentPoolsQueryDto, toTalentPoolDto } from './dto/talent-pool.dto';

@ApiTags('talent')
@Controller('talent-pools')
export class TalentPoolsController {
  constructor(private readonly pools: TalentPoolsService) {}

  @Roles('programme_lead', 'coach', 'admin')
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: TalentPoolsQueryDto): Promise<PageDto<TalentPoolDto>> {
    const { limit, cursor, ...filter } = query;
    return toPageDto(await this.pools.list(AccessScope.of(principal), filter, { limit, cursor }), toTalentPoolDto);
  }

  @Roles('programme_lead', 'coach', 'admin')
  @Get(':talentPoolId')
  async get(@CurrentPrincipal() principal: Principal, @Param('talentPoolId', ParseUUIDPipe) id: string): Promise<TalentPoolDto> {
    return toTalentPoolDto(await this.pools.get(AccessScope.of(principal), id));
  }

  /** Leads and admins of the system. */
  @Roles('programme_lead', 'admin')
  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateTalentPoolDto): Promise<TalentPoolDto> {
    return toTalentPoolDto(await this.pools.create(AccessScope.of(principal), body));
  }
}
