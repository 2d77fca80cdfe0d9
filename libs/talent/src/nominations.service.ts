import { Injectable, OnModuleInit } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { Organisation } from '@slp/directory';
import { Account, hashSecretToken, InvitationsService, newSecretToken, Person } from '@slp/identity';
import { Cohort, Enrolment, EnrolmentEvents, EnrolmentSeatedListener, EnrolmentService, Programme, ProgrammeAccess } from '@slp/learning';
import { AccessScope, AuditService, ConflictError, EmailNotVerifiedError, findPage, ForbiddenError, InvalidInputError, isUniqueViolation, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Membership } from './membership.entity';
import { NominationEvent } from './nomination-event.entity';
import { canMoveNomination, NominationStatus, Readiness } from './nomination-status';
import { Nomination } from './nomination.entity';
import { TalentNotifier } from './talent-notifier';
import { TalentPool } from './talent-pool.entity';

const CONSENT_TTL_MS = 14 * 86_400_000;

export type NomineeInput = { readonly personId: string } | { readonly email: string; readonly givenName: string; readonly familyName: string; readonly organisationId: string };

export interface CreateNominationInput {
  readonly nominee: NomineeInput;
  readonly programmeId?: string;
  readonly cohortId?: string;
  readonly talentPoolId?: string;
  readonly readiness: Readiness;
  readonly performance: number;
  readonly potential: number;
  readonly rationale: string;
  readonly shareGridWithNominee?: boolean;
}

export interface NominationFilter {
  readonly status?: NominationStatus;
  readonly systemId?: string;
  readonly programmeId?: string;
}

/** A nomination as its reader may see it: the grid only for staff, or the nominee when shared. */
export interface NominationView {
  readonly nomination: Nomination;
  readonly history: readonly NominationEvent[];
  readonly showGrid: boolean;
}

export interface ConsentResult {
  readonly view: NominationView;
  /** The nominee consented through the link and has no account yet: they were emailed an invitation to set one up. */
  readonly invitationSent: boolean;
}

type Actor = { readonly accountId: string | null; readonly role: 'nominator' | 'nominee' | 'lead' | 'system' };

@Injectable()
export class NominationsService implements OnModuleInit, EnrolmentSeatedListener {
  constructor(
    private readonly em: EntityManager,
    private readonly enrolments: EnrolmentService,
    private readonly invitations: InvitationsService,
    private readonly notifier: TalentNotifier,
    private readonly audit: AuditService,
    private readonly enrolmentEvents: EnrolmentEvents,
  ) {}

  onModuleInit(): void {
    this.enrolmentEvents.onSeated(this);
  }

  /** A nominee accepted onto a waitlist got their seat: the nomination is now "enrolled". */
  async enrolmentSeated(em: EntityManager, enrolment: Enrolment, now: Date): Promise<void> {
    if (enrolment.source !== 'nomination') return;
    const nomination = await em.findOne(Nomination, { enrolment: enrolment.id, status: 'accepted' });
    if (nomination) this.move(em, nomination, 'enrolled', { accountId: null, role: 'system' }, 'a seat became free: enrolled in the cohort', now);
  }

  /**
   * A lead or admin nominates someone into a target of their systems. The nominee, by id or by
   * email (created if new), must work in the target's system. They are emailed a consent request.
   */
  async create(scope: AccessScope, input: CreateNominationInput): Promise<NominationView> {
    const targets = [input.programmeId, input.cohortId, input.talentPoolId].filter(Boolean);
    if (targets.length !== 1) {
      throw new InvalidInputError('Name exactly one target: a programme, a cohort or a talent pool.', [{ field: 'programmeId', message: 'exactly one of programmeId, cohortId, talentPoolId is required' }]);
    }
    return this.em.transactional(async (em) => {
      const target = await this.resolveTarget(em, scope, input);
      const nominee = await this.resolveNominee(em, scope, input.nominee, target.systemId);
      const nominator = await em.findOneOrFail(Person, { id: scope.personId });
      const { token, hash } = newSecretToken();
      const now = new Date();
      const nomination = em.create(Nomination, {
        nominee,
        nominatorAccountId: scope.accountId,
        nominator,
        programme: target.programme,
        cohort: target.cohort,
        talentPool: target.pool,
        targetSystemId: target.systemId,
        status: 'submitted',
        readiness: input.readiness,
        performance: input.performance,
        potential: input.potential,
        gridSharedWithNominee: input.shareGridWithNominee ?? false,
        rationale: input.rationale,
        lineManagerNotified: false,
        consentTokenHash: hash,
        consentTokenExpiresAt: new Date(now.getTime() + CONSENT_TTL_MS),
        createdAt: now,
        updatedAt: now,
      });
      const actor: Actor = { accountId: scope.accountId, role: 'nominator' };
      this.event(em, nomination, null, 'submitted', actor, null, now);
      this.move(em, nomination, 'awaiting_consent', actor, 'consent requested from the nominee', now);
      await this.notifier.consentRequest(em, { nomination, targetLabel: targetLabel(nomination) }, token, nomination.consentTokenExpiresAt!);
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'nomination.create', objectType: 'nomination', objectId: nomination.id, details: { nomineeId: nominee.id, target: target.kind, targetId: target.id } });
      try {
        await em.flush();
      } catch (error) {
        if (isUniqueViolation(error, 'nomination_one_active_per_target')) throw duplicate();
        throw error;
      }
      return this.view(em, nomination, true);
    });
  }

  /** Nominations whose targets are in the caller's systems. Reading their talent-grid ratings in bulk is audited. */
  async list(scope: AccessScope, filter: NominationFilter, page: PageRequest): Promise<Page<Nomination>> {
    const systems = scope.staffSystems;
    const where: FilterQuery<Nomination> = systems === 'all' ? {} : { targetSystemId: { $in: [...systems] } };
    if (!scope.has('admin') && !scope.has('programme_lead') && systems !== 'all') throw new ForbiddenError('Only leads and admins can list nominations.');
    if (filter.systemId) {
      if (!scope.canSeeStaffDataOf(filter.systemId)) throw NotFoundError.of('system', filter.systemId);
      where.targetSystemId = filter.systemId;
    }
    if (filter.status) where.status = filter.status;
    if (filter.programmeId) where.$or = [{ programme: filter.programmeId }, { cohort: { programme: filter.programmeId } }];
    const result = await findPage(this.em, Nomination, where, { createdAt: 'desc', id: 'desc' }, page, ['nominee', 'nominator', 'programme', 'cohort', 'talentPool']);
    if (result.items.length) {
      await this.em.transactional(async (em) => {
        this.audit.record(em, { actorAccountId: scope.accountId, action: 'nomination.read_ratings', objectType: 'nomination', details: { count: result.items.length, nominationIds: result.items.map((n) => n.id) } });
      });
    }
    return result;
  }

  /**
   * The caller's own nominations. A nomination is made by email address, so an account that has
   * not proved it owns its address sees none of them (409 saying why); the nominee can still answer
   * by the emailed link.
   */
  listMine(scope: AccessScope, page: PageRequest): Promise<Page<Nomination>> {
    if (!scope.emailVerified) throw new EmailNotVerifiedError('Verify your email address to see nominations made for you: follow the link in the email we sent when you registered. You can also answer a nomination from the link in its email.');
    return findPage(this.em, Nomination, { nominee: scope.personId }, { createdAt: 'desc', id: 'desc' }, page, ['nominee', 'nominator', 'programme', 'cohort', 'cohort.programme', 'talentPool']);
  }

  /** The nominee, or staff of the target's system; anyone else gets 404. */
  async get(scope: AccessScope, id: string): Promise<NominationView> {
    const nomination = await this.em.findOne(Nomination, { id }, { populate: ['nominee', 'nominator', 'programme', 'cohort', 'cohort.programme', 'talentPool'] });
    if (!nomination) throw NotFoundError.of('nomination', id);
    const staff = ProgrammeAccess.canManage(scope, nomination.targetSystemId ?? null);
    if (!staff && !this.isNominee(scope, nomination)) throw NotFoundError.of('nomination', id);
    return this.view(this.em, nomination, staff || nomination.gridSharedWithNominee);
  }

  /** The signed-in nominee consents or declines. */
  async answer(scope: AccessScope, id: string, decision: 'consent' | 'decline', notifyLineManager = false): Promise<NominationView> {
    return this.em.transactional(async (em) => {
      const nomination = await this.lock(em, { id });
      if (!nomination || !this.isNominee(scope, nomination)) {
        if (nomination && ProgrammeAccess.canManage(scope, nomination.targetSystemId ?? null)) throw new ForbiddenError('Only the nominee can consent or decline.');
        throw NotFoundError.of('nomination', id);
      }
      await this.recordAnswer(em, nomination, decision, notifyLineManager, { accountId: scope.accountId, role: 'nominee' });
      return this.view(em, nomination, nomination.gridSharedWithNominee);
    });
  }

  /**
   * What the emailed link shows, without signing in and without changing anything: the
   * nomination it answers while it still awaits consent (`open`); or the nomination with its
   * nominator once the link has expired or been used (so the page can say whom to ask);
   * `null` for a link we never sent.
   */
  async previewByToken(token: string, now = new Date()): Promise<{ readonly state: 'open' | 'expired' | 'used'; readonly nomination: Nomination; readonly targetLabel: string } | null> {
    const em = this.em.fork();
    const populate = ['nominee', 'nominator', 'programme', 'cohort', 'cohort.programme', 'talentPool'] as const;
    const hash = hashSecretToken(token);
    const nomination = await em.findOne(Nomination, { consentTokenHash: hash }, { populate });
    if (!nomination) {
      const used = await em.findOne(Nomination, { usedConsentTokenHash: hash }, { populate });
      return used ? { state: 'used', nomination: used, targetLabel: targetLabel(used) } : null;
    }
    if (nomination.status !== 'awaiting_consent') return { state: 'used', nomination, targetLabel: targetLabel(nomination) };
    const expired = !nomination.consentTokenExpiresAt || nomination.consentTokenExpiresAt <= now;
    return { state: expired ? 'expired' : 'open', nomination, targetLabel: targetLabel(nomination) };
  }

  /**
   * The nominee answers through the emailed link, without signing in. The token works once and
   * expires; a nominee without an account is emailed an invitation to set one up.
   */
  async answerByToken(token: string, decision: 'consent' | 'decline', notifyLineManager = false): Promise<ConsentResult> {
    return this.em.transactional(async (em) => {
      const nomination = await this.lock(em, { consentTokenHash: hashSecretToken(token) });
      if (!nomination || !nomination.consentTokenExpiresAt || nomination.consentTokenExpiresAt <= new Date()) {
        throw new InvalidInputError('This consent link has been used or has expired.', [{ field: 'token', message: 'token is invalid, used or expired' }]);
      }
      await this.recordAnswer(em, nomination, decision, notifyLineManager, { accountId: null, role: 'nominee' });
      // An account that never proved the address does not count: the invitation lets the owner of
      // the mailbox (who just used this link) take it over.
      const hasAccount = (await em.count(Account, { person: nomination.nominee, passwordHash: { $ne: null }, emailVerifiedAt: { $ne: null } })) > 0;
      // The invitation's token goes only into the email, never into this answer.
      const invitationSent = decision === 'consent' && !hasAccount;
      if (invitationSent) await this.invitations.issue(em, nomination.nominee);
      return { view: await this.view(em, nomination, nomination.gridSharedWithNominee), invitationSent };
    });
  }

  /**
   * A lead or admin of the target's system accepts a consented nomination. For a cohort, the
   * nominee is placed through the enrolment service's one seat path (enrolled, or waitlisted when
   * full); for a programme or a pool, membership is recorded.
   */
  async accept(scope: AccessScope, id: string): Promise<NominationView> {
    return this.decide(scope, id, async (em, nomination, actor, label) => {
      if (nomination.cohort) {
        const placed = await this.enrolments.place(em, { cohortId: nomination.cohort.id, personId: nomination.nominee.id, source: 'nomination', access: 'trusted', preApproved: true, scope: null, actorAccountId: scope.accountId });
        nomination.enrolment = em.getReference(Enrolment, placed.id);
        this.move(em, nomination, placed.status === 'enrolled' ? 'enrolled' : 'accepted', actor, placed.status === 'enrolled' ? 'enrolled in the cohort' : `accepted; waitlisted at position ${placed.waitlistPosition}`);
        await this.notifier.decided(em, { nomination, targetLabel: label }, true, { outcome: placed.status, waitlistPosition: placed.waitlistPosition });
      } else {
        const target = nomination.programme ? { programme: nomination.programme } : { talentPool: nomination.talentPool! };
        if (!(await em.count(Membership, { person: nomination.nominee, ...target }))) {
          em.create(Membership, { person: nomination.nominee, programme: null, talentPool: null, ...target, nomination, createdAt: new Date() });
        }
        this.move(em, nomination, 'accepted', actor, nomination.programme ? 'joined the programme' : 'joined the talent pool');
        await this.notifier.decided(em, { nomination, targetLabel: label }, true, { outcome: 'member' });
      }
      return 'accept';
    });
  }

  async reject(scope: AccessScope, id: string, reason: string): Promise<NominationView> {
    return this.decide(scope, id, async (em, nomination, actor, label) => {
      nomination.decisionReason = reason;
      this.move(em, nomination, 'rejected', actor, reason);
      await this.notifier.decided(em, { nomination, targetLabel: label }, false, { reason });
      return 'reject';
    });
  }

  /** The nominee withdraws their consent, or the nominator (or a lead of the system) withdraws the nomination, before a decision. */
  async withdraw(scope: AccessScope, id: string, reason?: string): Promise<NominationView> {
    return this.em.transactional(async (em) => {
      const nomination = await this.lock(em, { id });
      const staff = nomination ? ProgrammeAccess.canManage(scope, nomination.targetSystemId ?? null) : false;
      const nominee = nomination ? this.isNominee(scope, nomination) : false;
      if (!nomination || (!staff && !nominee)) throw NotFoundError.of('nomination', id);
      if (!canMoveNomination(nomination.status, 'withdrawn')) throw new ConflictError(`A ${nomination.status} nomination cannot be withdrawn.`);
      voidConsentLink(nomination);
      this.move(em, nomination, 'withdrawn', { accountId: scope.accountId, role: nominee ? 'nominee' : nomination.nominatorAccountId === scope.accountId ? 'nominator' : 'lead' }, reason ?? (nominee ? 'consent withdrawn by the nominee' : 'withdrawn by the nominator'));
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'nomination.withdraw', objectType: 'nomination', objectId: nomination.id });
      return this.view(em, nomination, staff || nomination.gridSharedWithNominee);
    });
  }

  /** The signed-in caller is this nomination's nominee, and has proved they own the email it was sent to. */
  private isNominee(scope: AccessScope, nomination: Nomination): boolean {
    return nomination.nominee.id === scope.personId && scope.emailVerified;
  }

  private async decide(scope: AccessScope, id: string, change: (em: EntityManager, nomination: Nomination, actor: Actor, label: string) => Promise<string>): Promise<NominationView> {
    return this.em.transactional(async (em) => {
      const nomination = await this.lock(em, { id });
      if (!nomination) throw NotFoundError.of('nomination', id);
      if (!ProgrammeAccess.canManage(scope, nomination.targetSystemId ?? null)) {
        if (nomination.nominee.id === scope.personId) throw new ForbiddenError('Only leads and admins of the target’s system can decide a nomination.');
        throw NotFoundError.of('nomination', id);
      }
      if (nomination.status !== 'consented') throw new ConflictError(`Only consented nominations can be decided; this one is ${nomination.status}.`);
      const verb = await change(em, nomination, { accountId: scope.accountId, role: 'lead' }, targetLabel(nomination));
      this.audit.record(em, { actorAccountId: scope.accountId, action: `nomination.${verb}`, objectType: 'nomination', objectId: nomination.id, details: { status: nomination.status } });
      return this.view(em, nomination, true);
    });
  }

  private async recordAnswer(em: EntityManager, nomination: Nomination, decision: 'consent' | 'decline', notifyLineManager: boolean, actor: Actor): Promise<void> {
    if (nomination.status !== 'awaiting_consent') throw new ConflictError(`This nomination is ${nomination.status}; it no longer awaits consent.`);
    const to = decision === 'consent' ? 'consented' : 'declined';
    voidConsentLink(nomination);
    this.move(em, nomination, to, actor, decision === 'consent' ? 'the nominee consented' : 'the nominee declined');
    const context = { nomination, targetLabel: targetLabel(nomination) };
    await this.notifier.nomineeAnswered(em, context, decision === 'consent');
    if (decision === 'consent' && notifyLineManager && nomination.nominee.lineManagerEmail) {
      nomination.lineManagerNotified = true;
      await this.notifier.lineManagerNotice(em, context, nomination.nominee.lineManagerEmail);
    }
    this.audit.record(em, { actorAccountId: actor.accountId, action: `nomination.${decision}`, objectType: 'nomination', objectId: nomination.id });
  }

  /** Re-reads the nomination under a row lock, so two answers or decisions cannot both apply. */
  private async lock(em: EntityManager, where: FilterQuery<Nomination>): Promise<Nomination | null> {
    const nomination = await em.findOne(Nomination, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (nomination) await em.populate(nomination, ['nominee', 'nominator', 'programme', 'cohort', 'cohort.programme', 'talentPool']);
    return nomination;
  }

  private move(em: EntityManager, nomination: Nomination, to: NominationStatus, actor: Actor, reason: string | null, at = new Date()): void {
    if (!canMoveNomination(nomination.status, to)) throw new ConflictError(`A ${nomination.status} nomination cannot become ${to}.`);
    this.event(em, nomination, nomination.status, to, actor, reason, at);
    nomination.status = to;
  }

  private event(em: EntityManager, nomination: Nomination, from: NominationStatus | null, to: NominationStatus, actor: Actor, reason: string | null, at: Date): void {
    em.create(NominationEvent, { nomination, fromStatus: from, toStatus: to, actorAccountId: actor.accountId, actorRole: actor.role, reason, at });
  }

  private async view(em: EntityManager, nomination: Nomination, showGrid: boolean): Promise<NominationView> {
    await em.flush();
    const history = await em.find(NominationEvent, { nomination }, { orderBy: { at: 'asc', id: 'asc' } });
    return { nomination, history, showGrid };
  }

  /**
   * The target, if the caller may nominate into it. One that does not exist and one of a system
   * the caller does not lead or administer get the same 404, so ids of other systems cannot be probed.
   */
  private async resolveTarget(em: EntityManager, scope: AccessScope, input: CreateNominationInput): Promise<{ kind: string; id: string; systemId: string | null; programme: Programme | null; cohort: Cohort | null; pool: TalentPool | null }> {
    const nominable = (systemId: string | null) => ProgrammeAccess.canManage(scope, systemId);
    if (input.programmeId) {
      const programme = await em.findOne(Programme, { id: input.programmeId });
      if (!programme || !nominable(programme.system?.id ?? null)) throw missingTarget('programme');
      return { kind: 'programme', id: programme.id, systemId: programme.system?.id ?? null, programme, cohort: null, pool: null };
    }
    if (input.cohortId) {
      const cohort = await em.findOne(Cohort, { id: input.cohortId }, { populate: ['programme'] });
      if (!cohort || !nominable(cohort.programme.system?.id ?? null)) throw missingTarget('cohort');
      return { kind: 'cohort', id: cohort.id, systemId: cohort.programme.system?.id ?? null, programme: null, cohort, pool: null };
    }
    const pool = await em.findOne(TalentPool, { id: input.talentPoolId! });
    if (!pool || !nominable(pool.system.id)) throw missingTarget('talent pool');
    return { kind: 'talent_pool', id: pool.id, systemId: pool.system.id, programme: null, cohort: null, pool };
  }

  /**
   * The nominee must work for an organisation of the target's system (any system for a national
   * target). By id, the person must be one the caller can see. By email, the answer must not say
   * whether that address is already someone's record elsewhere: the nomination goes to whoever
   * owns the address, who is asked for consent by email as any new nominee is. A nomination never
   * sets employment facts on an existing record: someone with no organisation gets the named one as
   * a proposal, for a lead or admin of that system to confirm; a record with one is left as it is.
   */
  private async resolveNominee(em: EntityManager, scope: AccessScope, input: NomineeInput, systemId: string | null): Promise<Person> {
    const worksThere = (person: Person) => systemId === null || person.organisation?.system.id === systemId;
    if ('personId' in input) {
      // An erased person is no one to nominate.
      const person = await em.findOne(Person, { id: input.personId, erasedAt: null }, { populate: ['organisation'] });
      if (!person || !scope.canSeeStaffDataOf(person.organisation?.system.id)) throw new InvalidInputError(`There is no person ${input.personId} in your systems.`, [{ field: 'nominee.personId', message: 'nominee.personId must be a person in your systems' }]);
      if (!worksThere(person)) throw new ForbiddenError('The nominee must work for an organisation in the system that owns the target.');
      return person;
    }
    const organisation = await em.findOne(Organisation, { id: input.organisationId });
    if (!organisation) throw new InvalidInputError(`There is no organisation ${input.organisationId}.`, [{ field: 'nominee.organisationId', message: 'nominee.organisationId must be an existing organisation' }]);
    if (systemId !== null && organisation.system.id !== systemId) throw new ForbiddenError('The nominee must work for an organisation in the system that owns the target.');
    const existing = await em.findOne(Person, { email: input.email }, { populate: ['organisation', 'pendingOrganisation'] });
    if (existing) {
      if (!existing.organisation && !existing.employmentProposedAt) {
        existing.pendingOrganisation = organisation;
        existing.employmentProposedAt = new Date();
        this.audit.record(em, { actorAccountId: scope.accountId, action: 'person.employment.propose', objectType: 'person', objectId: existing.id, details: { fields: ['organisationId'], via: 'nomination' } });
      }
      return existing;
    }
    return em.create(Person, { email: input.email, givenName: input.givenName, familyName: input.familyName, organisation, createdAt: new Date(), updatedAt: new Date() });
  }
}

/** The consent link stops answering; its hash is kept apart so the link's page can still say it was used. */
function voidConsentLink(nomination: Nomination): void {
  if (nomination.consentTokenHash) nomination.usedConsentTokenHash = nomination.consentTokenHash;
  nomination.consentTokenHash = null;
}

/** What a nomination is for, in words (as the emails say it). */
export function targetLabel(nomination: Nomination): string {
  if (nomination.programme) return `Programme: ${nomination.programme.title}`;
  if (nomination.cohort) return `Cohort: ${nomination.cohort.name} (${nomination.cohort.programme.title})`;
  return `Talent pool: ${nomination.talentPool!.name}`;
}

/** Without the id, so an unknown target and another system's read exactly alike. */
function missingTarget(kind: string): NotFoundError {
  return new NotFoundError(`No such ${kind} that you can nominate into. Nominate into a programme, cohort or talent pool of a system you lead or administer.`);
}

function duplicate(): ConflictError {
  return new ConflictError('This person already has an active nomination for this target.');
}


