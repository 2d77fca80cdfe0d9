import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Roles } from '@slp/platform';
import { AppointmentsService, PipelineService } from '@slp/talent';
import { AppointmentDto, CreateAppointmentDto, PipelineDto, toAppointmentDto, toPipelineDto } from './dto/appointment.dto';

@ApiTags('talent')
@Controller('people/:personId')
export class PipelineController {
  constructor(
    private readonly appointments: AppointmentsService,
    private readonly pipeline: PipelineService,
  ) {}

  /** Records a pipeline outcome: an appointment to a post. */
  @Roles('programme_lead', 'admin')
  @Post('appointments')
  async appoint(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) personId: string, @Body() body: CreateAppointmentDto): Promise<AppointmentDto> {
    return toAppointmentDto(await this.appointments.record(AccessScope.of(principal), personId, body));
  }

  /** The person's stage and its dated history; for the person and staff of their system. */
  @Authenticated()
  @Get('pipeline')
  async stage(@CurrentPrincipal() principal: Principal, @Param('personId', ParseUUIDPipe) personId: string): Promise<PipelineDto> {
    return toPipelineDto(await this.pipeline.forPerson(AccessScope.of(principal), personId));
  }
}
