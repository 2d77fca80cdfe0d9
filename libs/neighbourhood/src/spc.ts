/**
 * Statistical process control as NHS England's Making Data Count reads it (the reference
 * implementation is the NHS-R Community's NHSRplotthedots): an XmR (individuals) chart whose centre
 * line and process limits come from a baseline, the four special-cause rules, and the variation
 * icon a reader sees. Pure functions: no I/O, no clock.
 *
 * - centre line: the mean of the baseline points;
 * - moving range: |xᵢ − xᵢ₋₁| between consecutive baseline points; mMR is their mean;
 * - process limits: mean ± 2.66 × mMR (2.66 = 3 / d₂, d₂ = 1.128 for ranges of two);
 * - two-sigma lines: mean ± (2/3) × 2.66 × mMR;
 * - signals, over the whole series against those lines:
 *   1. a point beyond a process limit;
 *   2. a shift: 7 or more points in a row on the same side of the mean (a point on the mean breaks it);
 *   3. a trend: 6 or more points in a row each rising (or each falling) from the one before (a repeat breaks it);
 *   4. two out of three points in a row beyond the same two-sigma line (both flagged);
 * - variation: what the latest point says. A special cause in the direction the indicator wants
 *   (lower or higher) is `improvement`, the other way `concern`; no special cause is `common_cause`.
 */

export const SPC_RULES = ['beyond_limit', 'shift', 'trend', 'two_of_three'] as const;
export type SpcRule = (typeof SPC_RULES)[number];

export type BetterWhen = 'lower' | 'higher';
export type Variation = 'common_cause' | 'improvement' | 'concern';
export type Direction = 'high' | 'low';

export const LIMIT_FACTOR = 2.66;
export const SHIFT_LENGTH = 7;
export const TREND_LENGTH = 6;

export interface SpcPoint {
  /** `YYYY-MM`. */
  readonly period: string;
  readonly value: number;
}

export interface BaselineStatistics {
  readonly mean: number;
  readonly meanMovingRange: number;
  readonly lower: number;
  readonly upper: number;
  readonly lowerTwoSigma: number;
  readonly upperTwoSigma: number;
}

export interface PointSignal {
  /** Which side of the mean the special cause is on (for a trend, the way it is heading). */
  readonly direction: Direction;
  readonly rules: readonly SpcRule[];
  readonly variation: Exclude<Variation, 'common_cause'>;
}

export interface SpcSeriesPoint extends SpcPoint {
  /** Null when the point is common cause. */
  readonly signal: PointSignal | null;
}

export interface SpcChart {
  readonly series: readonly SpcSeriesPoint[];
  readonly baseline: BaselineStatistics | null;
  readonly variation: Variation | null;
  /** Latest value minus the baseline mean (in the indicator's unit); null without both. */
  readonly changeFromBaseline: number | null;
  /** The same as a percentage of the baseline mean; null when the mean is 0. */
  readonly changeFromBaselinePercent: number | null;
}

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Mean, mean moving range and the lines derived from them; null with fewer than two baseline points (no moving range). */
export function baselineStatistics(values: readonly number[]): BaselineStatistics | null {
  if (values.length < 2) return null;
  const centre = mean(values);
  const ranges = values.slice(1).map((value, i) => Math.abs(value - values[i]!));
  const mmr = mean(ranges);
  const width = LIMIT_FACTOR * mmr;
  return { mean: centre, meanMovingRange: mmr, lower: centre - width, upper: centre + width, lowerTwoSigma: centre - (2 / 3) * width, upperTwoSigma: centre + (2 / 3) * width };
}

/** The rules each point breaks, and in which direction, against `stats`. */
export function detectSignals(values: readonly number[], stats: BaselineStatistics): { rules: Set<SpcRule>; high: boolean; low: boolean }[] {
  const flags = values.map(() => ({ rules: new Set<SpcRule>(), high: false, low: false }));
  const mark = (i: number, rule: SpcRule, direction: Direction) => {
    flags[i]!.rules.add(rule);
    if (direction === 'high') flags[i]!.high = true;
    else flags[i]!.low = true;
  };

  // 1. Beyond a process limit.
  values.forEach((value, i) => {
    if (value > stats.upper) mark(i, 'beyond_limit', 'high');
    else if (value < stats.lower) mark(i, 'beyond_limit', 'low');
  });

  // 2. Shift: runs on one side of the mean.
  let runStart = 0;
  const side = (value: number) => Math.sign(value - stats.mean);
  for (let i = 1; i <= values.length; i++) {
    const continues = i < values.length && side(values[i]!) !== 0 && side(values[i]!) === side(values[runStart]!);
    if (continues) continue;
    const s = side(values[runStart]!);
    if (s !== 0 && i - runStart >= SHIFT_LENGTH) for (let j = runStart; j < i; j++) mark(j, 'shift', s > 0 ? 'high' : 'low');
    runStart = i;
  }

  // 3. Trend: runs of points each strictly above (or below) the one before.
  for (const rising of [true, false]) {
    let start = 0;
    for (let i = 1; i <= values.length; i++) {
      const continues = i < values.length && (rising ? values[i]! > values[i - 1]! : values[i]! < values[i - 1]!);
      if (continues) continue;
      if (i - start >= TREND_LENGTH) for (let j = start; j < i; j++) mark(j, 'trend', rising ? 'high' : 'low');
      start = i;
    }
  }

  // 4. Two of three beyond the same two-sigma line.
  for (let i = 0; i + 2 < values.length; i++) {
    const window = [i, i + 1, i + 2];
    const above = window.filter((j) => values[j]! > stats.upperTwoSigma);
    const below = window.filter((j) => values[j]! < stats.lowerTwoSigma);
    if (above.length >= 2) above.forEach((j) => mark(j, 'two_of_three', 'high'));
    if (below.length >= 2) below.forEach((j) => mark(j, 'two_of_three', 'low'));
  }
  return flags;
}

/** Whether a special cause in `direction` is good news for an indicator that is better `betterWhen`. */
export function variationOf(direction: Direction, betterWhen: BetterWhen): Exclude<Variation, 'common_cause'> {
  return (direction === 'high') === (betterWhen === 'higher') ? 'improvement' : 'concern';
}

/**
 * The direction of a point flagged both ways (e.g. a falling trend that ends above the mean): the
 * rule that reads the point's own position wins, in the order beyond a limit, two of three, shift;
 * a trend alone gives its heading.
 */
function directionOf(flag: { rules: Set<SpcRule>; high: boolean; low: boolean }, value: number, stats: BaselineStatistics): Direction {
  if (flag.high !== flag.low) return flag.high ? 'high' : 'low';
  return value >= stats.mean ? 'high' : 'low';
}

/**
 * The XmR chart of `points` (sorted by period), with limits from the points in `[from, to]`
 * (periods `YYYY-MM`, inclusive). Without enough baseline points there are no limits, signals or
 * variation; the series is still returned.
 */
export function xmrChart(points: readonly SpcPoint[], baseline: { from: string; to: string }, betterWhen: BetterWhen): SpcChart {
  const sorted = [...points].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  const values = sorted.map((p) => p.value);
  const stats = baselineStatistics(sorted.filter((p) => p.period >= baseline.from && p.period <= baseline.to).map((p) => p.value));
  if (!stats) return { series: sorted.map((p) => ({ ...p, signal: null })), baseline: null, variation: null, changeFromBaseline: null, changeFromBaselinePercent: null };
  const flags = detectSignals(values, stats);
  const series = sorted.map((p, i) => {
    const flag = flags[i]!;
    if (!flag.rules.size) return { ...p, signal: null };
    const direction = directionOf(flag, p.value, stats);
    return { ...p, signal: { direction, rules: SPC_RULES.filter((rule) => flag.rules.has(rule)), variation: variationOf(direction, betterWhen) } };
  });
  const latest = series[series.length - 1]!;
  const change = latest.value - stats.mean;
  return {
    series,
    baseline: stats,
    variation: latest.signal ? latest.signal.variation : 'common_cause',
    changeFromBaseline: change,
    changeFromBaselinePercent: stats.mean === 0 ? null : (change / stats.mean) * 100,
  };
}

/** The default baseline when a Place has not set one: its first 12 months with data (Making Data Count asks for 12 to 20 points). */
export const DEFAULT_BASELINE_POINTS = 12;

export function defaultBaseline(periods: readonly string[]): { from: string; to: string } | null {
  const sorted = [...periods].sort();
  if (!sorted.length) return null;
  return { from: sorted[0]!, to: sorted[Math.min(sorted.length, DEFAULT_BASELINE_POINTS) - 1]! };
}

/** The longest run any rule needs to look back over from the latest point (a shift: 7). */
export const LOOKBACK = Math.max(SHIFT_LENGTH, TREND_LENGTH, 3);

export interface LatestReading {
  readonly baseline: BaselineStatistics | null;
  readonly latest: SpcPoint | null;
  readonly signal: PointSignal | null;
  readonly variation: Variation | null;
  readonly changeFromBaseline: number | null;
  readonly changeFromBaselinePercent: number | null;
}

/**
 * What {@link xmrChart} says about the latest point, reading only the baseline and the last
 * {@link LOOKBACK} points: each rule that can flag the latest point ends at it (a run of 7 on one
 * side, 6 rising or falling, the window of three it closes, or the point itself), so the tail
 * decides it exactly. For views of many Places (the Intelligence Centre) that need only the icon.
 * `points` must be sorted by period.
 */
export function latestReading(points: readonly SpcPoint[], baseline: { from: string; to: string }, betterWhen: BetterWhen): LatestReading {
  const latest = points[points.length - 1] ?? null;
  const baselineValues: number[] = [];
  for (const p of points) if (p.period >= baseline.from && p.period <= baseline.to) baselineValues.push(p.value);
  const stats = baselineStatistics(baselineValues);
  if (!stats || !latest) return { baseline: stats, latest, signal: null, variation: null, changeFromBaseline: null, changeFromBaselinePercent: null };
  const tail = points.slice(-LOOKBACK).map((p) => p.value);
  const flag = detectSignals(tail, stats)[tail.length - 1]!;
  let signal: PointSignal | null = null;
  if (flag.rules.size) {
    const direction = directionOf(flag, latest.value, stats);
    signal = { direction, rules: SPC_RULES.filter((rule) => flag.rules.has(rule)), variation: variationOf(direction, betterWhen) };
  }
  const change = latest.value - stats.mean;
  return { baseline: stats, latest, signal, variation: signal ? signal.variation : 'common_cause', changeFromBaseline: change, changeFromBaselinePercent: stats.mean === 0 ? null : (change / stats.mean) * 100 };
}
