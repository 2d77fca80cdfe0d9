import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Organisation, System } from '@slp/directory';
import { AccessScope, AuditService, ConflictError, ForbiddenError, InvalidInputError, PasswordHasher, Role, STAFF_ROLES } from '@slp/platform';
import { Account } from './account.entity';
import { InvitationsService } from './invitations.service';
import { Person } from './person.entity';

export interface CreateAccountInput {
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly roles: readonly Role[];
  readonly systemIds: readonly string[];
  readonly password?: string;
  readonly organisationId?: string;
}

export interface NationalAdminInput {
  readonly email: string;
  readonly password: string;
  readonly givenName: string;
  readonly familyName: string;
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly invitations: InvitationsService,
  ) {}

  async me(accountId: string): Promise<Account> {
    return this.em.findOneOrFail(Account, { id: accountId }, { populate: ['person', 'person.organisation', 'person.pendingOrganisation'] });
  }

  /**
   * An admin creates an account. System admins may grant only their own systems and cannot create
   * national admins; staff roles need at least one system unless the account is a national admin.
   * An account created without a password is emailed an invitation to choose one.
   */
  async create(scope: AccessScope, input: CreateAccountInput): Promise<Account> {
    const roles = [...new Set(input.roles)];
    const systemIds = [...new Set(input.systemIds)];
    const staff = roles.some((role) => STAFF_ROLES.includes(role));
    const nationalAdmin = roles.includes('admin') && systemIds.length === 0;
    if (!staff && systemIds.length) throw new InvalidInputError('Only staff roles work for systems.', [{ field: 'systemIds', message: 'systemIds must be empty for a participant-only account' }]);
    if (staff && !nationalAdmin && systemIds.length === 0) throw new InvalidInputError('Programme leads and coaches work for at least one system.', [{ field: 'systemIds', message: 'systemIds must list at least one system for staff roles' }]);
    if (nationalAdmin) scope.assertNationalAdmin('create a national admin');
    if (!scope.administersAll(systemIds)) throw new ForbiddenError('You can only grant access to systems you administer.');
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;

    return this.em.transactional(async (em) => {
      if (systemIds.length && (await em.count(System, { id: { $in: systemIds } })) !== systemIds.length) {
        throw new InvalidInputError('Some systems do not exist.', [{ field: 'systemIds', message: 'systemIds must all be existing systems' }]);
      }
      const organisation = input.organisationId ? await em.findOne(Organisation, { id: input.organisationId }) : null;
      if (input.organisationId && (!organisation || !scope.canSeeStaffDataOf(organisation.system.id))) {
        throw new InvalidInputError(`There is no organisation ${input.organisationId} in your systems.`, [{ field: 'organisationId', message: 'organisationId must be an organisation in a system you administer' }]);
      }
      let person = await em.findOne(Person, { email: input.email }, { populate: ['organisation', 'pendingOrganisation'] });
      if (person && (await em.count(Account, { person }))) throw new ConflictError('This email already has an account.');
      // Someone already known (a nominee, an ESR import) who works in a system the caller does not
      // administer is not theirs to give an account to: they would choose its password and sign
      // in as that person, reading everything held about them.
      const worksIn = [person?.organisation?.system.id, person?.pendingOrganisation?.system.id].filter((id): id is string => Boolean(id));
      if (person && !scope.administersAll(worksIn)) {
        throw new ForbiddenError('This email belongs to someone who works in a system you do not administer; an admin of that system or a national admin can create their account.');
      }
      person ??= em.create(Person, { email: input.email, givenName: input.givenName, familyName: input.familyName, organisation, createdAt: new Date(), updatedAt: new Date() });
      if (organisation && !person.organisation) person.organisation = organisation;
      // An admin vouches for the address they typed: the account is verified.
      const account = em.create(Account, { person, passwordHash, roles, systemIds, status: 'active', createdAt: new Date(), emailVerifiedAt: new Date() });
      // Without a password the person chooses one from an emailed invitation (its token only in that email).
      if (!passwordHash) await this.invitations.issue(em, person);
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'account.create', objectType: 'account', objectId: account.id, details: { roles, systemIds, ...(passwordHash ? {} : { invited: true }) } });
      return account;
    });
  }

  /** Creates a national admin, or promotes an existing account to one (`npm run admin -- create-admin`). */
  async createOrPromoteNationalAdmin(input: NationalAdminInput): Promise<{ account: Account; created: boolean }> {
    const passwordHash = await this.hasher.hash(input.password);
    return this.em.transactional(async (em) => {
      const existing = await em.findOne(Account, { person: { email: input.email } });
      const person = existing?.person ?? (await em.findOne(Person, { email: input.email })) ?? em.create(Person, { email: input.email, givenName: input.givenName, familyName: input.familyName, createdAt: new Date(), updatedAt: new Date() });
      const created = !existing;
      const account = existing ?? em.create(Account, { person, roles: [], systemIds: [], status: 'active', createdAt: new Date() });
      account.roles = [...new Set<Role>([...account.roles, 'admin'])];
      account.systemIds = [];
      account.status = 'active';
      account.passwordHash = passwordHash;
      account.emailVerifiedAt ??= new Date();
      this.audit.record(em, { actorAccountId: null, action: created ? 'account.create' : 'account.promote', objectType: 'account', objectId: account.id, details: { roles: account.roles, via: 'cli' } });
      return { account, created };
    });
  }
}
