import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Readable } from 'node:stream';
import { APP_CONFIG, AppConfig } from '@slp/platform';
import { ImportEngine } from './import-engine';
import { ImportRepository } from './import.repository';
import { IMPORTS_QUEUE, RunImportJob } from './imports.queue';
import { ImportsService } from './imports.service';

/** How often the worker looks for imports whose job was never queued (Redis was away when they were submitted). */
const SWEEP_EVERY_MS = 60_000;

/** Runs imports on the worker, one at a time per worker process (they hold a long transaction each). */
@Processor(IMPORTS_QUEUE, { concurrency: 1 })
export class ImportsProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: ImportEngine,
    private readonly imports: ImportRepository,
    private readonly service: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  async process(job: Job<RunImportJob>): Promise<{ status: string }> {
    const row = await this.imports.find(job.data.importId);
    if (!row || row.finishedAt || !(await this.imports.markRunning(row.id))) return { status: 'gone' };
    const outcome = await this.engine.run(row.kind, { importId: row.id, dryRun: row.dryRun, actorAccountId: row.actorAccountId, scopeSystemIds: row.scopeSystemIds, esrColumns: this.config.imports.esrColumns }, Readable.from(this.imports.chunks(row.id)));
    await this.imports.dropChunks(row.id);
    this.logger.log(`Import ${row.id} (${row.kind}${row.dryRun ? ', dry run' : ''}) ${outcome.status}`);
    return { status: outcome.status };
  }

  private async sweep(): Promise<void> {
    try {
      for (const id of await this.imports.queuedBefore(30)) await this.service.enqueue(id);
    } catch (error) {
      this.logger.warn(`Import sweep: ${(error as Error).message}`);
    }
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`Imports worker: ${error.message}`);
  }
}
