export * from './disclosure-control';
export * from './pipeline-report.service';
export * from './reports.module';
