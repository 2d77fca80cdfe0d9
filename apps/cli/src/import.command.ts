import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Pool } from 'pg';
import { IMPORT_KINDS, ImportEngine, ImportEngineModule, ImportKind, ImportRepository, IMPORTS_POOL, LISTED_ERRORS } from '@slp/imports';
import { AppConfig, AuditModule, ConfigModule, DatabaseModule, newId } from '@slp/platform';
import { UsageError } from './admin.command';

@Module({})
class ImportCommandModule {}

export const IMPORT_USAGE = `Usage: npm run import -- <kind> <file> [--dry-run]
  kind: ${IMPORT_KINDS.join(', ')}`;

/** Errors printed to the terminal; the rest are in the import's errors.csv. */
const PRINTED_ERRORS = 20;

/**
 * `import <kind> <file> [--dry-run]`: the same engine the worker runs, for an operator on the
 * platform's own machine (national scope). A progress bar on a terminal, plain lines otherwise.
 * Exits 0 when the import succeeded (rows may still have been rejected: they are listed), 1 when it failed.
 */
export async function runImport(config: AppConfig, args: readonly string[], out: NodeJS.WriteStream = process.stdout, baseDir = process.cwd()): Promise<number> {
  const dryRun = args.includes('--dry-run');
  const [kind, file, ...rest] = args.filter((arg) => arg !== '--dry-run');
  if (!kind || !file || rest.length || !(IMPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(IMPORT_USAGE);
  const path = resolve(baseDir, file);
  const size = await stat(path).then(
    (s) => (s.isFile() ? s.size : null),
    () => null,
  );
  if (size === null) throw new UsageError(`There is no file ${path}.\n${IMPORT_USAGE}`);

  const app = await NestFactory.createApplicationContext(
    { module: ImportCommandModule, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config), AuditModule, ImportEngineModule] },
    { logger: ['error', 'warn'] },
  );
  try {
    const imports = app.get(ImportRepository);
    const id = newId();
    await imports.create(app.get<Pool>(IMPORTS_POOL), { id, kind: kind as ImportKind, dryRun, actorAccountId: null, scopeSystemIds: null }, 'queued');
    await imports.markRunning(id, size);
    const report = progressReporter(out, size);
    const outcome = await app.get(ImportEngine).run(kind as ImportKind, { importId: id, dryRun, actorAccountId: null, scopeSystemIds: null, esrColumns: config.imports.esrColumns }, createReadStream(path), {
      progress: (p) => report.update(p.bytesRead, p.rowsRead),
      merging: () => report.merging(),
    });
    report.stop();
    if (outcome.status === 'failed') {
      out.write(`Import ${id} failed: ${outcome.reason}\n`);
      return 1;
    }
    const c = outcome.counts;
    out.write(`Import ${id} ${dryRun ? '(dry run: nothing changed) ' : ''}succeeded: ${c.total} rows, ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.closed} closed, ${c.skipped} skipped, ${c.rejected} rejected.\n`);
    if (outcome.errorCount) {
      const row = await imports.find(id);
      for (const error of row!.errors.slice(0, PRINTED_ERRORS)) out.write(`  row ${error.row}, ${error.field}: ${error.message}\n`);
      if (outcome.errorCount > PRINTED_ERRORS) out.write(`  … ${outcome.errorCount - PRINTED_ERRORS} more (the first ${LISTED_ERRORS} at GET /api/v1/imports/${id}, all in /api/v1/imports/${id}/errors.csv)\n`);
    }
    return 0;
  } finally {
    await app.close();
  }
}

interface ProgressReporter {
  update(bytesRead: number, rows: number): void;
  merging(): void;
  stop(): void;
}

/** A bar on a terminal; on a pipe or a log, a line at most every two seconds. */
function progressReporter(out: NodeJS.WriteStream, bytesTotal: number): ProgressReporter {
  if (out.isTTY) {
    const bar = new SingleBar({ stream: out, format: 'Reading {bar} {percentage}% | {rows} rows', hideCursor: true }, Presets.shades_classic);
    bar.start(Math.max(bytesTotal, 1), 0, { rows: 0 });
    return {
      update: (bytes, rows) => bar.update(bytes, { rows }),
      merging: () => {
        bar.update(Math.max(bytesTotal, 1));
        bar.stop();
        out.write('Checking and merging…\n');
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (bytes, rows) => {
      if (Date.now() - last < 2_000) return;
      last = Date.now();
      out.write(`Read ${rows} rows (${bytesTotal ? Math.floor((bytes / bytesTotal) * 100) : 100}%)\n`);
    },
    merging: () => out.write('File read; checking and merging…\n'),
    stop: () => undefined,
  };
}
