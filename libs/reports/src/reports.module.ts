import { Module } from '@nestjs/common';
import { CohortReportService } from './cohort-report.service';
import { EqualityReportService } from './equality-report.service';
import { PipelinePeopleService } from './pipeline-people.service';
import { PipelineReportService } from './pipeline-report.service';
import { ReportsPoolLifecycle, reportsPoolProvider } from './reports-pool';

@Module({
  providers: [PipelineReportService, EqualityReportService, CohortReportService, PipelinePeopleService, reportsPoolProvider, ReportsPoolLifecycle],
  exports: [PipelineReportService, EqualityReportService, CohortReportService, PipelinePeopleService],
})
export class ReportsModule {}
