import { Module } from '@nestjs/common';
import { NotificationsModule } from '@slp/notifications';
import { PersonalDataModule } from '@slp/platform';
import { DataExportService } from './data-export.service';
import { DataSubjectRepository } from './data-subject.repository';
import { ErasureService } from './erasure.service';
import { RetentionService } from './retention.service';

/**
 * Data rights over every context's personal data: subject access export, erasure, retention.
 * The contexts register their areas (exporters and erasers) themselves; this module only
 * composes them through the registry, so it depends on no context's internals.
 */
@Module({
  imports: [PersonalDataModule, NotificationsModule],
  providers: [DataSubjectRepository, DataExportService, ErasureService, RetentionService],
  exports: [DataExportService, ErasureService, RetentionService],
})
export class DataRightsModule {}
