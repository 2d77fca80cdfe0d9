import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AlreadyEnrolledError, ATTENDANCE_STATUSES, AttendanceService, AttendanceStatus, CohortFullError, CohortsService, ENROLMENT_STATUSES, EnrolmentClosedError, EnrolmentRecord, EnrolmentService, EnrolmentStatus, InvalidTransitionError, NotEligibleError, SessionsService } from '@slp/learning';
import { AccessScope, ConflictError, ForbiddenError, formatLondon, NotFoundError, Roles } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { isId, londonDate, sessionWhen, statusTag } from '../learning/learning-labels';
import { canManageAnything, StaffQueries } from './staff-queries';

/** Shown on a cohort's filter, in the order a programme lead works through them. */
const STATUS_FILTER: readonly { value: EnrolmentStatus; text: string }[] = [
  { value: 'pending_approval', text: 'Applications to decide' },
  { value: 'enrolled', text: 'Enrolled' },
  { value: 'waitlisted', text: 'Waiting list' },
  { value: 'offered', text: 'Place offered' },
  { value: 'completed', text: 'Completed' },
  { value: 'not_completed', text: 'Not completed' },
  { value: 'withdrawn', text: 'Withdrawn' },
  { value: 'declined', text: 'Declined' },
  { value: 'rejected', text: 'Not successful' },
];

const ATTENDANCE_LABELS: Readonly<Record<AttendanceStatus, string>> = { present: 'Present', absent: 'Absent', apologies: 'Apologies' };
const REASON_MAX = 1000;
const PAGE_SIZE = 100;

/**
 * The staff workspace: programme leads, coaches and admins. Every page asks the same library
 * services as the API, with the caller's scope, so a lead sees and changes only cohorts of their
 * own systems (another system's cohort is 403 or 404, exactly as in the API); every change is
 * audited by the service that makes it.
 */
@Controller('staff')
@Roles('programme_lead', 'coach', 'admin')
export class StaffController {
  constructor(
    private readonly queries: StaffQueries,
    private readonly cohorts: CohortsService,
    private readonly enrolments: EnrolmentService,
    private readonly sessions: SessionsService,
    private readonly attendance: AttendanceService,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  async home(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const awaiting = await this.queries.awaiting(scope);
    const sum = (rows: readonly { count: number }[]) => rows.reduce((total, row) => total + row.count, 0);
    return this.pages.render(request, reply, 'staff/home.njk', {
      title: 'What awaits you',
      area: 'staff',
      managing: canManageAnything(scope),
      applications: { total: sum(awaiting.applications), cohorts: awaiting.applications },
      offers: { total: sum(awaiting.offers), cohorts: awaiting.offers },
      nominations: awaiting.nominations,
      week: `${londonDate(awaiting.weekStart)} to ${londonDate(new Date(awaiting.weekEnd.getTime() - 1))}`,
      sessions: awaiting.sessions.map((s) => ({ ...s, when: sessionWhen(s) })),
    });
  }

  @Get('cohorts/:cohortId')
  cohort(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') id: string, @Query() query: Record<string, unknown>): Promise<FastifyReply> {
    return this.cohortPage(request, reply, id, query, new FormErrors(), 200);
  }

  /** Approves an application: a seat if one is free, else the waiting list (the service decides, under the cohort's lock). */
  @Post('cohorts/:cohortId/enrolments/:enrolmentId/approve')
  async approve(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') cohortId: string, @Param('enrolmentId') enrolmentId: string): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const application = await this.enrolmentOf(scope, cohortId, enrolmentId);
    let approved: EnrolmentRecord;
    try {
      approved = await this.enrolments.approve(scope, enrolmentId);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const message = error instanceof CohortFullError ? `${nameOf(application)} could not be approved: the cohort is full and has no waiting list` : error.message;
      return this.cohortPage(request, reply, cohortId, {}, new FormErrors().add('enrolments', message), 409);
    }
    const outcome = approved.status === 'waitlisted' ? `added to the waiting list (place ${approved.waitlistPosition ?? ''})`.replace(' ()', '') : 'enrolled';
    request.session.set('flash', `You approved ${nameOf(application)}: ${outcome}. We have emailed them.`);
    return reply.redirect(`/staff/cohorts/${cohortId}`, 303);
  }

  /** Rejecting asks for the reason first: the applicant is emailed it. */
  @Get('cohorts/:cohortId/enrolments/:enrolmentId/reject')
  async rejectPage(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') cohortId: string, @Param('enrolmentId') enrolmentId: string): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const application = await this.enrolmentOf(scope, cohortId, enrolmentId);
    return this.rejectForm(request, reply, cohortId, application, '', new FormErrors(), 200);
  }

  @Post('cohorts/:cohortId/enrolments/:enrolmentId/reject')
  async reject(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') cohortId: string, @Param('enrolmentId') enrolmentId: string): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const application = await this.enrolmentOf(scope, cohortId, enrolmentId);
    const reason = field(request.body, 'reason');
    const errors = new FormErrors();
    if (!reason) errors.add('reason', 'Enter the reason for rejecting the application');
    else if (reason.length > REASON_MAX) errors.add('reason', `The reason must be ${REASON_MAX} characters or fewer`);
    if (errors.any) return this.rejectForm(request, reply, cohortId, application, reason, errors, 422);
    try {
      await this.enrolments.reject(scope, enrolmentId, reason);
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      return this.rejectForm(request, reply, cohortId, application, reason, new FormErrors().add('reason', error.message), 409);
    }
    request.session.set('flash', `You rejected the application from ${nameOf(application)}. We have emailed them the reason.`);
    return reply.redirect(`/staff/cohorts/${cohortId}`, 303);
  }

  /** "Enrol someone": a person of the lead's systems found by the search on the cohort page. */
  @Post('cohorts/:cohortId/enrol')
  async enrolSomeone(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('cohortId') cohortId: string): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const personId = field(request.body, 'personId');
    const q = field(request.body, 'q');
    if (!isId(personId)) return this.cohortPage(request, reply, cohortId, { q }, new FormErrors().add(q ? 'personId' : 'q', q ? 'Select the person to enrol' : 'Enter a name or email address to search for'), 422);
    let placed: EnrolmentRecord;
    try {
      placed = await this.enrolments.enrolOnBehalf(scope, cohortId, personId);
    } catch (error) {
      const refused = error instanceof ConflictError || error instanceof NotEligibleError || error instanceof NotFoundError;
      if (!refused || (error instanceof NotFoundError && !(await this.canManage(scope, cohortId)))) throw error;
      const message = error instanceof AlreadyEnrolledError ? 'This person already has a place or an application in this cohort' : error instanceof EnrolmentClosedError ? `This cohort is not taking enrolments: ${error.message}` : error instanceof NotFoundError ? 'Select a person from the search results' : error.message;
      return this.cohortPage(request, reply, cohortId, { q }, new FormErrors().add(q ? 'personId' : 'q', message), error instanceof NotEligibleError ? 422 : error instanceof NotFoundError ? 422 : 409);
    }
    const outcome = placed.status === 'enrolled' ? 'is enrolled' : placed.status === 'waitlisted' ? `is on the waiting list (place ${placed.waitlistPosition})` : `is ${statusTag(placed).text.toLowerCase()}`;
    request.session.set('flash', `${nameOf(placed)} ${outcome}. We have emailed them.`);
    return reply.redirect(`/staff/cohorts/${cohortId}`, 303);
  }

  /** A row per enrolled person, Present / Absent / Apologies: one form, big targets for a tablet in the room. */
  @Get('sessions/:sessionId/register')
  register(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('sessionId') id: string): Promise<FastifyReply> {
    return this.registerPage(request, reply, id, null, new FormErrors(), 200);
  }

  @Post('sessions/:sessionId/register')
  async saveRegister(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('sessionId') id: string): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const { session, people } = await this.registerRows(scope, id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const errors = new FormErrors();
    const records: { enrolmentId: string; status: AttendanceStatus }[] = [];
    const answered: Record<string, string> = {};
    for (const person of people) {
      const value = field(body, `status-${person.id}`);
      if (!value) continue;
      answered[person.id] = value;
      if (!(ATTENDANCE_STATUSES as readonly string[]).includes(value)) errors.add(`status-${person.id}`, `Choose Present, Absent or Apologies for ${nameOf(person)}`);
      else records.push({ enrolmentId: person.id, status: value as AttendanceStatus });
    }
    if (!errors.any && !records.length) errors.add(people.length ? `status-${people[0]!.id}` : 'register', 'Choose Present, Absent or Apologies for at least one person');
    if (errors.any) return this.registerPage(request, reply, id, answered, errors, 422);
    await this.attendance.record(scope, session.id, records);
    request.session.set('flash', `Register saved: ${records.length} ${records.length === 1 ? 'person' : 'people'} recorded.`);
    return reply.redirect(`/staff/sessions/${id}/register`, 303);
  }

  private async registerRows(scope: AccessScope, id: string) {
    if (!isId(id)) throw NotFoundError.of('session');
    const { session, programme, canManage } = await this.sessions.get(scope, id);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can keep its register.');
    const people: EnrolmentRecord[] = [];
    for (const status of ['enrolled', 'completed', 'not_completed'] as const) people.push(...(await this.allOf(scope, session.cohort.id, status)));
    people.sort((a, b) => a.person.familyName.localeCompare(b.person.familyName, 'en-GB') || a.person.givenName.localeCompare(b.person.givenName, 'en-GB') || a.id.localeCompare(b.id));
    return { session, programme, people };
  }

  private async registerPage(request: WebRequest, reply: FastifyReply, id: string, answered: Record<string, string> | null, errors: FormErrors, status: number): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const { session, programme, people } = await this.registerRows(scope, id);
    const kept = new Map((await this.attendance.forSession(scope, id)).map((a) => [a.enrolment.id, a.status]));
    const { cohort } = await this.cohorts.getVisible(scope, session.cohort.id);
    const flash = takeFlash(request);
    const rows = people.map((person) => {
      const chosen = answered ? answered[person.id] : kept.get(person.id);
      return {
        idPrefix: `status-${person.id}`,
        name: nameOf(person),
        items: ATTENDANCE_STATUSES.map((value) => ({ value, text: ATTENDANCE_LABELS[value], checked: chosen === value })),
      };
    });
    return this.pages.render(request, reply, 'staff/register.njk', {
      title: `Register: ${session.title}`,
      area: 'staff',
      errors,
      flash,
      sessionId: session.id,
      when: sessionWhen(session),
      cancelled: session.status === 'cancelled',
      cohort: { id: cohort.id, name: cohort.name },
      programmeTitle: programme.title,
      rows,
    }, status);
  }

  private async cohortPage(request: WebRequest, reply: FastifyReply, id: string, query: Record<string, unknown>, errors: FormErrors, status: number): Promise<FastifyReply> {
    if (!isId(id)) throw NotFoundError.of('cohort');
    const scope = AccessScope.of(request.user!);
    const { cohort, programme, canManage, canOversee } = await this.cohorts.getVisible(scope, id);
    if (!canOversee) throw new ForbiddenError('Only staff of this programme’s system can see its cohort’s enrolments.');
    const filter = typeof query.status === 'string' && (ENROLMENT_STATUSES as readonly string[]).includes(query.status) ? (query.status as EnrolmentStatus) : undefined;
    const cursor = typeof query.cursor === 'string' && query.cursor.length <= 500 ? query.cursor : undefined;
    const page = await this.enrolments.listForCohort(scope, id, filter, { limit: PAGE_SIZE, cursor });
    const waiting = (await this.allOf(scope, id, 'waitlisted')).sort((a, b) => (a.waitlistPosition ?? 0) - (b.waitlistPosition ?? 0));
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) : '';
    const matches = canManage && q ? await this.queries.searchPeople(scope, q) : [];
    const sessions = await this.sessions.list(scope, id);
    const flash = takeFlash(request);
    const nextQuery = page.nextCursor ? new URLSearchParams({ ...(filter ? { status: filter } : {}), cursor: page.nextCursor }).toString() : null;
    return this.pages.render(request, reply, 'staff/cohort.njk', {
      title: cohort.name,
      area: 'staff',
      errors,
      flash,
      canManage,
      cohort: {
        id: cohort.id,
        status: cohort.status,
        dates: `${londonDate(cohort.startsAt)} to ${londonDate(cohort.endsAt)}`,
        capacity: cohort.capacity,
        taken: cohort.seatsTaken,
        left: Math.max(0, cohort.capacity - cohort.seatsTaken),
        waitlistEnabled: cohort.waitlistEnabled,
      },
      programmeTitle: programme.title,
      waiting: waiting.map((w) => ({ position: w.waitlistPosition, name: nameOf(w), since: formatLondon(w.createdAt) })),
      statusItems: [{ value: '', text: 'All statuses', selected: !filter }, ...STATUS_FILTER.map((s) => ({ ...s, selected: s.value === filter }))],
      statusFilter: filter ?? null,
      filterLabel: filter ? STATUS_FILTER.find((s) => s.value === filter)!.text : null,
      enrolments: page.items.map((e) => ({ id: e.id, name: nameOf(e), tag: statusTag(e), since: formatLondon(e.createdAt), pending: e.status === 'pending_approval', offerExpires: e.offerExpiresAt ? formatLondon(e.offerExpiresAt) : null })),
      nextHref: nextQuery ? `/staff/cohorts/${id}?${nextQuery}` : null,
      q,
      searched: Boolean(q),
      matches: matches.map((m) => ({ value: m.id, text: `${m.givenName} ${m.familyName}`, hint: { text: [m.email, m.organisationName].filter(Boolean).join(', ') } })),
      sessions: sessions.map((s) => ({ id: s.id, title: s.title, when: sessionWhen(s), cancelled: s.status === 'cancelled' })),
    }, status);
  }

  private rejectForm(request: WebRequest, reply: FastifyReply, cohortId: string, application: EnrolmentRecord, reason: string, errors: FormErrors, status: number): FastifyReply {
    return this.pages.render(request, reply, 'staff/reject.njk', { title: `Reject the application from ${nameOf(application)}`, area: 'staff', errors, cohortId, enrolmentId: application.id, reason }, status);
  }

  /** An enrolment of this cohort that the caller may see; one of another cohort (a changed URL) does not exist here. */
  private async enrolmentOf(scope: AccessScope, cohortId: string, enrolmentId: string): Promise<EnrolmentRecord> {
    if (!isId(cohortId) || !isId(enrolmentId)) throw NotFoundError.of('enrolment');
    const { canManage } = await this.cohorts.getVisible(scope, cohortId);
    if (!canManage) throw new ForbiddenError('Only programme leads and admins of this programme’s system can decide its applications.');
    const enrolment = await this.enrolments.get(scope, enrolmentId);
    if (enrolment.cohortId !== cohortId) throw NotFoundError.of('enrolment', enrolmentId);
    return enrolment;
  }

  private async canManage(scope: AccessScope, cohortId: string): Promise<boolean> {
    return isId(cohortId) && (await this.cohorts.getVisible(scope, cohortId).then((v) => v.canManage, () => false));
  }

  private async allOf(scope: AccessScope, cohortId: string, status: EnrolmentStatus): Promise<EnrolmentRecord[]> {
    const all: EnrolmentRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.enrolments.listForCohort(scope, cohortId, status, { limit: 200, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }
}

function nameOf(enrolment: Pick<EnrolmentRecord, 'person'>): string {
  return `${enrolment.person.givenName} ${enrolment.person.familyName}`;
}

function takeFlash(request: WebRequest): string | null {
  const flash = request.session.get('flash') ?? null;
  if (flash) request.session.set('flash', undefined);
  return flash;
}
