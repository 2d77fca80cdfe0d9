import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { ImportKind, ImportStatus } from './import-kind';
import { IMPORTS_POOL } from './imports-pool';

/** Errors kept on the import row itself (the rest are in import_error, for errors.csv). */
export const LISTED_ERRORS = 1_000;

export interface ImportRow {
  readonly id: string;
  readonly kind: ImportKind;
  readonly dryRun: boolean;
  readonly status: ImportStatus;
  readonly actorAccountId: string | null;
  readonly scopeSystemIds: string[] | null;
  readonly fileSha256: string | null;
  readonly fileBytes: number;
  readonly bytesRead: number;
  readonly rows: { total: number; processed: number; created: number; updated: number; unchanged: number; closed: number; skipped: number; rejected: number };
  readonly errorCount: number;
  readonly errors: { row: number; field: string; message: string }[];
  readonly failure: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface NewImport {
  readonly id: string;
  readonly kind: ImportKind;
  readonly dryRun: boolean;
  readonly actorAccountId: string | null;
  readonly scopeSystemIds: readonly string[] | null;
}

export interface FinishedCounts {
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly closed: number;
  readonly skipped: number;
  readonly rejected: number;
}

const SELECT = `select id, kind, dry_run, status, actor_account_id, scope_system_ids, file_sha256, file_bytes, bytes_read, rows_total, rows_processed, rows_created, rows_updated,
  rows_unchanged, rows_closed, rows_skipped, rows_rejected, error_count, errors, failure, created_at, started_at, finished_at from import`;

/** The `import` table (one row per run), its errors, and the uploaded file's chunks while it waits for a worker. */
@Injectable()
export class ImportRepository {
  constructor(@Inject(IMPORTS_POOL) private readonly pool: Pool) {}

  async create(db: Pool | PoolClient, record: NewImport, status: ImportStatus): Promise<void> {
    await db.query(`insert into import (id, kind, dry_run, status, actor_account_id, scope_system_ids, created_at) values ($1, $2, $3, $4, $5, $6, now())`, [
      record.id,
      record.kind,
      record.dryRun,
      status,
      record.actorAccountId,
      record.scopeSystemIds,
    ]);
  }

  async appendChunk(client: PoolClient, importId: string, seq: number, data: Buffer): Promise<void> {
    await client.query(`insert into import_file_chunk (import_id, seq, data) values ($1, $2, $3)`, [importId, seq, data]);
  }

  async setFileBytes(client: PoolClient, importId: string, bytes: number): Promise<void> {
    await client.query(`update import set file_bytes = $2 where id = $1`, [importId, bytes]);
  }

  /** The uploaded file, chunk by chunk (one chunk in memory at a time). */
  async *chunks(importId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const { rows } = await this.pool.query<{ data: Buffer }>(`select data from import_file_chunk where import_id = $1 and seq = $2`, [importId, seq]);
      if (!rows[0]) return;
      yield rows[0].data;
    }
  }

  async dropChunks(importId: string): Promise<void> {
    await this.pool.query(`delete from import_file_chunk where import_id = $1`, [importId]);
  }

  /** Claims a queued import for running; false when another worker has it or it has finished. */
  async markRunning(importId: string, fileBytes?: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`update import set status = 'running', started_at = now(), file_bytes = coalesce($2, file_bytes) where id = $1 and status in ('queued', 'running') and finished_at is null`, [importId, fileBytes ?? null]);
    return (rowCount ?? 0) > 0;
  }

  async progress(importId: string, bytesRead: number, rowsRead: number): Promise<void> {
    await this.pool.query(`update import set bytes_read = $2, rows_processed = $3, rows_total = greatest(rows_total, $3) where id = $1 and status = 'running'`, [importId, bytesRead, rowsRead]);
  }

  /** Records the outcome in the import's own transaction, with every problem from `import_problem`. */
  async finish(client: PoolClient, importId: string, sha256: string, bytesRead: number, counts: FinishedCounts): Promise<void> {
    await client.query(`insert into import_error (import_id, seq, row, field, message) select $1, row_number() over (order by row_no, field, message), row_no, field, message from import_problem`, [importId]);
    await client.query(
      `update import set status = 'succeeded', file_sha256 = $2, bytes_read = $3, rows_total = $4, rows_processed = $4, rows_created = $5, rows_updated = $6, rows_unchanged = $7,
         rows_closed = $8, rows_skipped = $9, rows_rejected = $10, finished_at = now(),
         error_count = (select count(*) from import_problem),
         errors = coalesce((select jsonb_agg(jsonb_build_object('row', row_no, 'field', field, 'message', message) order by row_no, field)
                            from (select * from import_problem order by row_no, field limit ${LISTED_ERRORS}) p), '[]')
       where id = $1`,
      [importId, sha256, bytesRead, counts.total, counts.created, counts.updated, counts.unchanged, counts.closed, counts.skipped, counts.rejected],
    );
  }

  async fail(importId: string, reason: string, sha256: string | null): Promise<void> {
    await this.pool.query(
      `update import set status = 'failed', failure = $2, file_sha256 = coalesce($3, file_sha256), rows_created = 0, rows_updated = 0, rows_unchanged = 0, rows_closed = 0, rows_skipped = 0, rows_rejected = 0, finished_at = now() where id = $1`,
      [importId, reason, sha256],
    );
  }

  /** Imports still queued after `seconds`: their job was never queued (Redis was away) or was lost. */
  async queuedBefore(seconds: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(`select id from import where status = 'queued' and created_at < now() - make_interval(secs => $1) order by created_at limit 100`, [seconds]);
    return rows.map((row) => row.id);
  }

  async find(importId: string): Promise<ImportRow | null> {
    const { rows } = await this.pool.query(`${SELECT} where id = $1`, [importId]);
    return rows[0] ? toImportRow(rows[0] as Record<string, unknown>) : null;
  }

  /** Every error of an import in row order, a page at a time. */
  async *errors(importId: string): AsyncGenerator<[number, string, string]> {
    for (let after = 0; ; ) {
      const { rows } = await this.pool.query<{ seq: number; row: number; field: string; message: string }>(
        `select seq, row, field, message from import_error where import_id = $1 and seq > $2 order by seq limit 5000`,
        [importId, after],
      );
      if (!rows.length) return;
      for (const row of rows) yield [row.row, row.field, row.message];
      after = rows[rows.length - 1]!.seq;
    }
  }
}

function toImportRow(row: Record<string, unknown>): ImportRow {
  const n = (key: string) => Number(row[key]);
  return {
    id: row.id as string,
    kind: row.kind as ImportKind,
    dryRun: row.dry_run as boolean,
    status: row.status as ImportStatus,
    actorAccountId: row.actor_account_id as string | null,
    scopeSystemIds: row.scope_system_ids as string[] | null,
    fileSha256: row.file_sha256 as string | null,
    fileBytes: n('file_bytes'),
    bytesRead: n('bytes_read'),
    rows: { total: n('rows_total'), processed: n('rows_processed'), created: n('rows_created'), updated: n('rows_updated'), unchanged: n('rows_unchanged'), closed: n('rows_closed'), skipped: n('rows_skipped'), rejected: n('rows_rejected') },
    errorCount: n('error_count'),
    errors: row.errors as ImportRow['errors'],
    failure: row.failure as string | null,
    createdAt: row.created_at as Date,
    startedAt: row.started_at as Date | null,
    finishedAt: row.finished_at as Date | null,
  };
}
