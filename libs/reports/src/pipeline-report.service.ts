import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, ReplicaReads } from '@slp/platform';
import { reportSystems, systemsClause } from './report-scope';
import { DEFAULT_SUPPRESSION_THRESHOLD, safeRate, suppressTable } from './disclosure-control';
import { ReportFreshness, reportFreshness } from './report-freshness';

export const FUNNEL_STAGES = ['identified', 'nominated', 'inDevelopment', 'completed', 'ready', 'appointed'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
const STAGE_COLUMNS: Record<FunnelStage, string> = {
  identified: 'identified_at',
  nominated: 'nominated_at',
  inDevelopment: 'in_development_at',
  completed: 'completed_at',
  ready: 'ready_at',
  appointed: 'appointed_at',
};

export const FUNNEL_GROUPS = ['system', 'place', 'organisation', 'staffGroup', 'grade', 'ethnicity', 'sex', 'disability'] as const;
export type FunnelGroup = (typeof FUNNEL_GROUPS)[number];

/** NHS broad ethnic groups from Data Dictionary categories; only consented data is ever here. */
export const ETHNIC_GROUP_SQL = `case
  when pp.ethnicity in ('A', 'B', 'C') then 'White'
  when pp.ethnicity in ('D', 'E', 'F', 'G') then 'Mixed'
  when pp.ethnicity in ('H', 'J', 'K', 'L') then 'Asian or Asian British'
  when pp.ethnicity in ('M', 'N', 'P') then 'Black or Black British'
  when pp.ethnicity in ('R', 'S') then 'Other ethnic group'
  when pp.ethnicity in ('Z', 'prefer_not_to_say') then 'Not stated'
  else 'Not recorded' end`;

const GROUP_SQL: Record<FunnelGroup, { key: string; label: string; join?: string }> = {
  system: { key: 'pp.system_id::text', label: 's.name', join: 'left join system s on s.id = pp.system_id' },
  place: { key: 'pp.place_id::text', label: 'pl.name', join: 'left join place pl on pl.id = pp.place_id' },
  organisation: { key: 'pp.organisation_id::text', label: 'o.name', join: 'left join organisation o on o.id = pp.organisation_id' },
  staffGroup: { key: 'pp.staff_group', label: 'pp.staff_group' },
  grade: { key: 'pp.grade', label: 'pp.grade' },
  ethnicity: { key: ETHNIC_GROUP_SQL, label: ETHNIC_GROUP_SQL },
  sex: { key: 'pp.sex', label: 'pp.sex' },
  disability: { key: 'pp.disability', label: 'pp.disability' },
};

export interface FunnelFilter {
  readonly systemId?: string;
  readonly placeId?: string;
  readonly programmeId?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly groupBy?: FunnelGroup;
}

export type StageCounts = Record<FunnelStage, number | null>;

export interface FunnelRow extends StageCounts {
  readonly group: string;
  readonly groupId: string | null;
  readonly conversion: Record<string, number | null>;
}

export interface FunnelReport {
  readonly stages: readonly FunnelStage[];
  readonly groupBy: FunnelGroup;
  readonly threshold: number;
  readonly suppressed: boolean;
  readonly rows: FunnelRow[];
  readonly total: StageCounts & { readonly conversion: Record<string, number | null> };
  /** When the pipeline summary was last rebuilt: the report is as fresh as that. */
  readonly refreshedAt: string | null;
  /** Where it was read (a replica, or the primary) and the instant it is complete up to. */
  readonly freshness: ReportFreshness;
}

/**
 * The pipeline funnel: people reaching each stage, and the conversions between stages, for an
 * admin's scope (a system admin's report covers their systems only, totals included). Reads the
 * `person_pipeline` summary from a read replica when one is fit to answer.
 */
@Injectable()
export class PipelineReportService {
  constructor(
    private readonly em: EntityManager,
    private readonly replicaReads: ReplicaReads,
  ) {}

  async funnel(scope: AccessScope, filter: FunnelFilter, threshold = DEFAULT_SUPPRESSION_THRESHOLD): Promise<FunnelReport> {
    const systems = reportSystems(scope, filter.systemId);
    const groupBy = filter.groupBy ?? 'system';
    const group = GROUP_SQL[groupBy];
    // Parameters in the order their placeholders appear: the stage counts' date bounds, then the filters.
    const params: unknown[] = [];
    const within = (column: string) => {
      const parts = [`pp.${column} is not null`];
      if (filter.from) {
        parts.push(`pp.${column} >= ?`);
        params.push(filter.from);
      }
      if (filter.to) {
        parts.push(`pp.${column} < ?`);
        params.push(filter.to);
      }
      return parts.join(' and ');
    };
    const countColumns = FUNNEL_STAGES.map((stage) => `count(*) filter (where ${within(STAGE_COLUMNS[stage])}) as "${stage}"`).join(',\n              ');
    const inScope = systemsClause(systems);
    const where: string[] = ['pp.stage is not null', inScope.sql];
    params.push(...inScope.params);
    if (filter.placeId) {
      where.push('pp.place_id = ?');
      params.push(filter.placeId);
    }
    if (filter.programmeId) {
      where.push(`(exists (select 1 from nomination n left join cohort nc on nc.id = n.cohort_id where n.nominee_id = pp.person_id and (n.programme_id = ? or nc.programme_id = ?))
                or exists (select 1 from enrolment e join cohort ec on ec.id = e.cohort_id where e.person_id = pp.person_id and ec.programme_id = ?))`);
      params.push(filter.programmeId, filter.programmeId, filter.programmeId);
    }
    // The summary's build time rides along on each row as an init plan, run once (every row of the
    // summary carries the same one): one round trip, unless nothing matched.
    const refreshedAt = `(select refreshed_at from person_pipeline limit 1)`;
    const { result, source } = await this.replicaReads.read('report.pipeline', async (db) => {
      const rows = await db.execute<{ group_id: string | null; group_label: string | null; refreshed_at: Date | null } & Record<string, string>>(
        `select ${group.key} as group_id, ${group.label} as group_label,
                ${countColumns},
                ${refreshedAt} as refreshed_at
           from person_pipeline pp ${group.join ?? ''}
          where ${where.join(' and ')}
          group by 1, 2
          order by 2 nulls last`,
        params,
      );
      const builtAt = rows.length ? rows[0]!.refreshed_at : ((await db.execute<{ refreshed_at: Date | null }>(`select ${refreshedAt} as refreshed_at`))[0]?.refreshed_at ?? null);
      return { rows, builtAt };
    });
    const { rows, builtAt: refreshed_at } = result;
    const counts = rows.map((row) => FUNNEL_STAGES.map((stage) => Number(row[stage])));
    const table = suppressTable(counts, threshold);
    const toCounts = (values: (number | null)[]) => Object.fromEntries(FUNNEL_STAGES.map((stage, i) => [stage, values[i] ?? null])) as StageCounts;
    return {
      stages: FUNNEL_STAGES,
      groupBy,
      threshold,
      suppressed: table.suppressed,
      rows: rows.map((row, i) => {
        const stageCounts = toCounts(table.rows[i]!);
        return { group: row.group_label ?? 'Not recorded', groupId: row.group_id, ...stageCounts, conversion: conversions(stageCounts) };
      }),
      total: { ...toCounts(table.totals), conversion: conversions(toCounts(table.totals)) },
      refreshedAt: refreshed_at ? new Date(refreshed_at).toISOString() : null,
      freshness: reportFreshness(source, refreshed_at),
    };
  }

  /** Rebuilds the pipeline summary without blocking readers (the worker does this on a schedule). */
  async refresh(): Promise<void> {
    await this.em.getConnection('write').execute('refresh materialized view concurrently person_pipeline');
  }
}

/** Stage-to-next-stage conversion rates, withheld when either count is. */
function conversions(counts: StageCounts): Record<string, number | null> {
  const result: Record<string, number | null> = {};
  for (let i = 0; i + 1 < FUNNEL_STAGES.length; i++) {
    const from = FUNNEL_STAGES[i]!;
    const to = FUNNEL_STAGES[i + 1]!;
    result[`${from}To${to[0]!.toUpperCase()}${to.slice(1)}`] = safeRate(counts[to], counts[from]);
  }
  return result;
}
