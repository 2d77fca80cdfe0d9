import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery, LockMode } from '@mikro-orm/postgresql';
import { Organisation } from '@slp/directory';
import { AccessScope, AuditService, ConflictError, findPage, ForbiddenError, InvalidInputError, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Grade, Person, StaffGroup } from './person.entity';

export interface PeopleFilter {
  readonly email?: string;
  readonly systemId?: string;
  /** Only people with an employment proposal the caller may confirm or reject. */
  readonly employmentPending?: boolean;
}

/** Organisation, staff group and grade: the facts that decide eligibility and who sees a person. */
const EMPLOYMENT_FIELDS = ['organisationId', 'staffGroup', 'grade'] as const;

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
    if (filter.employmentPending) return this.listPending(scope, filter, page);
    const systems = scope.staffSystems;
    const where: FilterQuery<Person> = {};
    if (filter.systemId) {
      if (!scope.canSeeStaffDataOf(filter.systemId)) throw NotFoundError.of('system', filter.systemId);
      where.organisation = { system: filter.systemId };
    } else if (systems !== 'all') {
      where.organisation = { system: { $in: [...systems] } };
    }
    if (filter.email) where.email = filter.email;
    return findPage(this.em, Person, where, { familyName: 'asc', givenName: 'asc', id: 'asc' }, page, ['organisation', 'pendingOrganisation']);
  }

  /**
   * Employment proposals the caller may decide: those whose target system (the proposed
   * organisation's, or the current one's when the proposal leaves the organisation as it is or
   * clears it) they lead or administer.
   */
  private listPending(scope: AccessScope, filter: PeopleFilter, page: PageRequest): Promise<Page<Person>> {
    if (filter.systemId && !this.canDecideFor(scope, filter.systemId)) throw NotFoundError.of('system', filter.systemId);
    const systems = filter.systemId ? [filter.systemId] : scope.isNationalAdmin ? 'all' : scope.has('programme_lead') || scope.has('admin') ? (scope.staffSystems as readonly string[]) : [];
    const where: FilterQuery<Person> = { employmentProposedAt: { $ne: null } };
    if (systems !== 'all') {
      where.$or = [{ pendingOrganisation: { system: { $in: [...systems] } } }, { pendingOrganisation: null, organisation: { system: { $in: [...systems] } } }];
    }
    if (filter.email) where.email = filter.email;
    return findPage(this.em, Person, where, { familyName: 'asc', givenName: 'asc', id: 'asc' }, page, ['organisation', 'pendingOrganisation']);
  }
  async get(scope: AccessScope, id: string): Promise<Person> {
    const person = await this.em.findOne(Person, { id }, { populate: ['organisation', 'pendingOrganisation'] });
    if (!person || !this.canSee(scope, person)) throw NotFoundError.of('person', id);
    return person;
  }

  /**
   * People edit their own record; admins edit records of people in systems they administer.
   * Employment facts (organisation, staff group, grade) are set directly only by an admin of both
   * the person's system and the target organisation's; anyone else editing their own record
   * proposes them, and the proposal waits for {@link confirmEmployment}.
   */
  async update(scope: AccessScope, id: string, input: UpdatePersonInput): Promise<Person> {
    return this.em.transactional(async (em) => {
      const person = await em.findOne(Person, { id }, { populate: ['organisation', 'pendingOrganisation'] });
      if (!person || !this.canSee(scope, person)) throw NotFoundError.of('person', id);
      const self = person.id === scope.personId;
      const admin = scope.canManageSystem(person.organisation?.system.id);
      if (!self && !admin) throw new ForbiddenError('Only the person themself or an admin of their system can change this record.');
      if (person.erasedAt) throw new ConflictError('This person has been erased: their record can no longer be changed.');
      const changed = Object.keys(input).filter((key) => input[key as keyof UpdatePersonInput] !== undefined);
      const employment = changed.filter((key) => (EMPLOYMENT_FIELDS as readonly string[]).includes(key));
      const organisation = input.organisationId === undefined ? undefined : await this.organisationFor(em, scope, input.organisationId, self && !admin);
      const { organisationId: _o, staffGroup: _s, grade: _g, ...fields } = input;
      em.assign(person, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
      // An admin reaching here administers the person's system and (organisationFor checked) the new organisation's.
      const direct = admin;
      if (employment.length && direct) {
        if (organisation !== undefined) person.organisation = organisation;
        if (input.staffGroup !== undefined) person.staffGroup = input.staffGroup;
        if (input.grade !== undefined) person.grade = input.grade;
        clearProposal(person);
      } else if (employment.length) {
        this.propose(person, { organisation, staffGroup: input.staffGroup, grade: input.grade });
      }
      const directFields = direct ? changed : changed.filter((key) => !employment.includes(key));
      if (directFields.length) this.audit.record(em, { actorAccountId: scope.accountId, action: 'person.update', objectType: 'person', objectId: person.id, details: { fields: directFields } });
      if (employment.length && !direct) this.audit.record(em, { actorAccountId: scope.accountId, action: 'person.employment.propose', objectType: 'person', objectId: person.id, details: { fields: employment, pending: person.employmentProposedAt !== null } });
      return person;
    });
  }

  /** A lead or admin of the proposal's target system makes the proposed employment the person's. */
  async confirmEmployment(scope: AccessScope, id: string): Promise<Person> {
    return this.decide(scope, id, 'confirm');
  }

  /** A lead or admin of the proposal's target system turns the proposal down; nothing else changes. */
  async rejectEmployment(scope: AccessScope, id: string): Promise<Person> {
    return this.decide(scope, id, 'reject');
  }

  private async decide(scope: AccessScope, id: string, decision: 'confirm' | 'reject'): Promise<Person> {
    return this.em.transactional(async (em) => {
      // Locked, so a decision and a new proposal by the person cannot interleave.
      await em.findOne(Person, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const person = await em.findOne(Person, { id }, { populate: ['organisation', 'pendingOrganisation'], refresh: true });
      const pending = person?.employmentProposedAt ? person : null;
      const mayDecide = pending !== null && this.canDecideFor(scope, targetSystemOf(pending));
      if (!person || (!mayDecide && !this.canSee(scope, person))) throw NotFoundError.of('person', id);
      if (!pending) throw new ConflictError('This person has no employment change waiting to be confirmed.');
      if (!mayDecide) throw new ForbiddenError('Only a programme lead or admin of the system the person proposes to work in can confirm or reject it.');
      if (person.id === scope.personId && !scope.isNationalAdmin) throw new ForbiddenError('Someone else must confirm or reject your own employment change.');
      if (decision === 'confirm') {
        person.organisation = person.pendingOrganisation ?? null;
        person.staffGroup = person.pendingStaffGroup ?? null;
        person.grade = person.pendingGrade ?? null;
      }
      clearProposal(person);
      this.audit.record(em, { actorAccountId: scope.accountId, action: `person.employment.${decision}`, objectType: 'person', objectId: person.id, details: {} });
      return person;
    });
  }

  /** Leads and admins of a system decide proposals into it; national admins decide any. */
  private canDecideFor(scope: AccessScope, systemId: string | null): boolean {
    if (scope.isNationalAdmin) return true;
    return systemId !== null && (scope.has('programme_lead') || scope.has('admin')) && scope.canSeeStaffDataOf(systemId);
  }

  /** Records a proposal on top of any already pending; one that changes nothing clears it. */
  private propose(person: Person, change: { organisation?: Organisation | null; staffGroup?: StaffGroup | null; grade?: Grade | null }): void {
    const base = person.employmentProposedAt
      ? { organisation: person.pendingOrganisation ?? null, staffGroup: person.pendingStaffGroup ?? null, grade: person.pendingGrade ?? null }
      : { organisation: person.organisation ?? null, staffGroup: person.staffGroup ?? null, grade: person.grade ?? null };
    const next = {
      organisation: change.organisation === undefined ? base.organisation : change.organisation,
      staffGroup: change.staffGroup === undefined ? base.staffGroup : change.staffGroup,
      grade: change.grade === undefined ? base.grade : change.grade,
    };
    const same = (next.organisation?.id ?? null) === (person.organisation?.id ?? null) && next.staffGroup === (person.staffGroup ?? null) && next.grade === (person.grade ?? null);
    if (same) return clearProposal(person);
    person.pendingOrganisation = next.organisation;
    person.pendingStaffGroup = next.staffGroup;
    person.pendingGrade = next.grade;
    person.employmentProposedAt = new Date();
  }

  private canSee(scope: AccessScope, person: Person): boolean {
    return person.id === scope.personId || scope.canSeeStaffDataOf(person.organisation?.system.id);
  }

  private async organisationFor(em: EntityManager, scope: AccessScope, organisationId: string | null, proposal: boolean): Promise<Organisation | null> {
    if (organisationId === null) return null;
    const organisation = await em.findOne(Organisation, { id: organisationId });
    // Anyone may propose where they work; an admin may only move people within systems they administer.
    if (!organisation || (!proposal && !scope.canManageSystem(organisation.system.id))) {
      throw new InvalidInputError(`There is no organisation ${organisationId} you can assign.`, [{ field: 'organisationId', message: 'organisationId must be an existing organisation (in a system you administer)' }]);
    }
    return organisation;
  }
}

/** The system whose leads and admins decide a person's proposal. */
function targetSystemOf(person: Person): string | null {
  return (person.pendingOrganisation ?? person.organisation)?.system.id ?? null;
}

function clearProposal(person: Person): void {
  person.pendingOrganisation = null;
  person.pendingStaffGroup = null;
  person.pendingGrade = null;
  person.employmentProposedAt = null;
}
