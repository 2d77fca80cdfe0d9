import { Module } from '@nestjs/common';
import { PipelineReportService } from './pipeline-report.service';

@Module({ providers: [PipelineReportService], exports: [PipelineReportService] })
export class ReportsModule {}
