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
 * A report's freshness from where it was read and, for reports of the pipeline summary, when that
 * summary was built. A replica's copy of the summary carries the build time of the copy it holds (it
 * is replicated with the rows), so the summary's age already counts the replica's delay for it, and
 * the lag adds to it only where it is larger, as for what is read from live tables: the report is as
 * old as the older of the two.
 */
export function reportFreshness(source: ReadSource, summaryBuiltAt?: Date | string | null): ReportFreshness {
  const built = summaryBuiltAt ? new Date(summaryBuiltAt).getTime() : Infinity;
  const asOf = Math.min(source.asOf.getTime(), built);
  return {
    source: source.source,
    replicaLagSeconds: source.lagSeconds,
    asOf: new Date(asOf).toISOString(),
    ageSeconds: Math.max(0, Math.round((Date.now() - asOf) / 100) / 10),
  };
}
