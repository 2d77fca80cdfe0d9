import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { AccessScope, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { FUNNEL_GROUPS, type FunnelGroup, type FunnelReport, PipelineReportService } from '@slp/reports';
import { IsInstant } from '../http/instant.transform';

export class PipelineReportQueryDto {
  @IsOptional()
  @IsUUID()
  systemId?: string;

  @IsOptional()
  @IsUUID()
  placeId?: string;

  @IsOptional()
  @IsUUID()
  programmeId?: string;

  /** Count a stage only when it was reached on or after this instant. */
  @IsOptional()
  @IsInstant()
  from?: Date;

  /** … and before this one. */
  @IsOptional()
  @IsInstant()
  to?: Date;

  @IsOptional()
  @IsIn(FUNNEL_GROUPS)
  groupBy?: FunnelGroup;
}

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly pipeline: PipelineReportService) {}

  /**
   * People reaching each pipeline stage and the conversions between stages, grouped as asked.
   * Counts from 1 to 7 are withheld (null), with secondary suppression so totals cannot reveal them.
   */
  @Roles('admin')
  @Get('pipeline')
  funnel(@CurrentPrincipal() principal: Principal, @Query() query: PipelineReportQueryDto): Promise<FunnelReport> {
    return this.pipeline.funnel(AccessScope.of(principal), query);
  }
}
