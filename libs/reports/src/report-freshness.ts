import type { ReadSource } from '@slp/platform';

/** How fresh a report is, whichever database answered it. */
export interface ReportFreshness {
  /** `replica` when a streaming replica answered, `primary` otherwise (none configured, down, or too far behind). */
  readonly source: 'primary' | 'replica';
  /** How far the replica's replay was behind the primary when last checked (0 on the primary). */
  readonly replicaLagSeconds: number;
  /** The report includes every change made up to this instant; later ones may be missing. */
  readonly asOf: string;
  /** Seconds between `asOf` and the moment the report was produced. */
  readonly ageSeconds: number;
}

/**
 * A report's freshness from where it was read. The pipeline summary is written by the same
 * transaction as each change it reflects (see the person_pipeline triggers), so it is exactly as
 * current as the database that answered: the primary holds every committed change, and a replica
 * every change up to "when its lag was measured, minus that lag" (its copy of the summary is
 * replicated with the rows it summarises, never apart from them).
 */
export function reportFreshness(source: ReadSource): ReportFreshness {
  const asOf = source.asOf.getTime();
  return {
    source: source.source,
    replicaLagSeconds: source.lagSeconds,
    asOf: new Date(asOf).toISOString(),
    ageSeconds: Math.max(0, Math.round((Date.now() - asOf) / 100) / 10),
  };
}
