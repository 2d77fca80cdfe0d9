import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate } from 'class-validator';
import { parseInstant } from '@slp/platform';

/**
 * An ISO 8601 date-time, turned into a Date. With an offset or `Z` it is that instant; without
 * one it is read as Europe/London wall-clock time (what a lead in England means by "09:30").
 */
export const IsInstant = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (parseInstant(value) ?? value) : value)),
    IsDate({ message: ({ property }) => `${property} must be an ISO 8601 date-time` }),
  );
