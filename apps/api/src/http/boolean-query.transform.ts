import { Transform } from 'class-transformer';

/** A query-string flag: `true`/`1` and `false`/`0`; anything else is left for the validator to refuse. */
export const BooleanQuery = () => Transform(({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value));
