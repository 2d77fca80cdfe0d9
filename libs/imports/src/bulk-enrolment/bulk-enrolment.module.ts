import { Module } from '@nestjs/common';
import { LearningModule } from '@slp/learning';
import { BulkEnrolmentService } from './bulk-enrolment.service';

/** Enrolling a list of people into a cohort from a CSV file (the API). */
@Module({
  imports: [LearningModule],
  providers: [BulkEnrolmentService],
  exports: [BulkEnrolmentService],
})
export class BulkEnrolmentModule {}
