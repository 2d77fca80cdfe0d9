import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ConflictError, InvalidInputError, isUniqueViolation, NotFoundError } from '@slp/platform';
import { indicatorValue, type IndicatorUnit } from './components';
import { Indicator } from './entities';
import { currentPeriod, periodToDate } from './periods';
import { pgArray, recordablePlace, readablePlace } from './place-access';
import { BetterWhen, defaultBaseline, PointSignal, Variation, xmrChart } from './spc';

export interface IndicatorView {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly unit: IndicatorUnit;
  readonly betterWhen: BetterWhen;
}

export interface MonthlyValueInput {
  readonly period: string;
  readonly numerator: number;
  readonly denominator?: number | null;
}

export interface UpsertResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

export interface IndicatorChart {
  readonly placeId: string;
  readonly indicator: IndicatorView;
  readonly series: { period: string; value: number; numerator: number; denominator: number | null; signal: PointSignal | null }[];
  /** The months the limits come from; `set` is false when the Place has not chosen them (its first 12 months). */
  readonly baseline: { from: string; to: string; set: boolean; mean: number | null; meanMovingRange: number | null } | null;
  readonly limits: { lower: number; upper: number; lowerTwoSigma: number; upperTwoSigma: number } | null;
  readonly variation: Variation | null;
  readonly changeFromBaseline: number | null;
  readonly changeFromBaselinePercent: number | null;
}

export const MAX_VALUES_PER_REQUEST = 240;

const toView = (i: Indicator): IndicatorView => ({ code: i.code, name: i.name, description: i.description, unit: i.unit, betterWhen: i.betterWhen });

const numbers = (values: readonly (number | null)[]) => `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;

/** The indicator catalogue, monthly values per Place, baselines, and each Place's XmR chart. */
@Injectable()
export class IndicatorsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async catalogue(): Promise<IndicatorView[]> {
    return (await this.em.find(Indicator, {}, { orderBy: { name: 'asc' } })).map(toView);
  }

  async indicator(code: string, em: EntityManager = this.em): Promise<Indicator> {
    const indicator = await em.findOne(Indicator, { code });
    if (!indicator) throw NotFoundError.of('indicator', code);
    return indicator;
  }

  async create(scope: AccessScope, input: IndicatorView): Promise<IndicatorView> {
    scope.assertNationalAdmin('add indicators to the catalogue');
    return this.em.transactional(async (em) => {
      if (await em.count(Indicator, { code: input.code })) throw new ConflictError(`The catalogue already has an indicator ${input.code}.`);
      if (await em.count(Indicator, { name: input.name })) throw new ConflictError(`The catalogue already has an indicator named "${input.name}".`);
      const indicator = em.create(Indicator, { ...input, createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'indicator.create', objectType: 'indicator', objectId: input.code });
      try {
        await em.flush();
      } catch (error) {
        if (isUniqueViolation(error, 'nh_indicator_pkey') || isUniqueViolation(error, 'nh_indicator_name_key')) throw new ConflictError(`The catalogue already has indicator ${input.code} or one named "${input.name}".`);
        throw error;
      }
      return toView(indicator);
    });
  }

  /**
   * Upserts a Place's monthly values by period: a month sent again replaces what was there. A rate
   * per 1,000 without a denominator is per the Place's population; a percentage needs one; counts
   * and days have none. Nothing is written unless every value is acceptable.
   */
  async putValues(scope: AccessScope, placeId: string, code: string, values: readonly MonthlyValueInput[]): Promise<UpsertResult> {
    return this.em.transactional(async (em) => {
      await recordablePlace(em, scope, placeId, 'record its indicator values');
      const indicator = await this.indicator(code, em);
      const population = (await em.execute<{ population: number }[]>(`select population from nh_place where place_id = ?`, [placeId]))[0]!.population;
      const errors: { field: string; message: string }[] = [];
      const seen = new Set<string>();
      const latest = currentPeriod();
      const rows = values.map((v, i) => {
        const field = `values.${i}`;
        if (seen.has(v.period)) errors.push({ field: `${field}.period`, message: `period ${v.period} appears more than once` });
        seen.add(v.period);
        if (v.period > latest) errors.push({ field: `${field}.period`, message: 'period must not be in the future' });
        let denominator = v.denominator ?? null;
        if (indicator.unit === 'rate_per_1000') denominator ??= population;
        if (indicator.unit === 'percent' && denominator === null) errors.push({ field: `${field}.denominator`, message: 'denominator is required for a percentage' });
        if ((indicator.unit === 'count' || indicator.unit === 'days') && denominator !== null) errors.push({ field: `${field}.denominator`, message: `a ${indicator.unit} indicator has no denominator` });
        if (indicator.unit === 'percent' && denominator !== null && v.numerator > denominator) errors.push({ field: `${field}.numerator`, message: 'numerator must not exceed the denominator for a percentage' });
        const value = denominator === null && (indicator.unit === 'rate_per_1000' || indicator.unit === 'percent') ? 0 : indicatorValue(indicator.unit, v.numerator, denominator);
        return { period: periodToDate(v.period), numerator: v.numerator, denominator, value };
      });
      if (errors.length) throw new InvalidInputError('Some values cannot be recorded; none were.', errors);
      const result = await em.execute<{ inserted: boolean }[]>(
        `insert into nh_indicator_value (place_id, indicator_code, period, numerator, denominator, value, updated_at)
         select ?::uuid, ?, v.period, v.numerator, v.denominator, v.value, now()
           from unnest(?::date[], ?::float8[], ?::float8[], ?::float8[]) as v(period, numerator, denominator, value)
         on conflict (place_id, indicator_code, period) do update
           set numerator = excluded.numerator, denominator = excluded.denominator, value = excluded.value, updated_at = excluded.updated_at
           where (nh_indicator_value.numerator, nh_indicator_value.denominator) is distinct from (excluded.numerator, excluded.denominator)
         returning (xmax = 0) as inserted`,
        [placeId, code, pgArray(rows.map((r) => r.period)), numbers(rows.map((r) => r.numerator)), numbers(rows.map((r) => r.denominator)), numbers(rows.map((r) => r.value))],
      );
      const created = result.filter((r) => r.inserted).length;
      const outcome = { created, updated: result.length - created, unchanged: rows.length - result.length };
      if (result.length) this.audit.record(em, { actorAccountId: scope.accountId, action: 'indicator_values.upsert', objectType: 'place', objectId: placeId, details: { indicator: code, ...outcome } });
      await em.flush();
      return outcome;
    });
  }

  async putBaseline(scope: AccessScope, placeId: string, code: string, range: { from: string; to: string }): Promise<IndicatorChart> {
    if (range.from > range.to) throw new InvalidInputError('The baseline ends before it starts.', [{ field: 'to', message: 'to must not be before from' }]);
    await this.em.transactional(async (em) => {
      await recordablePlace(em, scope, placeId, 'set its baselines');
      await this.indicator(code, em);
      await em.execute(
        `insert into nh_baseline (place_id, indicator_code, from_period, to_period, updated_at) values (?, ?, ?::date, ?::date, now())
         on conflict (place_id, indicator_code) do update set from_period = excluded.from_period, to_period = excluded.to_period, updated_at = excluded.updated_at`,
        [placeId, code, periodToDate(range.from), periodToDate(range.to)],
      );
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'indicator_baseline.set', objectType: 'place', objectId: placeId, details: { indicator: code, from: range.from, to: range.to } });
      await em.flush();
    });
    return this.chart(scope, placeId, code);
  }

  async chart(scope: AccessScope, placeId: string, code: string): Promise<IndicatorChart> {
    await readablePlace(this.em, scope, placeId);
    const indicator = await this.indicator(code);
    const values = await this.em.execute<{ period: string; value: number; numerator: number; denominator: number | null }[]>(
      `select to_char(period, 'YYYY-MM') as period, value, numerator, denominator from nh_indicator_value where place_id = ? and indicator_code = ? order by period`,
      [placeId, code],
    );
    const set = (await this.em.execute<{ from: string; to: string }[]>(`select to_char(from_period, 'YYYY-MM') as "from", to_char(to_period, 'YYYY-MM') as "to" from nh_baseline where place_id = ? and indicator_code = ?`, [placeId, code]))[0];
    const range = set ?? defaultBaseline(values.map((v) => v.period));
    const spc = range ? xmrChart(values, range, indicator.betterWhen) : null;
    return {
      placeId,
      indicator: toView(indicator),
      series: values.map((v, i) => ({ period: v.period, value: v.value, numerator: v.numerator, denominator: v.denominator, signal: spc?.series[i]?.signal ?? null })),
      baseline: range ? { from: range.from, to: range.to, set: Boolean(set), mean: spc?.baseline?.mean ?? null, meanMovingRange: spc?.baseline?.meanMovingRange ?? null } : null,
      limits: spc?.baseline ? { lower: spc.baseline.lower, upper: spc.baseline.upper, lowerTwoSigma: spc.baseline.lowerTwoSigma, upperTwoSigma: spc.baseline.upperTwoSigma } : null,
      variation: spc?.variation ?? null,
      changeFromBaseline: spc?.changeFromBaseline ?? null,
      changeFromBaselinePercent: spc?.changeFromBaselinePercent ?? null,
    };
  }
}
