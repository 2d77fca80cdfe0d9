import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { EQUALITY_GROUPS, EQUALITY_MEASURES, type EqualityGroup, type EqualityMeasure, FUNNEL_GROUPS, type FunnelGroup } from '@slp/reports';
import { PIPELINE_STAGES, type PipelineStage } from '@slp/talent';
import { IsInstant } from '../../http/instant.transform';
import { PageQueryDto } from '../../http/page-query.dto';

/** `?format=csv` (or `Accept: text/csv`) streams any report as CSV. */
export class FormatQueryDto {
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class PipelineReportQueryDto extends FormatQueryDto {
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

export class EqualityReportQueryDto extends FormatQueryDto {
  @IsOptional()
  @IsUUID()
  systemId?: string;

  @IsOptional()
  @IsIn(EQUALITY_MEASURES)
  measure?: EqualityMeasure;

  @IsOptional()
  @IsIn(EQUALITY_GROUPS)
  groupBy?: EqualityGroup;
}

export class PipelinePeopleQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  systemId?: string;

  @IsOptional()
  @IsIn(PIPELINE_STAGES)
  stage?: PipelineStage;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
