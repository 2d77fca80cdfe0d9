import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { Readable } from 'node:stream';
import { AccessScope, APP_CONFIG, AppConfig, AuditService, ForbiddenError, InvalidInputError, NotFoundError, newId, withPgPlaceholders } from '@slp/platform';
import type { ImportKind } from './import-kind';
import { IMPORT_KIND_DEFINITIONS } from './import-kinds';
import { ImportRepository, ImportRow } from './import.repository';
import { IMPORT_JOB_OPTIONS, IMPORTS_QUEUE, RUN_IMPORT_JOB, RunImportJob } from './imports.queue';
import { IMPORTS_POOL } from './imports-pool';

/** The uploaded file is kept in chunks of this size until a worker runs the import. */
const CHUNK_BYTES = 1024 * 1024;

export interface SubmitImportInput {
  readonly kind: ImportKind;
  readonly dryRun: boolean;
  readonly body: NodeJS.ReadableStream;
  /** Content-Length, when the client sent one: too large a file is refused before it is read. */
  readonly declaredBytes?: number;
}

/**
 * Imports through the API: the file is stored as it arrives (never whole in memory) and a worker
 * runs it. National admins import anything; system admins import ESR people into their own systems.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');

  constructor(
    @Inject(IMPORTS_POOL) private readonly pool: Pool,
    private readonly imports: ImportRepository,
    private readonly audit: AuditService,
    @InjectQueue(IMPORTS_QUEUE) private readonly queue: Queue<RunImportJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async submit(scope: AccessScope, input: SubmitImportInput): Promise<ImportRow> {
    const definition = IMPORT_KIND_DEFINITIONS[input.kind];
    if (definition.nationalOnly) scope.assertNationalAdmin('import ODS reference data');
    else if (!scope.isNationalAdmin && !scope.isAdmin) throw new ForbiddenError('Only admins can import people.');
    const max = this.config.imports.maxUploadBytes;
    if (input.declaredBytes !== undefined && input.declaredBytes > max) throw tooLarge(max);
    const id = newId();
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await this.imports.create(client, { id, kind: input.kind, dryRun: input.dryRun, actorAccountId: scope.accountId, scopeSystemIds: scope.isNationalAdmin ? null : [...(scope.staffSystems as readonly string[])] }, 'queued');
      let seq = 0;
      let bytes = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const piece of input.body as AsyncIterable<Buffer | string>) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        bytes += chunk.length;
        if (bytes > max) throw tooLarge(max);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= CHUNK_BYTES) {
          await this.imports.appendChunk(client, id, seq++, Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes) await this.imports.appendChunk(client, id, seq++, Buffer.concat(pending));
      if (bytes === 0) throw new InvalidInputError('The file is empty.', [{ field: 'body', message: 'body must be a CSV file' }]);
      await this.imports.setFileBytes(client, id, bytes);
      const audit = this.audit.insertStatement({ actorAccountId: scope.accountId, action: 'import.submit', objectType: 'import', objectId: id, details: { kind: input.kind, dryRun: input.dryRun, bytes } });
      await client.query(withPgPlaceholders(audit.sql), [...audit.params]);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      if (input.body instanceof Readable) input.body.resume();
      throw error;
    } finally {
      client.release();
    }
    // Read before queueing: a worker may start the run at once, and the answer is what was submitted.
    const submitted = (await this.imports.find(id))!;
    await this.enqueue(id);
    return submitted;
  }

  /** Queues the run; if Redis is away the import stays queued and the worker picks it up when it returns. */
  async enqueue(importId: string): Promise<void> {
    try {
      await this.queue.add(RUN_IMPORT_JOB, { importId }, { ...IMPORT_JOB_OPTIONS, jobId: importId });
    } catch (error) {
      this.logger.warn(`Import ${importId} stays queued until Redis answers: ${(error as Error).message}`);
    }
  }

  /** The importer and national admins see an import; anyone else is told there is none. */
  async get(scope: AccessScope, id: string): Promise<ImportRow> {
    const row = await this.imports.find(id);
    if (!row || !(scope.isNationalAdmin || row.actorAccountId === scope.accountId)) throw NotFoundError.of('import', id);
    return row;
  }

  async errors(scope: AccessScope, id: string): Promise<AsyncGenerator<[number, string, string]>> {
    await this.get(scope, id);
    return this.imports.errors(id);
  }
}

function tooLarge(max: number): InvalidInputError {
  return new InvalidInputError(`The file is larger than the ${Math.floor(max / 1_048_576)} MB an import accepts.`, [{ field: 'body', message: `body must be at most ${max} bytes` }]);
}
