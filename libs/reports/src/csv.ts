import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

/** What a spreadsheet takes a cell to be a formula for: =, +, -, @, or a leading tab or carriage return. */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;
const TRIGGERS = new Set<string>(FORMULA_TRIGGERS);

/** A text cell a spreadsheet would run as a formula is prefixed with an apostrophe (OWASP: CSV injection). Numbers stay numbers. */
export function neutraliseFormula(value: string): string {
  return TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
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
