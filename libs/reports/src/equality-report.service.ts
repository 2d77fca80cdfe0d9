import { Injectable } from '@nestjs/common';
import { AccessScope, ReplicaReads } from '@slp/platform';
import { DEFAULT_SUPPRESSION_THRESHOLD, safeRate, suppressTable } from './disclosure-control';
import { ETHNIC_GROUP_SQL } from './pipeline-report.service';
import { reportSystems, systemsClause } from './report-scope';
import { ReportFreshness, reportFreshness } from './report-freshness';

export const EQUALITY_MEASURES = ['nomination', 'enrolment', 'completion', 'appointment'] as const;
export type EqualityMeasure = (typeof EQUALITY_MEASURES)[number];
export const EQUALITY_GROUPS = ['ethnicity', 'sex', 'disability'] as const;
export type EqualityGroup = (typeof EQUALITY_GROUPS)[number];

const MEASURE_COLUMN: Record<EqualityMeasure, string> = {
  nomination: 'first_nomination_at',
  enrolment: 'in_development_at',
  completion: 'completed_at',
  appointment: 'appointed_at',
};

/** The comparison group, as the NHS Workforce Race Equality Standard compares BME staff with white staff. */
const GROUP: Record<EqualityGroup, { sql: string; reference: string }> = {
  ethnicity: { sql: ETHNIC_GROUP_SQL, reference: 'White' },
  sex: { sql: 'pp.sex', reference: 'male' },
  disability: { sql: 'pp.disability', reference: 'no' },
};

export interface EqualityRow {
  readonly group: string;
  /** People with consented monitoring in this group (the denominator). */
  readonly population: number | null;
  /** Of them, people who were nominated / enrolled / completed / appointed. */
  readonly count: number | null;
  readonly rate: number | null;
  /** This group's rate divided by the reference group's (1 = equally likely). */
  readonly relativeLikelihood: number | null;
}

export interface EqualityReport {
  readonly measure: EqualityMeasure;
  readonly groupBy: EqualityGroup;
  readonly reference: string;
  readonly threshold: number;
  readonly suppressed: boolean;
  readonly rows: EqualityRow[];
  readonly total: { readonly population: number | null; readonly count: number | null; readonly rate: number | null };
  /** Where it was read (a replica, or the primary) and the instant it is complete up to (the summary's build time at the latest). */
  readonly freshness: ReportFreshness;
}

/**
 * For one measure, each group's rate and its relative likelihood against the reference group,
 * with the counts behind them, from consented equality monitoring only. Small counts are withheld
 * (with secondary suppression), and so is every rate computed from a withheld count.
 */
@Injectable()
export class EqualityReportService {
  constructor(private readonly replicaReads: ReplicaReads) {}

  async report(scope: AccessScope, filter: { systemId?: string; measure?: EqualityMeasure; groupBy?: EqualityGroup }, threshold = DEFAULT_SUPPRESSION_THRESHOLD): Promise<EqualityReport> {
    const systems = reportSystems(scope, filter.systemId);
    const measure = filter.measure ?? 'nomination';
    const groupBy = filter.groupBy ?? 'ethnicity';
    const group = GROUP[groupBy];
    const inScope = systemsClause(systems);
    const { result: raw, source } = await this.replicaReads.read('report.equality', (db) =>
      db.execute<{ grp: string; population: string; count: string }>(
        `select ${group.sql} as grp, count(*) as population, count(*) filter (where pp.${MEASURE_COLUMN[measure]} is not null) as count
           from person_pipeline pp
          where pp.${groupBy === 'ethnicity' ? 'ethnicity' : groupBy} is not null and ${inScope.sql}
          group by 1 order by 1`,
        inScope.params,
      ),
    );
    const table = suppressTable(raw.map((row) => [Number(row.population), Number(row.count)]), threshold);
    const rates = table.rows.map(([population, count]) => safeRate(count ?? null, population ?? null));
    const referenceIndex = raw.findIndex((row) => row.grp === group.reference);
    const referenceRate = referenceIndex >= 0 ? rates[referenceIndex]! : null;
    return {
      measure,
      groupBy,
      reference: group.reference,
      threshold,
      suppressed: table.suppressed,
      rows: raw.map((row, i) => ({
        group: row.grp,
        population: table.rows[i]![0] ?? null,
        count: table.rows[i]![1] ?? null,
        rate: rates[i] ?? null,
        relativeLikelihood: safeRate(rates[i] ?? null, referenceRate),
      })),
      total: { population: table.totals[0] ?? null, count: table.totals[1] ?? null, rate: safeRate(table.totals[1] ?? null, table.totals[0] ?? null) },
      freshness: reportFreshness(source),
    };
  }
}
