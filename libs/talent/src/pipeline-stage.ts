import type { NominationStatus, Readiness } from './nomination-status';

/** Where a person is in the leadership pipeline, in order. */
export const PIPELINE_STAGES = ['identified', 'nominated', 'in_development', 'completed', 'ready', 'appointed'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** The dated facts the stage is derived from. */
export interface PipelineFacts {
  readonly nominations: readonly { readonly createdAt: Date; readonly consentedAt: Date | null; readonly readiness: Readiness; readonly status: NominationStatus }[];
  readonly poolMemberships: readonly { readonly createdAt: Date }[];
  readonly enrolments: readonly { readonly enrolledAt: Date | null; readonly completedAt: Date | null }[];
  readonly appointments: readonly { readonly appointedOn: Date }[];
}

export interface PipelineEntry {
  readonly stage: PipelineStage;
  readonly at: Date;
  readonly reason: string;
}

export interface PipelinePosition {
  /** The furthest stage reached; null for someone not in the pipeline at all. */
  readonly stage: PipelineStage | null;
  /** Each stage reached, when it was first reached, and why; in pipeline order. */
  readonly history: readonly PipelineEntry[];
}

/**
 * The pipeline rules, in one place:
 * - identified: first nominated by a lead, or added to a talent pool;
 * - nominated: first consented to a nomination (nothing proceeds without consent);
 * - in development: first enrolled in a cohort (by any route);
 * - completed: first completed a cohort;
 * - ready: completed, and the latest readiness rating is "ready now" (from the later of the two);
 * - appointed: first appointment recorded.
 * The stage is the furthest reached; a person can skip stages (e.g. enrol without a nomination).
 */
export function pipelinePosition(facts: PipelineFacts): PipelinePosition {
  const entries: PipelineEntry[] = [];
  const earliest = (dates: readonly (Date | null)[]): Date | null => dates.filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  const add = (stage: PipelineStage, at: Date | null, reason: string) => {
    if (at) entries.push({ stage, at, reason });
  };

  const firstNomination = earliest(facts.nominations.map((n) => n.createdAt));
  const firstPool = earliest(facts.poolMemberships.map((m) => m.createdAt));
  const identified = earliest([firstNomination, firstPool]);
  add('identified', identified, identified && identified === firstNomination ? 'nominated by a lead' : 'added to a talent pool');
  add('nominated', earliest(facts.nominations.map((n) => n.consentedAt)), 'consented to a nomination');
  add('in_development', earliest(facts.enrolments.map((e) => e.enrolledAt)), 'enrolled in a cohort');
  const completed = earliest(facts.enrolments.map((e) => e.completedAt));
  add('completed', completed, 'completed a cohort');
  const latestRating = [...facts.nominations].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (completed && latestRating?.readiness === 'ready_now') {
    add('ready', new Date(Math.max(completed.getTime(), latestRating.createdAt.getTime())), 'rated ready now, having completed a cohort');
  }
  add('appointed', earliest(facts.appointments.map((a) => a.appointedOn)), 'appointed to a post');

  // Added in pipeline order above, so the last entry is the furthest stage.
  return { stage: entries.at(-1)?.stage ?? null, history: entries };
}
