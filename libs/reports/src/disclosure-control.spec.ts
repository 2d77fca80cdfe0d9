import { safeRate, suppressTable } from './disclosure-control';

describe('suppressTable', () => {
  it('withholds counts from 1 to the threshold, keeping zeros and larger counts', () => {
    const table = suppressTable([[0, 1, 7, 8, 120]], 7);

    expect(table.rows).toEqual([[0, null, null, 8, 120]]);
  });

  it('withholds a second cell in a column so the first cannot be recovered from the total', () => {
    // Column 0: 3 is withheld; the total 63 minus 20 and 40 would give it back, so 20 goes too.
    const table = suppressTable([[3], [20], [40]], 7);

    expect(table.rows).toEqual([[null], [null], [40]]);
    expect(table.totals).toEqual([63]);
    // Neither withheld cell can now be worked out: 63 - 40 = 23 is only their sum.
    expect(table.suppressed).toBe(true);
  });

  it('withholds the total when the only other cells are zero', () => {
    const table = suppressTable([[5], [0], [0], [30]], 7);

    expect(table.rows).toEqual([[null], [0], [0], [null]]);
    expect(table.totals).toEqual([35]);
  });

  it('withholds a small total, and even a large cell when it is the only one beside a withheld one', () => {
    const table = suppressTable([[2, 4], [3, 50]], 7);

    // Column 0 has two withheld cells and a total of 5, itself disclosive; column 1's 4 would be 54 - 50.
    expect(table.totals).toEqual([null, 54]);
    expect(table.rows).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('never leaves exactly one withheld cell in a column with a published total', () => {
    const counts = [
      [1, 12, 9, 40],
      [25, 6, 18, 33],
      [14, 70, 2, 8],
      [60, 15, 11, 1],
    ];
    const table = suppressTable(counts, 7);

    // Here every column total is safe to publish, so the check below runs for each column.
    expect(table.totals).toEqual([100, 103, 40, 82]);
    for (let c = 0; c < 4; c++) {
      const withheld = table.rows.filter((row) => row[c] === null).length;
      if (table.totals[c] !== null) expect(withheld === 0 || withheld >= 2).toBe(true);
    }
    // Every published cell is the true count.
    table.rows.forEach((row, r) => row.forEach((value, c) => value !== null && expect(value).toBe(counts[r]![c])));
  });

  it('reports when nothing needed withholding', () => {
    expect(suppressTable([[10, 20], [30, 0]], 7).suppressed).toBe(false);
  });
});

describe('safeRate', () => {
  it('is withheld when either count is, and when the denominator is zero', () => {
    expect(safeRate(null, 50)).toBeNull();
    expect(safeRate(10, null)).toBeNull();
    expect(safeRate(0, 0)).toBeNull();
    expect(safeRate(10, 40)).toBe(0.25);
  });
});
