import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { Organisation } from '@slp/directory';
import { AccessScope, AuditService, findPage, ForbiddenError, InvalidInputError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Grade, Person, StaffGroup } from './person.entity';

export interface PeopleFilter {
  readonly email?: string;
  readonly systemId?: string;
}

export interface UpdatePersonInput {
  readonly givenName?: string;
  readonly familyName?: string;
  readonly organisationId?: string | null;
  readonly staffGroup?: StaffGroup | null;
  readonly profession?: string | null;
  readonly jobTitle?: string | null;
  readonly grade?: Grade | null;
  readonly lineManagerEmail?: string | null;
}

@Injectable()
export class PeopleService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  /** People in the caller's systems (by their organisation's system). */
  async list(scope: AccessScope, filter: PeopleFilter, page: PageRequest): Promise<Page<Person>> {
    const systems = scope.staffSystems;
    const where: FilterQuery<Person> = {};
    if (filter.systemId) {
      if (!scope.canSeeStaffDataOf(filter.systemId)) throw NotFoundError.of('system', filter.systemId);
      where.organisation = { system: filter.systemId };
    } else if (systems !== 'all') {
      where.organisation = { system: { $in: [...systems] } };
    }
    if (filter.email) where.email = filter.email;
    return findPage(this.em, Person, where, { familyName: 'asc', givenName: 'asc', id: 'asc' }, page, ['organisation']);
  }

  async get(scope: AccessScope, id: string): Promise<Person> {
    const person = await this.em.findOne(Person, { id }, { populate: ['organisation'] });
    if (!person || !this.canSee(scope, person)) throw NotFoundError.of('person', id);
    return person;
  }

  /** People edit their own record; admins edit records of people in systems they administer. */
  async update(scope: AccessScope, id: string, input: UpdatePersonInput): Promise<Person> {
    return this.em.transactional(async (em) => {
      const person = await em.findOne(Person, { id }, { populate: ['organisation'] });
      if (!person || !this.canSee(scope, person)) throw NotFoundError.of('person', id);
      const self = person.id === scope.personId;
      if (!self && !scope.canManageSystem(person.organisation?.system.id)) throw new ForbiddenError('Only the person themself or an admin of their system can change this record.');
      const changed = Object.keys(input).filter((key) => input[key as keyof UpdatePersonInput] !== undefined);
      if (input.organisationId !== undefined) person.organisation = await this.organisationFor(em, scope, input.organisationId, self);
      const { organisationId: _ignored, ...fields } = input;
      em.assign(person, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
      if (changed.length) this.audit.record(em, { actorAccountId: scope.accountId, action: 'person.update', objectType: 'person', objectId: person.id, details: { fields: changed } });
      return person;
    });
  }

  private canSee(scope: AccessScope, person: Person): boolean {
    return person.id === scope.personId || scope.canSeeStaffDataOf(person.organisation?.system.id);
  }

  private async organisationFor(em: EntityManager, scope: AccessScope, organisationId: string | null, self: boolean): Promise<Organisation | null> {
    if (organisationId === null) return null;
    const organisation = await em.findOne(Organisation, { id: organisationId });
    // Anyone may say where they work; an admin may only move people within systems they administer.
    if (!organisation || (!self && !scope.canManageSystem(organisation.system.id))) {
      throw new InvalidInputError(`There is no organisation ${organisationId} you can assign.`, [{ field: 'organisationId', message: 'organisationId must be an existing organisation (in a system you administer)' }]);
    }
    return organisation;
  }
}
