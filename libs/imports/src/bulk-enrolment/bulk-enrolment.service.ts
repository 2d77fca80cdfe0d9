import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AlreadyEnrolledError, CohortsService, EnrolmentClosedError, enrolmentClosedReason, EnrolmentService } from '@slp/learning';
import { AccessScope, AuditService, DomainError, ForbiddenError, newId } from '@slp/platform';
import { EnrolmentListRow, readEnrolmentList } from './enrolment-list';

export type BulkEnrolmentStatus = 'enrolled' | 'waitlisted' | 'pending_approval' | 'already_enrolled' | 'error';

export interface BulkEnrolmentResult {
  readonly row: number;
  readonly email: string;
  readonly status: BulkEnrolmentStatus;
  readonly waitlistPosition: number | null;
  /** Why the row was not enrolled; null otherwise. */
  readonly error: string | null;
  readonly personId: string | null;
  readonly enrolmentId: string | null;
  /** The person was not on the platform and was added (without an account) for this enrolment. */
  readonly personCreated: boolean;
}

/** A row that cannot be enrolled, with the reason shown in its result. */
class RowRefused extends Error {}

interface PersonMatch {
  readonly id: string;
  readonly system_id: string | null;
}

/**
 * Enrols a list of people into a cohort from an uploaded CSV. The file is checked as a whole
 * first (a broken file enrols nobody); then each row goes, in its own transaction, through the
 * same placement path as a single enrolment by a lead (EnrolmentService.place: the cohort's row
 * lock, eligibility, seats, waitlist, emails), so single enrolments arriving at the same time
 * queue on the same lock and the seat invariant holds. Someone not on the platform is added
 * (without an account, like an ESR import) in the row's transaction, so a row that cannot be
 * enrolled adds nobody either.
 */
@Injectable()
export class BulkEnrolmentService {
  private readonly logger = new Logger('BulkEnrolment');

  constructor(
    private readonly em: EntityManager,
    private readonly cohorts: CohortsService,
    private readonly enrolments: EnrolmentService,
    private readonly audit: AuditService,
  ) {}

  async enrol(scope: AccessScope, cohortId: string, file: Buffer): Promise<BulkEnrolmentResult[]> {
    const { cohort, canManage } = await this.cohorts.getVisible(scope, cohortId);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can enrol other people.');
    const closed = enrolmentClosedReason(cohort, new Date());
    if (closed) throw new EnrolmentClosedError(closed);
    const rows = readEnrolmentList(file);
    const results: BulkEnrolmentResult[] = [];
    for (const row of rows) results.push(await this.enrolRow(scope, cohortId, row));
    this.audit.record(this.em, {
      actorAccountId: scope.accountId,
      action: 'enrolment.bulk',
      objectType: 'cohort',
      objectId: cohortId,
      details: { rows: rows.length, ...Object.fromEntries(STATUSES.map((status) => [status, results.filter((r) => r.status === status).length])) },
    });
    await this.em.flush();
    return results;
  }

  private async enrolRow(scope: AccessScope, cohortId: string, row: EnrolmentListRow): Promise<BulkEnrolmentResult> {
    let personId: string | null = null;
    try {
      return await this.em.fork().transactional(async (em) => {
        const person = await this.personFor(em, scope, cohortId, row);
        personId = person.id;
        const record = await this.enrolments.place(em, { cohortId, personId: person.id, source: 'lead', access: 'manager', preApproved: true, scope, actorAccountId: scope.accountId });
        return { row: row.row, email: row.email, status: record.status as BulkEnrolmentStatus, waitlistPosition: record.waitlistPosition, error: null, personId: person.id, enrolmentId: record.id, personCreated: person.created };
      });
    } catch (error) {
      // The row's transaction rolled back: a person added for it is gone again.
      const refused = (status: BulkEnrolmentStatus, message: string | null): BulkEnrolmentResult => ({
        row: row.row,
        email: row.email,
        status,
        waitlistPosition: null,
        error: message,
        // Only someone the caller may enrol is named (an already enrolled person passed that check).
        personId: status === 'already_enrolled' ? personId : null,
        enrolmentId: null,
        personCreated: false,
      });
      if (error instanceof AlreadyEnrolledError) return refused('already_enrolled', null);
      if (error instanceof RowRefused || error instanceof DomainError) return refused('error', error.message);
      // Only the error's kind: a database message may quote the row's personal data.
      const cause = error as { name?: string; code?: string };
      this.logger.error(`Bulk enrolment into cohort ${cohortId}, row ${row.row}: ${cause.name ?? 'Error'} ${cause.code ?? ''}`.trim());
      return refused('error', 'This row could not be enrolled because of an unexpected error; nothing was changed for it.');
    }
  }

  /** The person with the row's email address, or a new one (the row must name them and an organisation in the caller's systems). */
  private async personFor(em: EntityManager, scope: AccessScope, cohortId: string, row: EnrolmentListRow): Promise<{ id: string; created: boolean }> {
    const existing = await this.findByEmail(em, row.email);
    if (existing) return { id: this.inScope(scope, existing).id, created: false };
    if (!row.givenName || !row.familyName || !row.organisationOdsCode) {
      throw new RowRefused('This email address is not on the platform: give givenName, familyName and organisationOdsCode to add the person.');
    }
    const [organisation] = await em.execute<{ id: string; system_id: string; closed: boolean }[]>(
      `select id, system_id, (closed_on is not null and closed_on <= current_date) as closed from organisation where ods_code = ?`,
      [row.organisationOdsCode],
    );
    if (!organisation || !scope.canSeeStaffDataOf(organisation.system_id)) throw new RowRefused(`${row.organisationOdsCode} is not an organisation in your systems.`);
    if (organisation.closed) throw new RowRefused(`${row.organisationOdsCode} is closed.`);
    const id = newId();
    const inserted = await em.execute<{ id: string }[]>(
      `insert into person (id, email, given_name, family_name, organisation_id, created_at, updated_at) values (?, ?, ?, ?, ?, now(), now())
       on conflict (email) do nothing returning id`,
      [id, row.email, row.givenName, row.familyName, organisation.id],
    );
    if (!inserted.length) {
      // Someone added the same address a moment ago (a nomination, an import): enrol that person.
      const now = await this.findByEmail(em, row.email);
      if (!now) throw new RowRefused('This email address changed while it was being added; upload the row again.');
      return { id: this.inScope(scope, now).id, created: false };
    }
    await this.audit.write(em, { actorAccountId: scope.accountId, action: 'person.create', objectType: 'person', objectId: id, details: { via: 'bulk_enrolment', cohortId, organisationId: organisation.id } });
    return { id, created: true };
  }

  private async findByEmail(em: EntityManager, email: string): Promise<PersonMatch | null> {
    const [found] = await em.execute<PersonMatch[]>(
      `select p.id, o.system_id from person p left join organisation o on o.id = p.organisation_id where p.email = ?::citext and p.erased_at is null`,
      [email],
    );
    return found ?? null;
  }

  /** Leads enrol people of their own systems only (as one enrolment on their behalf does). */
  private inScope(scope: AccessScope, person: PersonMatch): PersonMatch {
    if (!scope.canSeeStaffDataOf(person.system_id)) {
      throw new RowRefused('This email address belongs to a person outside your systems (or with no confirmed organisation); an admin of their system can enrol them.');
    }
    return person;
  }
}

const STATUSES: readonly BulkEnrolmentStatus[] = ['enrolled', 'waitlisted', 'pending_approval', 'already_enrolled', 'error'];
