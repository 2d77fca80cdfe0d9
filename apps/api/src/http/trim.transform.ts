import { Transform } from 'class-transformer';

/** Trims surrounding whitespace from string input, leaving other types for the validators to reject. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
