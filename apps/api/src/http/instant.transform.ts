import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, MaxDate, MinDate } from 'class-validator';
import { parseInstant } from '@slp/platform';

const EARLIEST_INSTANT = new Date('1900-01-01T00:00:00Z');
const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

/**
 * An ISO 8601 date-time, turned into a Date. With an offset or `Z` it is that instant; without
 * one it is read as Europe/London wall-clock time (what a lead in England means by "09:30").
 */
export const IsInstant = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (parseInstant(value) ?? value) : value)),
    IsDate({ message: ({ property }) => `${property} must be an ISO 8601 date-time` }),
    // JavaScript holds dates up to year 275760 either side; PostgreSQL refuses most of them (a 500).
    MinDate(EARLIEST_INSTANT, { message: ({ property }) => `${property} must be between the years 1900 and 9999` }),
    MaxDate(LATEST_INSTANT, { message: ({ property }) => `${property} must be between the years 1900 and 9999` }),
  );
