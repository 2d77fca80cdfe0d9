import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

/**
 * A cell that a spreadsheet would run as a formula (=, +, -, @, or a leading tab or carriage
 * return) is prefixed with an apostrophe (OWASP: CSV injection). Numbers stay numbers.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Streams rows as RFC 4180 CSV with a header line; memory stays flat however many rows there are. */
export function csvStream(columns: readonly string[], rows: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>): Readable {
  const stringifier = stringify({
    header: true,
    columns: [...columns],
    cast: {
      string: (value) => neutraliseFormula(value),
      date: (value) => value.toISOString(),
      boolean: (value) => (value ? 'true' : 'false'),
    },
  });
  return Readable.from(rows as AsyncIterable<unknown[]>, { objectMode: true }).pipe(stringifier);
}
