import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { BulkEnrolmentService, MAX_ENROLMENT_LIST_BYTES } from '@slp/imports';
import { AccessScope, CurrentPrincipal, InvalidInputError, Principal, Roles } from '@slp/platform';
import { BulkEnrolmentDto, toBulkEnrolmentDto } from './dto/bulk-enrolment.dto';

@ApiTags('cohorts')
@Controller('cohorts')
export class BulkEnrolmentController {
  constructor(private readonly bulk: BulkEnrolmentService) {}

  /**
   * Leads and admins of the programme's system: a `text/csv` list (`email`, optional `givenName`,
   * `familyName`, `organisationOdsCode`), each row enrolled as one enrolment on someone's behalf.
   */
  @Roles('programme_lead', 'admin')
  @Post(':cohortId/enrolments/bulk')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  async enrol(@CurrentPrincipal() principal: Principal, @Param('cohortId', ParseUUIDPipe) cohortId: string, @Req() request: FastifyRequest): Promise<BulkEnrolmentDto> {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new InvalidInputError('Send the list itself as the request body, with Content-Type: text/csv.', [{ field: 'body', message: 'body must be text/csv' }]);
    }
    const file = await readBounded(body, MAX_ENROLMENT_LIST_BYTES);
    return toBulkEnrolmentDto(await this.bulk.enrol(AccessScope.of(principal), cohortId, file));
  }
}

/** The body, kept up to `max` bytes; past that it is drained (so the answer still reaches the client) and refused. */
async function readBounded(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const piece of body as AsyncIterable<Buffer | string>) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    bytes += chunk.length;
    if (bytes <= max) chunks.push(chunk);
  }
  if (bytes > max) throw new InvalidInputError(`The file is larger than the ${max / 1_048_576} MB an enrolment list may be.`, [{ field: 'body', message: `body must be at most ${max} bytes` }]);
  return Buffer.concat(chunks);
}
