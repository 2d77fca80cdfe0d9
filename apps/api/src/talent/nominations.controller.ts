import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccessScope, Authenticated, CurrentPrincipal, InvalidInputError, Principal, Public, Roles } from '@slp/platform';
import { NomineeInput, NominationsService } from '@slp/talent';
import { PageDto, PageQueryDto, toPageDto } from '../http/page-query.dto';
import { ConsentByTokenDto, ConsentDto, ConsentResultDto, CreateNominationDto, NominationDto, NominationsQueryDto, NomineeDto, RejectNominationDto, toNominationDto, toNominationViewDto, WithdrawNominationDto } from './dto/nomination.dto';

@ApiTags('talent')
@Controller()
export class NominationsController {
  constructor(private readonly nominations: NominationsService) {}

  /** Leads and admins nominate into targets of their systems; the nominee is emailed a consent request. */
  @Roles('programme_lead', 'admin')
  @Post('nominations')
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateNominationDto): Promise<NominationDto> {
    const { nominee, ...rest } = body;
    return toNominationViewDto(await this.nominations.create(AccessScope.of(principal), { ...rest, nominee: nomineeInput(nominee) }));
  }

  /** Nominations into targets of your systems, with talent-grid ratings (each read is audited). */
  @Roles('programme_lead', 'admin')
  @Get('nominations')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: NominationsQueryDto): Promise<PageDto<NominationDto>> {
    const { limit, cursor, ...filter } = query;
    return toPageDto(await this.nominations.list(AccessScope.of(principal), filter, { limit, cursor }), (n) => toNominationDto(n, true));
  }

  /** Your own nominations; the talent grid only where the lead shared it. */
  @Authenticated()
  @Get('me/nominations')
  async mine(@CurrentPrincipal() principal: Principal, @Query() page: PageQueryDto): Promise<PageDto<NominationDto>> {
    return toPageDto(await this.nominations.listMine(AccessScope.of(principal), page), (n) => toNominationDto(n, n.gridSharedWithNominee));
  }

  /** The answer through the emailed link, without signing in (single use, expiring). */
  @Public()
  @Post('nominations/consent')
  @HttpCode(200)
  async consentByToken(@Body() body: ConsentByTokenDto): Promise<ConsentResultDto> {
    const result = await this.nominations.answerByToken(body.token, body.decision, body.notifyLineManager);
    return { nomination: toNominationViewDto(result.view), invitationSent: result.invitationSent };
  }

  /** With its full history of transitions. */
  @Authenticated()
  @Get('nominations/:nominationId')
  async get(@CurrentPrincipal() principal: Principal, @Param('nominationId', ParseUUIDPipe) id: string): Promise<NominationDto> {
    return toNominationViewDto(await this.nominations.get(AccessScope.of(principal), id));
  }

  /** The signed-in nominee consents or declines. */
  @Authenticated()
  @Post('nominations/:nominationId/consent')
  @HttpCode(200)
  async consent(@CurrentPrincipal() principal: Principal, @Param('nominationId', ParseUUIDPipe) id: string, @Body() body: ConsentDto): Promise<NominationDto> {
    return toNominationViewDto(await this.nominations.answer(AccessScope.of(principal), id, body.decision, body.notifyLineManager));
  }

  /** A cohort nomination enrols (or waitlists) the nominee; a programme or pool records membership. */
  @Roles('programme_lead', 'admin')
  @Post('nominations/:nominationId/accept')
  @HttpCode(200)
  async accept(@CurrentPrincipal() principal: Principal, @Param('nominationId', ParseUUIDPipe) id: string): Promise<NominationDto> {
    return toNominationViewDto(await this.nominations.accept(AccessScope.of(principal), id));
  }

  @Roles('programme_lead', 'admin')
  @Post('nominations/:nominationId/reject')
  @HttpCode(200)
  async reject(@CurrentPrincipal() principal: Principal, @Param('nominationId', ParseUUIDPipe) id: string, @Body() body: RejectNominationDto): Promise<NominationDto> {
    return toNominationViewDto(await this.nominations.reject(AccessScope.of(principal), id, body.reason));
  }

  /** The nominee withdraws consent, or the nominator withdraws the nomination, before a decision. */
  @Authenticated()
  @Post('nominations/:nominationId/withdraw')
  @HttpCode(200)
  async withdraw(@CurrentPrincipal() principal: Principal, @Param('nominationId', ParseUUIDPipe) id: string, @Body() body: WithdrawNominationDto): Promise<NominationDto> {
    return toNominationViewDto(await this.nominations.withdraw(AccessScope.of(principal), id, body.reason));
  }
}

/** `{ personId }` alone, or all of email, givenName, familyName and organisationId. */
function nomineeInput(nominee: NomineeDto): NomineeInput {
  const byEmail = ['email', 'givenName', 'familyName', 'organisationId'] as const;
  if (nominee.personId) {
    const extra = byEmail.filter((key) => nominee[key] !== undefined);
    if (extra.length) throw new InvalidInputError('Give the nominee by personId or by email and name, not both.', extra.map((key) => ({ field: `nominee.${key}`, message: `nominee.${key} must be absent when nominee.personId is given` })));
    return { personId: nominee.personId };
  }
  const missing = byEmail.filter((key) => nominee[key] === undefined);
  if (missing.length) throw new InvalidInputError('Give the nominee by personId, or by email, givenName, familyName and organisationId.', missing.map((key) => ({ field: `nominee.${key}`, message: `nominee.${key} is required` })));
  return { email: nominee.email!, givenName: nominee.givenName!, familyName: nominee.familyName!, organisationId: nominee.organisationId! };
}
