import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AttendanceService, EnrolmentService } from '@slp/learning';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { PageDto, PageQueryDto, toPageDto } from '../http/page-query.dto';
import { CompleteEnrolmentDto, EnrolmentDto, RejectEnrolmentDto, toEnrolmentDto } from './dto/enrolment.dto';

@ApiTags('enrolments')
@Controller()
export class EnrolmentsController {
  constructor(
    private readonly enrolments: EnrolmentService,
    private readonly attendance: AttendanceService,
  ) {}

  /** Your enrolments, newest first, with waitlist positions. */
  @Authenticated()
  @Get('me/enrolments')
  async mine(@CurrentPrincipal() principal: Principal, @Query() page: PageQueryDto): Promise<PageDto<EnrolmentDto>> {
    return toPageDto(await this.enrolments.listMine(AccessScope.of(principal), page), (view) => toEnrolmentDto(view));
  }

  /** Yours, or one in a cohort you oversee; with attendance. Anyone else's is 404. */
  @Authenticated()
  @Get('enrolments/:enrolmentId')
  async get(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string): Promise<EnrolmentDto> {
    const view = await this.enrolments.get(AccessScope.of(principal), id);
    return toEnrolmentDto(view, await this.attendance.forEnrolment(id));
  }

  /** By the person or a lead; a freed seat goes to the next waitlisted person in the same transaction. */
  @Authenticated()
  @Post('enrolments/:enrolmentId/withdraw')
  @HttpCode(200)
  async withdraw(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string): Promise<EnrolmentDto> {
    return toEnrolmentDto(await this.enrolments.withdraw(AccessScope.of(principal), id));
  }

  @Roles('programme_lead', 'admin')
  @Post('enrolments/:enrolmentId/approve')
  @HttpCode(200)
  async approve(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string): Promise<EnrolmentDto> {
    return toEnrolmentDto(await this.enrolments.approve(AccessScope.of(principal), id));
  }

  @Roles('programme_lead', 'admin')
  @Post('enrolments/:enrolmentId/reject')
  @HttpCode(200)
  async reject(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string, @Body() body: RejectEnrolmentDto): Promise<EnrolmentDto> {
    return toEnrolmentDto(await this.enrolments.reject(AccessScope.of(principal), id, body.reason));
  }

  @Authenticated()
  @Post('enrolments/:enrolmentId/accept-offer')
  @HttpCode(200)
  async acceptOffer(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string): Promise<EnrolmentDto> {
    return toEnrolmentDto(await this.enrolments.acceptOffer(AccessScope.of(principal), id));
  }

  @Authenticated()
  @Post('enrolments/:enrolmentId/decline-offer')
  @HttpCode(200)
  async declineOffer(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string): Promise<EnrolmentDto> {
    return toEnrolmentDto(await this.enrolments.declineOffer(AccessScope.of(principal), id));
  }

  @Roles('programme_lead', 'admin')
  @Post('enrolments/:enrolmentId/complete')
  @HttpCode(200)
  async complete(@CurrentPrincipal() principal: Principal, @Param('enrolmentId', ParseUUIDPipe) id: string, @Body() body: CompleteEnrolmentDto): Promise<EnrolmentDto> {
    return toEnrolmentDto(await this.enrolments.complete(AccessScope.of(principal), id, body.outcome));
  }
}
