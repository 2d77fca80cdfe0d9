import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@slp/platform';
import { EMAIL_QUEUE, EmailJob, emailJobOptions } from './queues';

const BATCH = 200;
const IDLE_MS = 250;
const BACKOFF_MS = 2_000;
/** A row queued this long ago without being sent is handed over again (e.g. Redis lost it); the job id dedupes. */
const REQUEUE_AFTER = '10 minutes';

/**
 * Moves outbox rows to the email queue. Each batch is claimed with FOR UPDATE SKIP LOCKED, so
 * any number of workers share the work without taking the same rows; the rows are marked queued
 * in the same transaction as the jobs are added, so if Redis is down nothing changes and the rows
 * wait, pending, until it returns.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly orm: MikroORM,
    @InjectQueue(EMAIL_QUEUE) private readonly queue: Queue<EmailJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Redis outages surface as relay pauses below; without a listener the error would go to stderr raw.
    this.queue.on('error', (error) => this.logger.warn(`Email queue: ${error.message}`));
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Relays one batch; returns how many rows went to the queue. */
  async relayOnce(limit = BATCH): Promise<number> {
    return this.orm.em.fork().transactional(async (em) => {
      const rows = await em.execute<{ id: string; attempts: number; status: string }[]>(
        `select id, attempts, status from notification
          where status = 'pending' or (status = 'queued' and queued_at < now() - interval '${REQUEUE_AFTER}')
          order by created_at
          limit ? for update skip locked`,
        [limit],
      );
      if (!rows.length) return 0;
      // A row queued before (or requeued by an admin) may still have its finished job, and BullMQ
      // ignores an add whose id exists: clear finished jobs so the id is free. A job still waiting
      // or running is left alone; the sender's row lock keeps it from sending twice.
      for (const row of rows.filter((r) => r.status === 'queued' || r.attempts > 0)) {
        const old = await this.queue.getJob(row.id);
        const state = old ? await old.getState() : 'unknown';
        if (old && (state === 'completed' || state === 'failed')) await old.remove();
      }
      await this.queue.addBulk(rows.map((row) => ({ name: 'send', data: { notificationId: row.id }, opts: { ...emailJobOptions(this.config), jobId: row.id } })));
      await em.execute(`update notification set status = 'queued', queued_at = now() where id in (${rows.map(() => '?').join(',')})`, rows.map((r) => r.id));
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let relayed = 0;
      let pause = IDLE_MS;
      try {
        relayed = await this.relayOnce();
      } catch (error) {
        pause = BACKOFF_MS;
        this.logger.warn(`Outbox relay paused: ${(error as Error).message}`);
      }
      if (relayed < BATCH && this.running) await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
