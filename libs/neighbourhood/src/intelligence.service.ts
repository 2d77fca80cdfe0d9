import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_SUPPRESSION_THRESHOLD, isDisclosive, suppressTable } from '@slp/reports';
import { AccessScope } from '@slp/platform';
import { COMPONENTS, type Component } from './components';
import { IndicatorsService, IndicatorView } from './indicators.service';
import { PlaceAccess } from './place-access';
import { DEFAULT_BASELINE_POINTS, latestReading, Variation } from './spc';

export interface IntelligenceFilter {
  readonly indicator: string;
  readonly wave?: number;
}

export interface PlaceIndicatorRow {
  readonly placeId: string;
  readonly name: string;
  readonly systemId: string;
  readonly systemName: string;
  readonly regionCode: string;
  readonly regionName: string;
  readonly wave: number;
  readonly latestPeriod: string | null;
  /** Null when there is no value, or it is a small count withheld. */
  readonly latestValue: number | null;
  readonly changeFromBaseline: number | null;
  readonly changeFromBaselinePercent: number | null;
  /** Null when there are too few months for limits. */
  readonly variation: Variation | null;
  readonly baselineSet: boolean;
  readonly withheld: boolean;
}

export const VARIATION_COLUMNS = ['improvement', 'common_cause', 'concern', 'no_data'] as const;
type VariationColumn = (typeof VARIATION_COLUMNS)[number];

export interface VariationGroup {
  readonly group: string;
  readonly counts: Record<VariationColumn, number | null>;
}

export interface MaturityDistribution {
  readonly group: string;
  /** Per component: how many Places are at each level (null when withheld), and how many were assessed. */
  readonly components: { component: Component; levels: Record<'1' | '2' | '3' | '4', number | null> }[];
}

export interface IntelligenceView {
  readonly indicator: IndicatorView;
  readonly wave: number | null;
  readonly threshold: number;
  readonly places: PlaceIndicatorRow[];
  readonly variation: { total: VariationGroup; byRegion: VariationGroup[]; byWave: VariationGroup[] };
  readonly maturity: { national: MaturityDistribution; byRegion: MaturityDistribution[]; byWave: MaturityDistribution[] };
  /** Whether any count was withheld. */
  readonly suppressed: boolean;
}

interface SeriesRow {
  place_id: string;
  name: string;
  system_id: string;
  system_name: string;
  region_code: string;
  region_name: string;
  wave: number;
  from_period: string | null;
  to_period: string | null;
  /**
   * The months as days since 2000-01-01, and the values, as PostgreSQL array text (`{1,2,3}`): a
   * day number is cheaper for PostgreSQL to produce than a formatted month, and splitting the text
   * is several times faster in Node than the driver's array parser, 28,800 values a request.
   */
  days: string | null;
  vals: string | null;
}

/**
 * The Intelligence Centre: every visible Place's latest value of an indicator read as SPC (change
 * from baseline, variation), the variation counted by region and wave, and the maturity
 * distribution per component, nationally and by region and wave. Counts of 1 to the threshold are
 * withheld as in reports (with secondary suppression), and so are small people counts (an indicator
 * whose unit is `count`, e.g. high-intensity A&E users) for a Place.
 */
@Injectable()
export class IntelligenceService {
  constructor(
    private readonly em: EntityManager,
    private readonly indicators: IndicatorsService,
  ) {}

  /** The SQL of the per-Place series (one row per Place, its months as arrays), for the benchmark to run bare. */
  static seriesStatement(scope: AccessScope, filter: IntelligenceFilter): { sql: string; params: unknown[] } {
    const visible = PlaceAccess.visibleWhere(scope);
    const wave = filter.wave !== undefined ? ' and np.wave = ?' : '';
    const waveParams = filter.wave !== undefined ? [filter.wave] : [];
    // The places in view, once to pick the values (one ordered index range of the indicator,
    // aggregated per Place) and once for the rows; cheap enough to stay under PostgreSQL's JIT
    // threshold, which a per-Place lateral subquery crosses at programme scale.
    const inView = `select np.place_id from nh_place np join place p on p.id = np.place_id where ${visible.sql}${wave}`;
    return {
      sql: `with v as (
              select iv.place_id, array_agg(iv.period - date '2000-01-01' order by iv.period) as days, array_agg(iv.value order by iv.period) as vals
                from nh_indicator_value iv
               where iv.indicator_code = ? and iv.place_id in (${inView})
               group by iv.place_id)
            select np.place_id, p.name, p.system_id, s.name as system_name, r.code as region_code, r.name as region_name, np.wave,
                   to_char(b.from_period, 'YYYY-MM') as from_period, to_char(b.to_period, 'YYYY-MM') as to_period, v.days::text as days, v.vals::text as vals
              from nh_place np
              join place p on p.id = np.place_id
              join system s on s.id = p.system_id
              join region r on r.code = s.region_code
              left join nh_baseline b on b.place_id = np.place_id and b.indicator_code = ?
              left join v on v.place_id = np.place_id
             where ${visible.sql}${wave}
             order by lower(p.name::text), np.place_id`,
      params: [filter.indicator, ...visible.params, ...waveParams, filter.indicator, ...visible.params, ...waveParams],
    };
  }

  /** The latest level per Place and component of the Places in view (the same view as {@link seriesStatement}). */
  static maturityStatement(scope: AccessScope, filter: IntelligenceFilter): { sql: string; params: unknown[] } {
    const visible = PlaceAccess.visibleWhere(scope);
    const wave = filter.wave !== undefined ? ' and np.wave = ?' : '';
    return {
      sql: `select distinct on (a.place_id, ac.component) a.place_id, ac.component, ac.level
              from nh_assessment a join nh_assessment_component ac on ac.assessment_id = a.id
             where a.place_id in (select np.place_id from nh_place np join place p on p.id = np.place_id where ${visible.sql}${wave})
             order by a.place_id, ac.component, a.assessed_on desc, a.created_at desc`,
      params: [...visible.params, ...(filter.wave !== undefined ? [filter.wave] : [])],
    };
  }

  async national(scope: AccessScope, filter: IntelligenceFilter, threshold = DEFAULT_SUPPRESSION_THRESHOLD): Promise<IntelligenceView> {
    const indicator = await this.indicators.indicator(filter.indicator);
    const statement = IntelligenceService.seriesStatement(scope, filter);
    const rows = await this.em.execute<SeriesRow[]>(statement.sql, statement.params);
    const smallCounts = indicator.unit === 'count';
    let suppressed = false;

    const places: PlaceIndicatorRow[] = rows.map((row) => {
      const periods = numbersOf(row.days).map(periodOfDay);
      const values = numbersOf(row.vals);
      const points = periods.map((period, i) => ({ period, value: values[i]! }));
      // Months come sorted from the query; only the latest point's reading is needed here.
      const range = row.from_period && row.to_period ? { from: row.from_period, to: row.to_period } : points.length ? { from: points[0]!.period, to: points[Math.min(points.length, DEFAULT_BASELINE_POINTS) - 1]!.period } : null;
      const chart = range && points.length ? latestReading(points, range, indicator.betterWhen) : null;
      const latest = points[points.length - 1];
      const withheld = smallCounts && latest !== undefined && isDisclosive(latest.value, threshold);
      if (withheld) suppressed = true;
      return {
        placeId: row.place_id,
        name: row.name,
        systemId: row.system_id,
        systemName: row.system_name,
        regionCode: row.region_code,
        regionName: row.region_name,
        wave: row.wave,
        latestPeriod: latest?.period ?? null,
        latestValue: withheld ? null : (latest?.value ?? null),
        changeFromBaseline: withheld ? null : (chart?.changeFromBaseline ?? null),
        changeFromBaselinePercent: withheld ? null : (chart?.changeFromBaselinePercent ?? null),
        variation: chart?.variation ?? null,
        baselineSet: Boolean(row.from_period),
        withheld,
      };
    });

    const variationTable = (groups: [string, PlaceIndicatorRow[]][]): VariationGroup[] => {
      const counts = groups.map(([, members]) => VARIATION_COLUMNS.map((column) => members.filter((p) => (p.variation ?? 'no_data') === column).length));
      const table = suppressTable(counts, threshold);
      if (table.suppressed) suppressed = true;
      return groups.map(([group], g) => ({ group, counts: Object.fromEntries(VARIATION_COLUMNS.map((column, c) => [column, table.rows[g]![c]!])) as Record<VariationColumn, number | null> }));
    };
    const byRegion = groupBy(places, (p) => p.regionName);
    const byWave = groupBy(places, (p) => `Wave ${p.wave}`);
    const variation = { total: variationTable([['All Places', places]])[0]!, byRegion: variationTable(byRegion), byWave: variationTable(byWave) };

    const maturityStatement = IntelligenceService.maturityStatement(scope, filter);
    const latest = new Map<string, Partial<Record<Component, number>>>();
    for (const row of await this.em.execute<{ place_id: string; component: Component; level: number }[]>(maturityStatement.sql, maturityStatement.params)) {
      const levels = latest.get(row.place_id);
      if (levels) levels[row.component] = row.level;
      else latest.set(row.place_id, { [row.component]: row.level });
    }
    const distribution = (group: string, members: PlaceIndicatorRow[]): MaturityDistribution => {
      const counts = COMPONENTS.map((component) => [1, 2, 3, 4].map((level) => members.filter((p) => latest.get(p.placeId)?.[component] === level).length));
      const table = suppressTable(counts, threshold);
      if (table.suppressed) suppressed = true;
      return { group, components: COMPONENTS.map((component, i) => ({ component, levels: { '1': table.rows[i]![0]!, '2': table.rows[i]![1]!, '3': table.rows[i]![2]!, '4': table.rows[i]![3]! } })) };
    };
    const maturity = {
      national: distribution('All Places', places),
      byRegion: byRegion.map(([group, members]) => distribution(group, members)),
      byWave: byWave.map(([group, members]) => distribution(group, members)),
    };
    return { indicator: { code: indicator.code, name: indicator.name, description: indicator.description, unit: indicator.unit, betterWhen: indicator.betterWhen }, wave: filter.wave ?? null, threshold, places, variation, maturity, suppressed };
  }
}

/** The numbers of a PostgreSQL array's text form (`{1,2.5,3}`); none for null or `{}`. */
function numbersOf(text: string | null): number[] {
  if (!text || text.length <= 2) return [];
  return text.slice(1, -1).split(',').map(Number);
}

const EPOCH_2000 = Date.UTC(2000, 0, 1);
const periodsByDay = new Map<number, string>();

/** `YYYY-MM` of a date given as days since 2000-01-01 (few distinct months, so remembered). */
function periodOfDay(day: number): string {
  let period = periodsByDay.get(day);
  if (period === undefined) {
    period = new Date(EPOCH_2000 + day * 86_400_000).toISOString().slice(0, 7);
    periodsByDay.set(day, period);
  }
  return period;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b, 'en-GB', { numeric: true }));
}
