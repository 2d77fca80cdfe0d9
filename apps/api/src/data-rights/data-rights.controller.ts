import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { DataExportService, ErasureService, RetentionPreview, RetentionService } from '@slp/data-rights';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { ErasureRequestDto, ErasureResponseDto } from './dto/erasure.dto';

/** Data rights: subject access exports, erasure, and the retention job's preview. */
@ApiTags('data rights')
@Controller()
export class DataRightsController {
  constructor(
    private readonly exports: DataExportService,
    private readonly erasure: ErasureService,
    private readonly retention: RetentionService,
  ) {}

  /** Everything the platform holds about you, as a ZIP of JSON files with a README.txt. */
  @Authenticated()
  @Get('me/data-export')
  @ApiProduces('application/zip')
  async exportMine(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<Readable> {
    return this.send(reply, await this.exports.export(AccessScope.of(principal), principal.personId));
  }

  /** A person's export, for the person or an admin of their system; anyone else gets 404. */
  @Authenticated()
  @Get('people/:personId/data-export')
  @ApiProduces('application/zip')
  async exportPerson(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Readable> {
    return this.send(reply, await this.exports.export(AccessScope.of(principal), id));
  }

  /**
   * Erases a person (national admins). Idempotent: asking again answers with the first erasure's
   * time. Open to every signed-in caller so that one who cannot see the person gets 404, as elsewhere.
   */
  @Authenticated()
  @Post('people/:personId/erasure')
  @HttpCode(200)
  async erase(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) id: string, @Body() body: ErasureRequestDto): Promise<ErasureResponseDto> {
    const { erasedAt } = await this.erasure.erase(AccessScope.of(principal), id, body.reason);
    return { erasedAt: erasedAt.toISOString() };
  }

  /** What the next weekly retention run would do (national admins). */
  @Roles('admin')
  @Get('admin/retention')
  async retentionPreview(@CurrentPrincipal() principal: Principal): Promise<RetentionPreview> {
    AccessScope.of(principal).assertNationalAdmin('preview the retention job');
    return this.retention.preview();
  }

  private send(reply: FastifyReply, data: { fileName: string; stream: Readable }): Readable {
    void reply.header('Content-Type', 'application/zip').header('Content-Disposition', `attachment; filename="${data.fileName}"`).header('Cache-Control', 'no-store');
    return data.stream;
  }
}
