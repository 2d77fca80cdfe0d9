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
  /**
   * The instant the summary the report counts is complete up to (the same as `freshness.asOf`): the
   * summary is kept current by every change's own transaction, so this is "now" on the primary and
   * "now minus the lag" on a replica.
   */
  readonly refreshedAt: string;
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
    const { result: rows, source } = await this.replicaReads.read('report.pipeline', (db) =>
      db.execute<{ group_id: string | null; group_label: string | null } & Record<string, string>>(
        `select ${group.key} as group_id, ${group.label} as group_label,
                ${countColumns}
           from person_pipeline pp ${group.join ?? ''}
          where ${where.join(' and ')}
          group by 1, 2
          order by 2 nulls last`,
        params,
      ),
    );
    const freshness = reportFreshness(source);
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
      refreshedAt: freshness.asOf,
      freshness,
    };
  }

  /** Repairs the pipeline summary (see {@link rebuildPipelineSummary}); answers the rows corrected. */
  rebuild(): Promise<number> {
    return rebuildPipelineSummary(this.em);
  }
}

/**
 * Repairs the pipeline summary: finds every person whose row differs from what the stage rules
 * give today (or is missing, or belongs to nobody) and syncs those, a batch at a time, exactly as
 * a change's own transaction would (row locks in person order, facts read after the lock). Only
 * rows that differ are written, so on a healthy summary it changes nothing and blocks nobody; the
 * count it answers is the rows it corrected, which is 0 unless something bypassed the triggers
 * (a bulk load with `slp.pipeline_bulk`, a restore, a manual fix in psql).
 */
export async function rebuildPipelineSummary(em: EntityManager): Promise<number> {
  const db = em.getConnection('write');
  const stale = await db.execute<{ person_id: string }[]>(
    `select coalesce(s.person_id, pp.person_id) as person_id
       from person_pipeline_source s
       full join person_pipeline pp on pp.person_id = s.person_id
      where s.person_id is null or pp.person_id is null or row(s.*) is distinct from row(pp.*)
      order by 1`,
  );
  let corrected = 0;
  for (let i = 0; i < stale.length; i += REBUILD_BATCH) {
    const batch = stale.slice(i, i + REBUILD_BATCH).map((row) => row.person_id);
    const [row] = await db.execute<{ corrected: number }[]>(`select person_pipeline_sync(?::uuid[]) as corrected`, [`{${batch.join(',')}}`]);
    corrected += Number(row!.corrected);
  }
  return corrected;
}

/** People synced per statement by {@link PipelineReportService.rebuild}: each batch's row locks are held only for its own statement. */
const REBUILD_BATCH = 5_000;

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
