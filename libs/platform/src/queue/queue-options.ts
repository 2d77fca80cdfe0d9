import type { QueueOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config';

/**
 * BullMQ's connection and key prefix for this platform. Workers' blocking connections must never
 * give up on a command (`maxRetriesPerRequest: null`), as BullMQ requires.
 */
export function bullOptions(config: AppConfig): Pick<QueueOptions, 'connection' | 'prefix'> {
  return { connection: { url: config.redis.url, maxRetriesPerRequest: null }, prefix: `${config.redis.prefix}:bull` };
}

/** Housekeeping jobs (offer expiry, reminders, digests); the worker runs them, the API's dashboard shows them. */
export const MAINTENANCE_QUEUE = 'maintenance';
