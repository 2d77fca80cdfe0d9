/**
 * Small-number suppression for published counts, as NHS statistical releases do: a count between 1
 * and the threshold could identify people, so it is withheld (primary suppression); and where a
 * column total is published, a lone withheld cell could be recovered by subtraction, so the
 * smallest other non-zero cell is withheld too (secondary suppression), until no column has
 * exactly one withheld cell.
 */
export interface SuppressedTable {
  /** The counts, with withheld cells as null. */
  readonly rows: (number | null)[][];
  /** Column totals (null when withheld themselves). */
  readonly totals: (number | null)[];
  readonly suppressed: boolean;
}

export const DEFAULT_SUPPRESSION_THRESHOLD = 7;

export function isDisclosive(count: number, threshold: number): boolean {
  return count >= 1 && count <= threshold;
}

export function suppressTable(counts: readonly (readonly number[])[], threshold = DEFAULT_SUPPRESSION_THRESHOLD): SuppressedTable {
  const columns = counts[0]?.length ?? 0;
  const rawTotals = Array.from({ length: columns }, (_, c) => counts.reduce((sum, row) => sum + (row[c] ?? 0), 0));
  const rows = counts.map((row) => row.map((count) => (isDisclosive(count, threshold) ? null : count)));
  const totals: (number | null)[] = rawTotals.map((total) => (isDisclosive(total, threshold) ? null : total));

  let changed = true;
  while (changed) {
    changed = false;
    for (let c = 0; c < columns; c++) {
      if (totals[c] === null) continue;
      const withheld = rows.filter((row) => row[c] === null).length;
      if (withheld !== 1) continue;
      // Withhold the smallest other non-zero cell; if there is none, the total itself.
      let pick = -1;
      rows.forEach((row, r) => {
        const value = row[c];
        if (value !== null && value !== undefined && value > 0 && (pick === -1 || value < (rows[pick]![c] as number))) pick = r;
      });
      if (pick === -1) totals[c] = null;
      else rows[pick]![c] = null;
      changed = true;
    }
  }
  const suppressed = rows.some((row) => row.some((value) => value === null)) || totals.some((value) => value === null);
  return { rows, totals, suppressed };
}

/** A rate from two published counts; withheld when either is (a rate from a withheld count would reveal it). */
export function safeRate(numerator: number | null, denominator: number | null): number | null {
  if (numerator === null || denominator === null || denominator === 0) return null;
  return numerator / denominator;
}
