import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PlacesService, SystemsService } from '@slp/directory';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { PageDto, PageQueryDto, toPageDto } from '../http/page-query.dto';
import { CreatePlaceDto, PlaceDto, toPlaceDto } from './dto/place.dto';
import { CreateSystemDto, SystemsQueryDto, RegionDto, SystemDto, toRegionDto, toSystemDto } from './dto/system.dto';

@ApiTags('directory')
@Controller()
export class SystemsController {
  constructor(
    private readonly systems: SystemsService,
    private readonly places: PlacesService,
  ) {}

  /** NHS England's seven regions. */
  @Authenticated()
  @Get('regions')
  async regions(): Promise<RegionDto[]> {
    return (await this.systems.listRegions()).map(toRegionDto);
  }

  /** Systems the caller can see: all for participants and national admins, their own for staff. */
  @Authenticated()
  @Get('systems')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: SystemsQueryDto): Promise<PageDto<SystemDto>> {
    const { includeClosed, ...page } = query;
    return toPageDto(await this.systems.list(AccessScope.of(principal), page, includeClosed ?? false), toSystemDto);
  }

  @Authenticated()
  @Get('systems/:systemId')
  async get(@CurrentPrincipal() principal: Principal, @Param('systemId', ParseUUIDPipe) systemId: string): Promise<SystemDto> {
    return toSystemDto(await this.systems.get(AccessScope.of(principal), systemId));
  }

  /** National admins only. */
  @Roles('admin')
  @Post('systems')
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateSystemDto): Promise<SystemDto> {
    return toSystemDto(await this.systems.create(AccessScope.of(principal), body));
  }

  @Authenticated()
  @Get('systems/:systemId/places')
  async listPlaces(@CurrentPrincipal() principal: Principal, @Param('systemId', ParseUUIDPipe) systemId: string, @Query() query: PageQueryDto): Promise<PageDto<PlaceDto>> {
    return toPageDto(await this.places.list(AccessScope.of(principal), systemId, query), toPlaceDto);
  }

  /** Admins of the system. */
  @Roles('admin')
  @Post('systems/:systemId/places')
  async createPlace(@CurrentPrincipal() principal: Principal, @Param('systemId', ParseUUIDPipe) systemId: string, @Body() body: CreatePlaceDto): Promise<PlaceDto> {
    return toPlaceDto(await this.places.create(AccessScope.of(principal), systemId, body));
  }
}
