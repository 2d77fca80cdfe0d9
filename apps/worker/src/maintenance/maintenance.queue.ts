/** Housekeeping jobs that must happen without a request: each runs once per tick across all workers. */
export const MAINTENANCE_QUEUE = 'maintenance';

export const MAINTENANCE_JOBS = {
  /** Expire place offers whose window has passed and pass each seat to the next person. */
  expireOffers: { name: 'expire-offers', everyMs: 60_000 },
} as const;

export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS]['name'];
