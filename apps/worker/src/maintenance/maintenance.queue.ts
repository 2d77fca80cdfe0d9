import type { RepeatOptions } from 'bullmq';

export { MAINTENANCE_QUEUE } from '@slp/platform';

/** Housekeeping jobs that must happen without a request: each runs once per tick across all workers. */
export const MAINTENANCE_JOBS = {
  /** Expire place offers whose window has passed and pass each seat to the next person. */
  expireOffers: { name: 'expire-offers', repeat: { every: 60_000 } },
  /** Write session reminders (7 days and 24 hours before) to the outbox. */
  createReminders: { name: 'create-reminders', repeat: { every: 15 * 60_000 } },
  /**
   * Repair the pipeline summary reports read (person_pipeline). It is kept current by each change's
   * own transaction; this nightly pass corrects only rows something wrote around the triggers (a
   * bulk load, a restore, a hand edit) and logs how many. (The id is the one the old 10-minute
   * rebuild had, so upgrading reschedules it rather than leaving a second scheduler behind.)
   */
  refreshReports: { name: 'refresh-reports', repeat: { pattern: '30 2 * * *', tz: 'Europe/London' } },
  /** Monday morning digest for programme leads. */
  leadDigest: { name: 'lead-digest', repeat: { pattern: '0 8 * * 1', tz: 'Europe/London' } },
  /** Sunday night: erase people inactive for RETENTION_INACTIVE_YEARS, clear old email payloads. */
  retention: { name: 'retention', repeat: { pattern: '0 3 * * 0', tz: 'Europe/London' } },
} as const satisfies Record<string, { name: string; repeat: Omit<RepeatOptions, 'key'> }>;

export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS]['name'];
