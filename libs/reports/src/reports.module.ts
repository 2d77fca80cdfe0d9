import { Module } from '@nestjs/common';
import { CohortReportService } from './cohort-report.service';
import { EqualityReportService } from './equality-report.service';
import { PipelinePeopleService } from './pipeline-people.service';
import { PipelineReportService } from './pipeline-report.service';

@Module({
  providers: [PipelineReportService, EqualityReportService, CohortReportService, PipelinePeopleService],
  exports: [PipelineReportService, EqualityReportService, CohortReportService, PipelinePeopleService],
})
export class ReportsModule {}
