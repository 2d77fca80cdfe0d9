export * from './data-subject.repository';
export * from './data-rights-access';
export * from './data-export.service';
export * from './erasure.service';
export * from './retention.service';
export * from './data-rights.module';
