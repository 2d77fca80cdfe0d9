import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { newId } from '@slp/platform';
import { ImportFileError, type RecordMapper, type StagedRow } from '../import-kind';

/** A record longer than this is not a CSV row but a runaway quote (or not CSV at all). */
const MAX_RECORD_BYTES = 64 * 1024;
/** COPY data is sent in pieces of about this size. */
const COPY_CHUNK_CHARS = 256 * 1024;

export interface StagingProgress {
  readonly bytesRead: number;
  readonly rowsRead: number;
}

export interface StagingResult extends StagingProgress {
  readonly sha256: string;
}

/**
 * Streams a CSV file into the `import_stage` table with COPY: memory stays flat whatever the file's
 * size. The bytes must be UTF-8 text (a byte-order mark is dropped); the file is hashed as it goes.
 * Each record becomes one staging row: its row number (the file's line), a fresh id for the row to
 * use if it creates something, and the mapper's values or the reason it cannot be read.
 */
export async function stageCsv(client: PoolClient, source: NodeJS.ReadableStream, columns: readonly string[], mapper: RecordMapper, onProgress: (progress: StagingProgress) => void): Promise<StagingResult> {
  const text = new Utf8Text();
  const staging = new StagingRows(mapper, columns.length, (rowsRead) => onProgress({ bytesRead: text.bytes, rowsRead }));
  const copy = client.query(copyFrom(`copy import_stage (row_no, new_id, problem_field, problem, skipped, ${columns.join(', ')}) from stdin`));
  try {
    await pipeline(source, text, parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES, info: true }), staging, copy);
  } catch (error) {
    if (error instanceof CsvError) throw new ImportFileError(`The file is not valid CSV: ${error.message}`);
    throw error;
  }
  onProgress({ bytesRead: text.bytes, rowsRead: staging.rows });
  if (text.bytes === 0) throw new ImportFileError('The file is empty.');
  if (staging.rows === 0) throw new ImportFileError(mapper.hasHeader ? 'The file has a header row but no data rows.' : 'The file has no rows.');
  return { bytesRead: text.bytes, rowsRead: staging.rows, sha256: text.sha256() };
}

/** Checks the bytes are UTF-8 text (no NULs, no invalid sequences) and hashes them on the way through. */
class Utf8Text extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor() {
    super({ decodeStrings: true, readableObjectMode: false });
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const at = this.bytes;
    this.bytes += chunk.length;
    this.hash.update(chunk);
    const nul = chunk.indexOf(0);
    if (nul >= 0) return done(new ImportFileError(`The file is not text: it has a NUL byte at byte ${at + nul + 1}. Upload the CSV file itself, not a spreadsheet or archive.`));
    try {
      done(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      done(new ImportFileError(`The file is not UTF-8 text (an invalid byte sequence near byte ${at + 1}). Save it as CSV UTF-8 and upload it again.`));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(new ImportFileError('The file is not UTF-8 text: it ends part-way through a character.'));
    }
  }
}

/** Parsed records in, COPY text format out. */
class StagingRows extends Transform {
  rows = 0;
  private buffer = '';
  private headerSeen = false;
  private lastReport = 0;

  constructor(
    private readonly mapper: RecordMapper,
    private readonly width: number,
    private readonly report: (rows: number) => void,
  ) {
    super({ writableObjectMode: true, readableObjectMode: false });
  }

  override _transform({ record, info }: { record: string[]; info: { lines: number } }, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.mapper.hasHeader && !this.headerSeen) {
        this.headerSeen = true;
        this.mapper.header?.(record);
        return done();
      }
      this.rows++;
      this.buffer += copyLine(info.lines, this.mapper.map(record), this.width);
      if (this.rows - this.lastReport >= 1_000) {
        this.lastReport = this.rows;
        this.report(this.rows);
      }
      if (this.buffer.length >= COPY_CHUNK_CHARS) {
        this.push(this.buffer);
        this.buffer = '';
      }
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.buffer) this.push(this.buffer);
    done();
  }
}

function copyLine(row: number, staged: StagedRow, width: number): string {
  const none = new Array<string | null>(width).fill(null);
  if ('problem' in staged) return [String(row), newId(), staged.problem.field, staged.problem.message, 'f', ...none].map(copyValue).join('\t') + '\n';
  if ('skipped' in staged) return [String(row), newId(), null, null, 't', ...none].map(copyValue).join('\t') + '\n';
  return [String(row), newId(), null, null, 'f', ...staged.values].map(copyValue).join('\t') + '\n';
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY's text format: \N is null; backslash, tab, newline and carriage return are escaped. */
function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  // Most values need no escaping; testing is cheaper than replacing (a few million values a file).
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
