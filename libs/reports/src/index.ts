export * from './disclosure-control';
export * from './csv';
export * from './report-scope';
export * from './pipeline-report.service';
export * from './equality-report.service';
export * from './cohort-report.service';
export * from './pipeline-people.service';
export * from './reports.module';
