import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ImportEngine } from './import-engine';
import { ImportRepository } from './import.repository';
import { ImportsPoolLifecycle, importsPoolProvider } from './imports-pool';
import { ImportsProcessor } from './imports.processor';
import { IMPORTS_QUEUE } from './imports.queue';
import { ImportsService } from './imports.service';

/** The import engine alone, for the command line (no queue). */
@Module({
  providers: [importsPoolProvider, ImportsPoolLifecycle, ImportRepository, ImportEngine],
  exports: [importsPoolProvider, ImportRepository, ImportEngine],
})
export class ImportEngineModule {}

/** Submitting imports and reading their outcome (the API); needs BullModule.forRoot. */
@Module({
  imports: [ImportEngineModule, BullModule.registerQueue({ name: IMPORTS_QUEUE })],
  providers: [ImportsService],
  exports: [ImportsService, ImportEngineModule],
})
export class ImportsModule {}

/** Running imports (the worker). */
@Module({
  imports: [ImportsModule],
  providers: [ImportsProcessor],
})
export class ImportsWorkerModule {}
