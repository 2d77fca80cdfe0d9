import { DateTime } from 'luxon';

/** Times are stored in UTC and shown in England's civil time (GMT/BST). */
export const LONDON = 'Europe/London';

/** An instant from ISO 8601 input; a date-time without an offset is read as London wall-clock time. */
export function parseInstant(input: string): Date | null {
  const parsed = DateTime.fromISO(input, { zone: LONDON, setZone: false });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** e.g. "Tuesday 1 December 2026, 9:30am" — the NHS style for dates and times in emails. */
export function formatLondon(date: Date): string {
  const local = DateTime.fromJSDate(date, { zone: LONDON });
  return `${local.toFormat('cccc d LLLL yyyy')}, ${local.toFormat('h:mma').toLowerCase()}`;
}

/** ISO 8601 with London's offset, e.g. 2026-07-01T10:30:00+01:00. */
export function toLondonIso(date: Date): string {
  return DateTime.fromJSDate(date, { zone: LONDON }).toISO({ suppressMilliseconds: true })!;
}
