import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { CreateRequestContext } from '@mikro-orm/decorators/legacy';
import type { Job, Queue } from 'bullmq';
import { RetentionService } from '@slp/data-rights';
import { EnrolmentService, SessionRemindersService } from '@slp/learning';
import { PipelineReportService } from '@slp/reports';
import { LeadDigestService } from '@slp/talent';
import { MAINTENANCE_JOBS, MAINTENANCE_QUEUE, MaintenanceJobName } from './maintenance.queue';

/**
 * Runs the maintenance jobs. The schedules are BullMQ job schedulers with fixed ids, so however
 * many workers start, each job is scheduled once and each tick is processed by one worker.
 * Every job name has exactly one handler: the record below must list them all to compile.
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('Maintenance');
  private readonly handlers: Record<MaintenanceJobName, () => Promise<number>>;

  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    enrolments: EnrolmentService,
    reminders: SessionRemindersService,
    digest: LeadDigestService,
    reports: PipelineReportService,
    retention: RetentionService,
    // Used by @CreateRequestContext: each job gets its own entity manager.
    private readonly orm: MikroORM,
  ) {
    super();
    this.handlers = {
      'expire-offers': () => enrolments.expireOffers(new Date()),
      'create-reminders': () => reminders.createDue(new Date()),
      'lead-digest': () => digest.createWeekly(new Date()),
      'refresh-reports': () => reports.rebuild(),
      retention: () => retention.run(new Date()).then((run) => run.erased + run.payloadsCleared),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.queue.on('error', (error) => this.logger.warn(`Maintenance queue: ${error.message}`));
    for (const job of Object.values(MAINTENANCE_JOBS)) {
      await this.queue.upsertJobScheduler(job.name, job.repeat, { name: job.name, opts: { removeOnComplete: 100, removeOnFail: 500 } });
    }
  }

  @CreateRequestContext()
  async process(job: Job<unknown, unknown, MaintenanceJobName>): Promise<{ count: number }> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`No handler for maintenance job "${String(job.name)}"`);
    const count = await handler();
    if (count) this.logger.log(`${job.name}: ${count}`);
    return { count };
  }

  /** Redis connection trouble: BullMQ reconnects by itself; say so in the log rather than on stderr. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`Maintenance worker: ${error.message}`);
  }
}
