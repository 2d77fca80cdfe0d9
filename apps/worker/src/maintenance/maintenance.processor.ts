import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { CreateRequestContext } from '@mikro-orm/decorators/legacy';
import type { Job, Queue } from 'bullmq';
import { EnrolmentService } from '@slp/learning';
import { MAINTENANCE_JOBS, MAINTENANCE_QUEUE, MaintenanceJobName } from './maintenance.queue';

/**
 * Runs the maintenance jobs. The schedules are BullMQ job schedulers with fixed ids, so however
 * many workers start, each job is scheduled once and each tick is processed by one worker.
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('Maintenance');

  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly enrolments: EnrolmentService,
    // Used by @CreateRequestContext: each job gets its own entity manager.
    private readonly orm: MikroORM,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const job of Object.values(MAINTENANCE_JOBS)) {
      await this.queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, opts: { removeOnComplete: 100, removeOnFail: 500 } });
    }
  }

  @CreateRequestContext()
  async process(job: Job<unknown, unknown, MaintenanceJobName>): Promise<unknown> {
    switch (job.name) {
      case MAINTENANCE_JOBS.expireOffers.name: {
        const expired = await this.enrolments.expireOffers(new Date());
        if (expired) this.logger.log(`Expired ${expired} place offer(s) and passed the seats on`);
        return { expired };
      }
      default:
        throw new Error(`No handler for maintenance job "${String(job.name)}"`);
    }
  }
}
