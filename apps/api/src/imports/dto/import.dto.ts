import { IsIn, IsOptional } from 'class-validator';
import { BooleanQuery } from '../../http/boolean-query.transform';
import { IMPORT_KINDS, type ImportKind, type ImportRow, type ImportStatus } from '@slp/imports';

export class SubmitImportQueryDto {
  @IsIn(IMPORT_KINDS)
  kind!: ImportKind;

  /** `true` validates and counts, and changes nothing. */
  @IsOptional()
  @BooleanQuery()
  @IsIn([true, false], { message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

export class ImportRowsDto {
  total!: number;
  processed!: number;
  created!: number;
  updated!: number;
  unchanged!: number;
  closed!: number;
  /** Left out on purpose: secondary ESR assignments, closed ODS records the platform never held. */
  skipped!: number;
  rejected!: number;
}

export class ImportErrorDto {
  row!: number;
  field!: string;
  message!: string;
}

export class ImportDto {
  id!: string;
  kind!: ImportKind;
  status!: ImportStatus;
  dryRun!: boolean;
  rows!: ImportRowsDto;
  /** The first 1,000; all of them are in errors.csv. */
  errors!: ImportErrorDto[];
  errorCount!: number;
  /** Why a failed import failed (the file as a whole); null otherwise. */
  failure!: string | null;
  fileSha256!: string | null;
  progress!: { bytesRead: number; bytesTotal: number };
  createdAt!: string;
  startedAt!: string | null;
  finishedAt!: string | null;
}

export class ImportQueuedDto {
  id!: string;
  status!: ImportStatus;
}

export function toImportDto(row: ImportRow): ImportDto {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    dryRun: row.dryRun,
    rows: { ...row.rows },
    errors: row.errors,
    errorCount: row.errorCount,
    failure: row.failure,
    fileSha256: row.fileSha256,
    progress: { bytesRead: row.bytesRead, bytesTotal: row.fileBytes },
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
