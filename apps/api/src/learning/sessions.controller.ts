import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { AttendanceService, SessionsService } from '@slp/learning';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { AttendanceDto, RecordAttendanceDto, SessionDto, toAttendanceDto, toSessionDto, UpdateSessionDto } from './dto/session.dto';

@ApiTags('sessions')
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly attendance: AttendanceService,
  ) {}

  @Authenticated()
  @Get(':sessionId')
  async get(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) id: string): Promise<SessionDto> {
    return toSessionDto((await this.sessions.get(AccessScope.of(principal), id)).session);
  }

  /** Enrolled people are emailed what changed, with an updated invitation. */
  @Roles('programme_lead', 'admin')
  @Patch(':sessionId')
  async update(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) id: string, @Body() body: UpdateSessionDto): Promise<SessionDto> {
    return toSessionDto(await this.sessions.update(AccessScope.of(principal), id, body));
  }

  @Roles('programme_lead', 'admin')
  @Post(':sessionId/cancel')
  @HttpCode(200)
  async cancel(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) id: string): Promise<SessionDto> {
    return toSessionDto(await this.sessions.cancel(AccessScope.of(principal), id));
  }

  /** RFC 5545 invitation (METHOD REQUEST, or CANCEL once cancelled), for enrolled people and staff. */
  @Authenticated()
  @Get(':sessionId/calendar.ics')
  @ApiProduces('text/calendar')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="session.ics"')
  calendar(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) id: string): Promise<string> {
    return this.sessions.calendar(AccessScope.of(principal), id);
  }

  @Roles('programme_lead', 'admin')
  @Get(':sessionId/attendance')
  async attendanceOf(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) id: string): Promise<{ items: AttendanceDto[] }> {
    return { items: (await this.attendance.forSession(AccessScope.of(principal), id)).map(toAttendanceDto) };
  }

  /** Records (or corrects) attendance of enrolled people. */
  @Roles('programme_lead', 'admin')
  @Put(':sessionId/attendance')
  async recordAttendance(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) id: string, @Body() body: RecordAttendanceDto): Promise<{ items: AttendanceDto[] }> {
    return { items: (await this.attendance.record(AccessScope.of(principal), id, body.records)).map(toAttendanceDto) };
  }
}
