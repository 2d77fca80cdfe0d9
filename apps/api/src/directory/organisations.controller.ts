import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OrganisationsService } from '@slp/directory';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { PageDto, toPageDto } from '../http/page-query.dto';
import { CreateOrganisationDto, OrganisationDto, OrganisationsQueryDto, toOrganisationDto } from './dto/organisation.dto';

@ApiTags('directory')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Authenticated()
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: OrganisationsQueryDto): Promise<PageDto<OrganisationDto>> {
    const { limit, cursor, ...filter } = query;
    return toPageDto(await this.organisations.list(AccessScope.of(principal), filter, { limit, cursor }), toOrganisationDto);
  }

  @Authenticated()
  @Get(':organisationId')
  async get(@CurrentPrincipal() principal: Principal, @Param('organisationId', ParseUUIDPipe) id: string): Promise<OrganisationDto> {
    return toOrganisationDto(await this.organisations.get(AccessScope.of(principal), id));
  }

  /** Admins of the organisation's system. */
  @Roles('admin')
  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateOrganisationDto): Promise<OrganisationDto> {
    return toOrganisationDto(await this.organisations.create(AccessScope.of(principal), body));
  }
}
