import fc from 'fast-check';
import { baselineStatistics, defaultBaseline, latestReading, SpcPoint, variationOf, xmrChart } from './spc';

/** Monthly points from January 2024: `values[0]` is 2024-01, `values[12]` 2025-01 and so on. */
function monthly(values: readonly number[]): SpcPoint[] {
  return values.map((value, i) => ({ period: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`, value }));
}

/**
 * The baseline every example below starts from, 2024-01 to 2024-10, worked by hand:
 *   values 10, 12, 10, 12, 10, 12, 10, 12, 10, 12 → mean = 110 / 10 = 11
 *   moving ranges: nine of |12 − 10| = 2 → mean moving range = 2
 *   limits: 11 ± 2.66 × 2 = 11 ± 5.32 → lower 5.68, upper 16.32
 *   two-sigma lines: 11 ± (2/3) × 5.32 = 11 ± 3.5467 → 7.4533 and 14.5467
 * Alternating either side of the mean, it breaks no rule itself.
 */
const BASELINE = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12];
const RANGE = { from: '2024-01', to: '2024-10' };
const chart = (after: number[], betterWhen: 'lower' | 'higher' = 'lower') => xmrChart(monthly([...BASELINE, ...after]), RANGE, betterWhen);
/** Indexes (into the whole series) of the points with a signal. */
const flagged = (after: number[], betterWhen: 'lower' | 'higher' = 'lower') =>
  chart(after, betterWhen)
    .series.map((p, i) => (p.signal ? i : -1))
    .filter((i) => i >= 0);

describe('SPC (XmR, Making Data Count)', () => {
  describe('baseline statistics', () => {
    it('computes mean, mean moving range, limits and two-sigma lines of the worked baseline', () => {
      const stats = baselineStatistics(BASELINE)!;
      expect(stats.mean).toBe(11);
      expect(stats.meanMovingRange).toBe(2);
      expect(stats.upper).toBeCloseTo(16.32, 10);
      expect(stats.lower).toBeCloseTo(5.68, 10);
      expect(stats.upperTwoSigma).toBeCloseTo(14.546667, 5);
      expect(stats.lowerTwoSigma).toBeCloseTo(7.453333, 5);
    });

    it('computes an uneven example: 3, 5, 4, 8', () => {
      // mean = 20 / 4 = 5; moving ranges 2, 1, 4 → mMR = 7/3 = 2.3333;
      // 2.66 × 7/3 = 6.20667 → limits −1.20667 and 11.20667 (not clipped at zero: the chart shows what the data say).
      const stats = baselineStatistics([3, 5, 4, 8])!;
      expect(stats.mean).toBe(5);
      expect(stats.meanMovingRange).toBeCloseTo(7 / 3, 10);
      expect(stats.upper).toBeCloseTo(11.206667, 5);
      expect(stats.lower).toBeCloseTo(-1.206667, 5);
    });

    it('has no limits from fewer than two points (no moving range)', () => {
      expect(baselineStatistics([4])).toBeNull();
      expect(baselineStatistics([])).toBeNull();
      const one = xmrChart(monthly([4, 5, 6]), { from: '2024-01', to: '2024-01' }, 'lower');
      expect(one).toMatchObject({ baseline: null, variation: null, changeFromBaseline: null });
      expect(one.series.map((p) => p.signal)).toEqual([null, null, null]);
    });
  });

  it('reads the baseline itself as common cause; change from baseline is the latest minus the mean', () => {
    const result = chart([]);
    expect(result.series.every((p) => p.signal === null)).toBe(true);
    expect(result.variation).toBe('common_cause');
    // latest 12 − mean 11 = 1, i.e. 1 / 11 = 9.0909 % of the mean
    expect(result.changeFromBaseline).toBe(1);
    expect(result.changeFromBaselinePercent).toBeCloseTo(9.0909, 3);
  });

  describe('rule 1: a point beyond a process limit', () => {
    it('flags 17 (above 16.32) as high: concern when lower is better, improvement when higher is', () => {
      const result = chart([17]);
      expect(result.series[10]!.signal).toEqual({ direction: 'high', rules: ['beyond_limit'], variation: 'concern' });
      expect(result.variation).toBe('concern');
      // 17 − 11 = 6 = 54.55 % of 11
      expect(result.changeFromBaseline).toBe(6);
      expect(result.changeFromBaselinePercent).toBeCloseTo(54.545, 2);
      expect(chart([17], 'higher').variation).toBe('improvement');
    });

    it('flags 5 (below 5.68) as low, and leaves 16 and 6 (inside the limits) alone', () => {
      expect(chart([5]).series[10]!.signal).toEqual({ direction: 'low', rules: ['beyond_limit'], variation: 'improvement' });
      expect(flagged([16, 12, 6])).toEqual([]);
    });
  });

  describe('rule 2: a shift of 7 in a row on one side of the mean', () => {
    it('flags seven points of 10.5 (below 11) after the baseline ended above the mean', () => {
      const result = chart([10.5, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5], 'higher');
      expect(flagged([10.5, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5])).toEqual([10, 11, 12, 13, 14, 15, 16]);
      expect(result.series[16]!.signal).toEqual({ direction: 'low', rules: ['shift'], variation: 'concern' });
      expect(result.variation).toBe('concern');
    });

    it('does not flag six, nor seven broken by a point on the mean', () => {
      expect(flagged([10.5, 10.5, 10.5, 10.5, 10.5, 10.5])).toEqual([]);
      expect(flagged([10.5, 10.5, 10.5, 11, 10.5, 10.5, 10.5, 10.5])).toEqual([]);
    });

    it('counts the baseline’s own last point into the run: 12, then six of 11.5, is seven above', () => {
      expect(flagged([11.5, 11.5, 11.5, 11.5, 11.5, 11.5])).toEqual([9, 10, 11, 12, 13, 14, 15]);
    });
  });

  describe('rule 3: a trend of 6 rising or falling in a row', () => {
    it('flags 7.5 → 12.5 rising (the baseline ended on 12, so the run starts at 7.5)', () => {
      // None of them beyond a limit or a two-sigma line (7.5 > 7.4533), and 7.5…10.5 are only four below the mean.
      const after = [7.5, 8.5, 9.5, 10.5, 11.5, 12.5];
      expect(flagged(after)).toEqual([10, 11, 12, 13, 14, 15]);
      const result = chart(after, 'higher');
      expect(result.series[15]!.signal).toEqual({ direction: 'high', rules: ['trend'], variation: 'improvement' });
      expect(result.variation).toBe('improvement');
    });

    it('flags a falling run across the mean as low throughout (its heading), and not five', () => {
      const after = [14, 13, 12, 10.8, 10, 9];
      expect(flagged(after)).toEqual([10, 11, 12, 13, 14, 15]);
      const result = chart(after, 'lower');
      expect(result.series[10]!.signal).toEqual({ direction: 'low', rules: ['trend'], variation: 'improvement' });
      expect(result.variation).toBe('improvement');
      expect(flagged([7.5, 8.5, 9.5, 10.5, 11.5])).toEqual([]);
    });

    it('is broken by a repeated value', () => {
      expect(flagged([7.5, 8.5, 9.5, 9.5, 10.5, 11.5])).toEqual([]);
    });
  });

  describe('rule 4: two of three beyond the same two-sigma line', () => {
    it('flags 15, 11, 15 (15 > 14.5467, inside 16.32): both 15s, not the 11', () => {
      const result = chart([15, 11, 15]);
      expect(flagged([15, 11, 15])).toEqual([10, 12]);
      expect(result.series[12]!.signal).toEqual({ direction: 'high', rules: ['two_of_three'], variation: 'concern' });
      expect(result.variation).toBe('concern');
    });

    it('does not flag one in three, nor two on opposite sides', () => {
      expect(flagged([15, 11, 11])).toEqual([]);
      expect(flagged([15, 7, 11])).toEqual([]);
    });

    it('flags low pairs: 7, 11, 7 (7 < 7.4533)', () => {
      expect(chart([7, 11, 7]).series[12]!.signal).toEqual({ direction: 'low', rules: ['two_of_three'], variation: 'improvement' });
    });
  });

  it('lists every rule a point breaks', () => {
    // 15, 17: two of three above 14.5467 (both), and 17 beyond 16.32.
    expect(chart([15, 17]).series[11]!.signal).toEqual({ direction: 'high', rules: ['beyond_limit', 'two_of_three'], variation: 'concern' });
  });

  it('sorts the series by period and reads variation from the latest point', () => {
    const points = monthly([...BASELINE, 17, 12]).reverse();
    const result = xmrChart(points, RANGE, 'lower');
    expect(result.series.map((p) => p.period)).toEqual(monthly([...BASELINE, 17, 12]).map((p) => p.period));
    // 17 is a special cause, but the latest (12) is not: the icon reads common cause.
    expect(result.series[10]!.signal?.rules).toEqual(['beyond_limit']);
    expect(result.variation).toBe('common_cause');
  });

  it('maps direction and betterWhen to improvement or concern', () => {
    expect(variationOf('high', 'higher')).toBe('improvement');
    expect(variationOf('low', 'lower')).toBe('improvement');
    expect(variationOf('high', 'lower')).toBe('concern');
    expect(variationOf('low', 'higher')).toBe('concern');
  });

  it('defaults the baseline to the first 12 months with data', () => {
    const periods = monthly(Array.from({ length: 24 }, () => 1)).map((p) => p.period);
    expect(defaultBaseline(periods)).toEqual({ from: '2024-01', to: '2024-12' });
    expect(defaultBaseline(periods.slice(0, 5))).toEqual({ from: '2024-01', to: '2024-05' });
    expect(defaultBaseline([])).toBeNull();
  });
});

describe('latestReading (the tail is enough for the latest point)', () => {
  it('agrees with the full chart on variation, signal and change for any series', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 2, maxLength: 40 }), fc.integer({ min: 2, max: 20 }), fc.constantFrom('lower' as const, 'higher' as const), (values, baselineLength, betterWhen) => {
        const points = monthly(values);
        const range = { from: points[0]!.period, to: points[Math.min(baselineLength, points.length) - 1]!.period };
        const full = xmrChart(points, range, betterWhen);
        const reading = latestReading(points, range, betterWhen);
        expect(reading.variation).toEqual(full.variation);
        expect(reading.signal).toEqual(full.series[full.series.length - 1]!.signal);
        expect(reading.changeFromBaseline).toEqual(full.changeFromBaseline);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the worked examples the same way', () => {
    expect(latestReading(monthly([...BASELINE, 17]), RANGE, 'lower')).toMatchObject({ variation: 'concern', changeFromBaseline: 6, signal: { rules: ['beyond_limit'] } });
    expect(latestReading(monthly([...BASELINE, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5]), RANGE, 'higher')).toMatchObject({ variation: 'improvement', signal: { rules: ['trend'] } });
    expect(latestReading([], RANGE, 'lower')).toMatchObject({ variation: null, latest: null });
  });
});
