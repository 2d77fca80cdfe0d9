import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { AuditService, withPgPlaceholders } from '@slp/platform';
import { ImportFileError, type ImportContext, type ImportKind, type ImportKindDefinition } from './import-kind';
import { IMPORT_KIND_DEFINITIONS } from './import-kinds';
import { FinishedCounts, ImportRepository } from './import.repository';
import { IMPORTS_POOL } from './imports-pool';
import { stageCsv, type StagingProgress } from './staging/csv-staging';

/** Progress is written to the import row at most this often. */
const PROGRESS_EVERY_MS = 500;
/** Imports run one at a time across the platform: their merges touch the same rows. */
const IMPORT_LOCK = `pg_advisory_xact_lock(hashtext('slp:imports'))`;

/**
 * For the import's transaction only: its checks group and join every staged row, which at the
 * default 4 MB of work_mem spill to disk, and JIT compilation of those one-off statements costs
 * more than it saves (bench/imports.bench.mjs). One import runs at a time, so the memory is bounded.
 */
const TRANSACTION_SETTINGS = `set local work_mem = '64MB'; set local jit = off`;

export type ImportOutcome = { readonly status: 'succeeded'; readonly counts: FinishedCounts; readonly errorCount: number } | { readonly status: 'failed'; readonly reason: string };

export interface ImportListener {
  progress?(progress: StagingProgress): void;
  /** The file is read; validation and the merge are running. */
  merging?(): void;
}

/**
 * The one import engine every kind and every entry point (worker, command line) share: the file is
 * streamed into a staging table with COPY, checked row by row in SQL, and merged into the real
 * tables in the same transaction, so a failure at any point leaves nothing applied. A dry run
 * merges too, to count exactly, then rolls the merge back. The import row gets the counts and the
 * problems (row, field, message); the audit log gets the run and each object it changed.
 */
@Injectable()
export class ImportEngine {
  private readonly logger = new Logger('Imports');

  constructor(
    @Inject(IMPORTS_POOL) private readonly pool: Pool,
    private readonly imports: ImportRepository,
    private readonly audit: AuditService,
  ) {}

  async run(kind: ImportKind, context: ImportContext, source: NodeJS.ReadableStream, listener: ImportListener = {}): Promise<ImportOutcome> {
    const definition = IMPORT_KIND_DEFINITIONS[kind];
    const progress = new ProgressWriter((p) => this.imports.progress(context.importId, p.bytesRead, p.rowsRead));
    let sha256: string | null = null;
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      await client.query(TRANSACTION_SETTINGS);
      await client.query(stagingTable(definition));
      await client.query(`create temp table import_problem (row_no integer not null, field text not null, message text not null) on commit drop`);
      const staged = await stageCsv(client, source, definition.columns, definition.mapper(context), (p) => {
        listener.progress?.(p);
        progress.offer(p);
      });
      sha256 = staged.sha256;
      await progress.stop(staged);
      listener.merging?.();
      await client.query(`analyze import_stage`);
      await client.query(`select ${IMPORT_LOCK}`);
      await definition.validate(client, context);
      await client.query('savepoint merge');
      const merged = await definition.merge(client, context);
      if (context.dryRun) await client.query('rollback to savepoint merge');
      const { rows } = await client.query<{ total: string; skipped: string; rejected: string }>(
        `select count(*) as total, count(*) filter (where skipped) as skipped, count(*) filter (where rejected) as rejected from import_stage`,
      );
      const counts: FinishedCounts = { ...merged, total: Number(rows[0]!.total), skipped: merged.skipped + Number(rows[0]!.skipped), rejected: Number(rows[0]!.rejected) };
      await this.imports.finish(client, context.importId, staged.sha256, staged.bytesRead, counts);
      const audit = this.audit.insertStatement({
        actorAccountId: context.actorAccountId,
        action: context.dryRun ? 'import.dry_run' : 'import.run',
        objectType: 'import',
        objectId: context.importId,
        details: { kind, counts, sha256: staged.sha256, via: context.actorAccountId ? 'api' : 'cli' },
      });
      await client.query(withPgPlaceholders(audit.sql), [...audit.params]);
      const { rows: errorRows } = await client.query<{ n: string }>(`select count(*) as n from import_problem`);
      await client.query('commit');
      return { status: 'succeeded', counts, errorCount: Number(errorRows[0]!.n) };
    } catch (error) {
      await progress.stop();
      broken = !(await client.query('rollback').then(
        () => true,
        () => false,
      ));
      const reason = error instanceof ImportFileError ? error.message : 'The import failed unexpectedly and changed nothing; the error id is in the platform log.';
      if (!(error instanceof ImportFileError)) {
        // Only the code and constraint: PostgreSQL's message may quote a row's personal data.
        const cause = error as { code?: string; constraint?: string; name?: string };
        this.logger.error(`Import ${context.importId} (${kind}) failed: ${cause.name ?? 'Error'} ${cause.code ?? ''} ${cause.constraint ?? ''}`.trim());
      }
      await this.imports.fail(context.importId, reason, sha256);
      return { status: 'failed', reason };
    } finally {
      client.release(broken || undefined);
    }
  }
}

function stagingTable(definition: ImportKindDefinition): string {
  const columns = [...definition.columns.map((c) => `${c} text`), ...(definition.resolvedColumns ? [definition.resolvedColumns] : [])].join(', ');
  return `create temp table import_stage (row_no integer primary key, new_id uuid not null, problem_field text, problem text, skipped boolean not null, rejected boolean not null default false, ${columns}) on commit drop`;
}

/** Writes progress at most every {@link PROGRESS_EVERY_MS}, one write at a time, and stops before the merge writes the row itself. */
class ProgressWriter {
  private latest: StagingProgress | null = null;
  private writing: Promise<void> = Promise.resolve();
  private last = 0;
  private stopped = false;

  constructor(private readonly write: (progress: StagingProgress) => Promise<void>) {}

  offer(progress: StagingProgress): void {
    this.latest = progress;
    if (this.stopped || Date.now() - this.last < PROGRESS_EVERY_MS) return;
    this.last = Date.now();
    this.writing = this.writing.then(() => (this.latest ? this.write(this.latest) : undefined)).catch(() => undefined);
  }

  async stop(final?: StagingProgress): Promise<void> {
    if (this.stopped) return this.writing;
    this.stopped = true;
    if (final) this.writing = this.writing.then(() => this.write(final)).catch(() => undefined);
    await this.writing;
  }
}
