import type { PoolClient } from 'pg';
import type { EsrField } from '@slp/platform';

export const IMPORT_KINDS = ['ods_icb', 'ods_trust', 'ods_gp_practice', 'esr_people'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** What one run may touch and who runs it: fixed when the import is submitted. */
export interface ImportContext {
  readonly importId: string;
  readonly dryRun: boolean;
  /** Null for the command line (an operator, acting for the platform). */
  readonly actorAccountId: string | null;
  /** Systems the caller administers; null when national (every system). */
  readonly scopeSystemIds: readonly string[] | null;
  readonly esrColumns: Readonly<Record<EsrField, string>>;
}

/** A problem with the file as a whole: the import fails with this reason and changes nothing. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export interface RowProblem {
  readonly field: string;
  readonly message: string;
}

/** One parsed record, ready for the staging table: its values, or why it cannot be read, or that it is out of the import (e.g. a secondary assignment). */
export type StagedRow = { readonly values: readonly (string | null)[] } | { readonly problem: RowProblem } | { readonly skipped: true };

/** Turns parsed CSV records into staging rows; header files see their header first. */
export interface RecordMapper {
  readonly hasHeader: boolean;
  /** The header record (kinds with a header row); throws {@link ImportFileError} when required columns are missing. */
  header?(record: readonly string[]): void;
  map(record: readonly string[]): StagedRow;
}

export interface MergeCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly closed: number;
  readonly skipped: number;
}

/**
 * One kind of import. Rows are staged in `import_stage` (row_no, new_id, problem_field, problem,
 * skipped, rejected, then {@link columns} as text and {@link resolvedColumns}); `validate` adds
 * row problems to `import_problem (row_no, field, message)` in SQL, and `merge` applies the rows
 * not rejected in as few statements as it can, inside the import's transaction.
 */
export interface ImportKindDefinition {
  readonly kind: ImportKind;
  /** Only national admins may run it (ODS reference data); otherwise system admins too, within their systems. */
  readonly nationalOnly: boolean;
  readonly columns: readonly string[];
  /** Extra staging columns validation fills in, as SQL column definitions. */
  readonly resolvedColumns: string;
  mapper(context: ImportContext): RecordMapper;
  validate(client: PoolClient, context: ImportContext): Promise<void>;
  merge(client: PoolClient, context: ImportContext): Promise<MergeCounts>;
}
