import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Organisation } from '@slp/directory';
import { PeopleService } from '@slp/identity';
import { AccessScope, AuditService, ForbiddenError, InvalidInputError } from '@slp/platform';
import { Appointment } from './appointment.entity';

export interface AppointmentInput {
  readonly post: string;
  readonly organisationId: string;
  /** ISO date, e.g. 2027-04-01. */
  readonly appointedOn: string;
}

/** Leads and admins record appointments of people in their systems. */
@Injectable()
export class AppointmentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly people: PeopleService,
  ) {}

  async record(scope: AccessScope, personId: string, input: AppointmentInput): Promise<Appointment> {
    const person = await this.people.get(scope, personId);
    if (!scope.has('programme_lead') && !scope.has('admin')) throw new ForbiddenError('Only leads and admins record appointments.');
    if (!scope.canSeeStaffDataOf(person.organisation?.system.id)) throw new ForbiddenError('You can record appointments only for people in your systems.');
    return this.em.transactional(async (em) => {
      const organisation = await em.findOne(Organisation, { id: input.organisationId });
      if (!organisation) throw new InvalidInputError(`There is no organisation ${input.organisationId}.`, [{ field: 'organisationId', message: 'organisationId must be an existing organisation' }]);
      const appointment = em.create(Appointment, { person, post: input.post, organisation, appointedOn: input.appointedOn, recordedByAccountId: scope.accountId, createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'appointment.create', objectType: 'appointment', objectId: appointment.id, details: { personId: person.id } });
      return appointment;
    });
  }
}
