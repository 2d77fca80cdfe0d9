import { Controller, Get, Headers, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { AccessScope, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import {
  CohortReport,
  CohortReportService,
  csvStream,
  EqualityReport,
  EqualityReportService,
  FUNNEL_STAGES,
  FunnelReport,
  PipelinePeopleService,
  PipelineReportService,
  type ReportFreshness,
} from '@slp/reports';
import { EqualityReportQueryDto, FormatQueryDto, PipelinePeopleQueryDto, PipelineReportQueryDto } from './dto/report-query.dto';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly pipeline: PipelineReportService,
    private readonly equality: EqualityReportService,
    private readonly cohorts: CohortReportService,
    private readonly people: PipelinePeopleService,
  ) {}

  /**
   * People reaching each pipeline stage and the conversions between stages, grouped as asked.
   * Counts from 1 to 7 are withheld (null), with secondary suppression so totals cannot reveal them.
   */
  @Roles('admin')
  @Get('pipeline')
  @ApiProduces('application/json', 'text/csv')
  async funnel(@CurrentPrincipal() principal: Principal, @Query() query: PipelineReportQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<FunnelReport | Readable> {
    const { format, ...filter } = query;
    const report = await this.pipeline.funnel(AccessScope.of(principal), filter);
    if (!wantsCsv(format, accept)) return report;
    const rows = [...report.rows.map((row) => [row.group, ...FUNNEL_STAGES.map((stage) => row[stage])]), ['Total', ...FUNNEL_STAGES.map((stage) => report.total[stage])]];
    return csv(reply, 'pipeline.csv', csvStream([report.groupBy, ...FUNNEL_STAGES], rows), report.freshness);
  }

  /** Each group's rate for a measure and its relative likelihood against the reference group, with the counts. */
  @Roles('admin')
  @Get('equality')
  @ApiProduces('application/json', 'text/csv')
  async equalityReport(@CurrentPrincipal() principal: Principal, @Query() query: EqualityReportQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<EqualityReport | Readable> {
    const { format, ...filter } = query;
    const report = await this.equality.report(AccessScope.of(principal), filter);
    if (!wantsCsv(format, accept)) return report;
    const rows = report.rows.map((row) => [row.group, row.population, row.count, row.rate, row.relativeLikelihood]);
    return csv(reply, 'equality.csv', csvStream([report.groupBy, 'population', report.measure, 'rate', 'relativeLikelihood'], rows), report.freshness);
  }

  /** Fill rate, waitlist, approval times, attendance per session and completion for one cohort. */
  @Roles('admin')
  @Get('cohorts/:cohortId')
  @ApiProduces('application/json', 'text/csv')
  async cohort(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) id: string, @Query() query: FormatQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<CohortReport | Readable> {
    const report = await this.cohorts.report(AccessScope.of(principal), id);
    if (!wantsCsv(query.format, accept)) return report;
    const rows = report.sessions.map((s) => [s.title, s.startsAt, s.status, s.present, s.absent, s.apologies, s.attendanceRate]);
    return csv(reply, 'cohort-attendance.csv', csvStream(['session', 'startsAt', 'status', 'present', 'absent', 'apologies', 'attendanceRate'], rows), report.freshness);
  }

  /** The people behind the funnel with stage and dates: a keyset page, or all of them as CSV (streamed, audited). */
  @Roles('admin')
  @Get('pipeline/people')
  @ApiProduces('application/json', 'text/csv')
  async pipelinePeople(@CurrentPrincipal() principal: Principal, @Query() query: PipelinePeopleQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const { format, limit, cursor, ...filter } = query;
    const scope = AccessScope.of(principal);
    if (!wantsCsv(format, accept)) return this.people.page(scope, filter, { limit, cursor });
    // Scope and filters are checked (and the export audited) before the first byte goes out.
    const { stream, freshness } = await this.people.exportCsv(scope, filter);
    return csv(reply, 'pipeline-people.csv', stream, freshness);
  }
}

function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  return format === 'csv' || (format === undefined && (accept ?? '').includes('text/csv'));
}

/** CSV has no room for the JSON reports' `freshness`: where it was read and what it is complete up to go in headers. */
function csv(reply: FastifyReply, filename: string, stream: Readable, freshness: ReportFreshness): Readable {
  void reply
    .header('Content-Type', 'text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${filename}"`)
    .header('X-Report-Source', freshness.source)
    .header('X-Report-As-Of', freshness.asOf);
  return stream;
}
