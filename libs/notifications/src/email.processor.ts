import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@slp/platform';
import { EmailSender } from './email-sender';
import { EMAIL_QUEUE, EmailJob } from './queues';

/** Sends one email per job. A transient failure throws, so BullMQ retries it with backoff. */
@Processor(EMAIL_QUEUE)
export class EmailProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('EmailProcessor');

  constructor(
    private readonly sender: EmailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // Each send holds a database connection while it talks to SMTP: keep this below DATABASE_POOL_MAX.
    this.worker.concurrency = this.config.mail.concurrency;
  }

  async process(job: Job<EmailJob>): Promise<string> {
    const outcome = await this.sender.deliver(job.data.notificationId, job.attemptsMade + 1, job.opts.attempts ?? 1);
    if (outcome === 'retry') throw new Error(`Sending ${job.data.notificationId} failed; it will be retried`);
    return outcome;
  }

  /** Redis connection trouble: BullMQ reconnects by itself; say so in the log rather than on stderr. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`Email worker: ${error.message}`);
  }
}
