import { IsISO8601, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import type { Appointment, PipelinePosition } from '@slp/talent';
import { Trim } from '../../http/trim.transform';

export class CreateAppointmentDto {
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  post!: string;

  @IsUUID()
  organisationId!: string;

  /** The date of appointment, YYYY-MM-DD. */
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'appointedOn must be a date (YYYY-MM-DD)' })
  @MaxLength(10, { message: 'appointedOn must be a date (YYYY-MM-DD)' })
  appointedOn!: string;
}

export class AppointmentDto {
  id!: string;
  personId!: string;
  post!: string;
  organisationId!: string;
  appointedOn!: string;
}

export function toAppointmentDto(appointment: Appointment): AppointmentDto {
  return { id: appointment.id, personId: appointment.person.id, post: appointment.post, organisationId: appointment.organisation.id, appointedOn: String(appointment.appointedOn).slice(0, 10) };
}

export class PipelineDto {
  stage!: string | null;
  history!: { stage: string; at: string; reason: string }[];
}

export function toPipelineDto(position: PipelinePosition): PipelineDto {
  return { stage: position.stage, history: position.history.map((entry) => ({ stage: entry.stage, at: entry.at.toISOString(), reason: entry.reason })) };
}
