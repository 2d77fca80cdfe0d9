import { Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ImportsService } from '@slp/imports';
import { csvStream } from '@slp/reports';
import { AccessScope, CurrentPrincipal, InvalidInputError, Principal, Roles } from '@slp/platform';
import { ImportDto, ImportQueuedDto, SubmitImportQueryDto, toImportDto } from './dto/import.dto';

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** National admins (any kind); system admins (esr_people, into their systems). The body is the CSV file, streamed. */
  @Roles('admin')
  @Post()
  @HttpCode(202)
  @ApiConsumes('text/csv')
  async submit(@CurrentPrincipal() principal: Principal, @Query() query: SubmitImportQueryDto, @Req() request: FastifyRequest, @Headers('content-length') length: string | undefined): Promise<ImportQueuedDto> {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new InvalidInputError('Send the file itself as the request body, with Content-Type: text/csv.', [{ field: 'body', message: 'body must be text/csv' }]);
    }
    const declared = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    const row = await this.imports.submit(AccessScope.of(principal), { kind: query.kind, dryRun: query.dryRun ?? false, body, declaredBytes: declared });
    return { id: row.id, status: row.status };
  }

  /** The importer and national admins. */
  @Roles('admin')
  @Get(':importId')
  async get(@CurrentPrincipal() principal: Principal, @Param('importId', ParseUUIDPipe) id: string): Promise<ImportDto> {
    return toImportDto(await this.imports.get(AccessScope.of(principal), id));
  }

  /** Every row error of the import, as CSV (row, field, message). */
  @Roles('admin')
  @Get(':importId/errors.csv')
  @ApiProduces('text/csv')
  async errors(@CurrentPrincipal() principal: Principal, @Param('importId', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Readable> {
    const rows = await this.imports.errors(AccessScope.of(principal), id);
    void reply.header('Content-Type', 'text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="import-${id}-errors.csv"`);
    return csvStream(['row', 'field', 'message'], rows);
  }
}
