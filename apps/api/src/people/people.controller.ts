import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PeopleService, PersonInvitationsService } from '@slp/identity';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { PageDto, toPageDto } from '../http/page-query.dto';
import { InvitePeopleDto, PeopleQueryDto, PersonDto, PersonInvitationsDto, toPersonDto, UpdatePersonDto } from './dto/person.dto';

@ApiTags('people')
@Controller('people')
export class PeopleController {
  constructor(
    private readonly people: PeopleService,
    private readonly invitations: PersonInvitationsService,
  ) {}

  /** People in the caller's systems (programme leads and admins). */
  @Roles('programme_lead', 'admin')
  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PeopleQueryDto): Promise<PageDto<PersonDto>> {
    const { limit, cursor, employmentPending, ...filter } = query;
    return toPageDto(await this.people.list(AccessScope.of(principal), { ...filter, employmentPending: employmentPending === 'true' }, { limit, cursor }), toPersonDto);
  }

  /**
   * Admins of the people's systems: emails each person without an account an invitation to set
   * one up, once (a person whose invitation still works is not emailed again).
   */
  @Roles('admin')
  @Post('invitations')
  @HttpCode(200)
  async invite(@CurrentPrincipal() principal: Principal, @Body() body: InvitePeopleDto): Promise<PersonInvitationsDto> {
    const results = await this.invitations.invite(AccessScope.of(principal), body.personIds);
    return { results: results.map((r) => ({ personId: r.personId, status: r.status })), invited: results.filter((r) => r.status === 'invited').length };
  }

  /** Your own record, or someone's in your systems; anyone else is 404. */
  @Authenticated()
  @Get(':personId')
  async get(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) id: string): Promise<PersonDto> {
    return toPersonDto(await this.people.get(AccessScope.of(principal), id));
  }

  /** The person themself, or an admin of their system. */
  @Authenticated()
  @Patch(':personId')
  async update(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) id: string, @Body() body: UpdatePersonDto): Promise<PersonDto> {
    return toPersonDto(await this.people.update(AccessScope.of(principal), id, body));
  }

  /** A lead or admin of the system the person proposes to work in makes the proposal their employment. */
  @Roles('programme_lead', 'admin')
  @Post(':personId/employment/confirm')
  @HttpCode(200)
  async confirmEmployment(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) id: string): Promise<PersonDto> {
    return toPersonDto(await this.people.confirmEmployment(AccessScope.of(principal), id));
  }

  /** The same staff turn the proposal down; the confirmed employment stays. */
  @Roles('programme_lead', 'admin')
  @Post(':personId/employment/reject')
  @HttpCode(200)
  async rejectEmployment(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) id: string): Promise<PersonDto> {
    return toPersonDto(await this.people.rejectEmployment(AccessScope.of(principal), id));
  }
}
