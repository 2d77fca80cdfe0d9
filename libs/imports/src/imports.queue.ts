import type { JobsOptions } from 'bullmq';

/** Imports run on the worker, one job per import, the job id the import's id (so it is queued once). */
export const IMPORTS_QUEUE = 'imports';
export const RUN_IMPORT_JOB = 'run-import';

export interface RunImportJob {
  readonly importId: string;
}

/** One attempt: the engine records a failure on the import itself; a stalled job (a worker died) is picked up again by BullMQ. */
export const IMPORT_JOB_OPTIONS: JobsOptions = { attempts: 1, removeOnComplete: { count: 1_000 }, removeOnFail: { count: 1_000 } };
