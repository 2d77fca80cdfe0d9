import type { JobsOptions } from 'bullmq';
import type { AppConfig } from '@slp/platform';

/** The email queue: one job per outbox row, its id the row's id, so a row is never queued twice. */
export const EMAIL_QUEUE = 'email';

export interface EmailJob {
  readonly notificationId: string;
}

/** Retries with exponential backoff (by default 2 s, 4 s, 8 s … about 4 minutes over 8 attempts). */
export function emailJobOptions(config: AppConfig): JobsOptions {
  return {
    attempts: config.mail.maxAttempts,
    backoff: { type: 'exponential', delay: config.mail.retryBaseMs },
    removeOnComplete: { count: 5_000 },
    removeOnFail: { count: 5_000 },
  };
}
