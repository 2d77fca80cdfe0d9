/** `YYYY-MM` months, stored as the first of the month. */
export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function periodToDate(period: string): string {
  return `${period}-01`;
}

/** The current month in UTC, `YYYY-MM`. */
export function currentPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}
