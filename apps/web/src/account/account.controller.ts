import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataExportService } from '@slp/data-rights';
import { OrganisationsService } from '@slp/directory';
import { AccountsService, EqualityInput, EqualityService, Grade, GRADES, PeopleService, Person, STAFF_GROUPS, StaffGroup } from '@slp/identity';
import { NotificationPreferencesService } from '@slp/notifications';
import { AccessScope, Authenticated, ConflictError, formatLondon, InvalidInputError, NotFoundError } from '@slp/platform';
import { field, FormErrors } from '../http/form-errors';
import { PageRenderer, WebRequest } from '../http/page-renderer';
import { EQUALITY_QUESTIONS, GRADE_LABELS, STAFF_GROUP_LABELS } from './account-labels';

/** The details a person can change from /account, each on a page of its own. */
const CHANGEABLE = ['organisation', 'staff-group', 'grade', 'job-title'] as const;
type Changeable = (typeof CHANGEABLE)[number];

const CHANGE_TITLES: Readonly<Record<Changeable, string>> = {
  organisation: 'Change your organisation',
  'staff-group': 'Change your staff group',
  grade: 'Change your grade',
  'job-title': 'Change your job title',
};

/**
 * The signed-in person's own account: their details (employment facts changed here are proposals a
 * lead or admin confirms, as through the API), equality monitoring, reminder preferences and the
 * subject access download. Every change goes through the same services, with their audit.
 */
@Controller('account')
export class AccountController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly people: PeopleService,
    private readonly organisations: OrganisationsService,
    private readonly equality: EqualityService,
    private readonly preferences: NotificationPreferencesService,
    private readonly exports: DataExportService,
    private readonly pages: PageRenderer,
  ) {}

  @Authenticated()
  @Get()
  async show(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const account = await this.accounts.me(request.user!.accountId);
    const person = account.person;
    const flash = takeFlash(request);
    return this.pages.render(request, reply, 'account/show.njk', {
      area: 'account',
      title: 'Your account',
      flash,
      name: `${person.givenName} ${person.familyName}`,
      email: person.email,
      details: {
        organisation: person.organisation?.name ?? null,
        staffGroup: person.staffGroup ? STAFF_GROUP_LABELS[person.staffGroup] : null,
        grade: person.grade ? GRADE_LABELS[person.grade] : null,
        jobTitle: person.jobTitle ?? null,
      },
      pending: pendingView(person),
    });
  }

  @Authenticated()
  @Get('change/:detail')
  async change(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('detail') detail: string, @Query('organisationQuery') query: unknown): Promise<FastifyReply> {
    const which = changeable(detail);
    const person = (await this.accounts.me(request.user!.accountId)).person;
    const current = {
      organisation: person.pendingOrganisation?.id ?? person.organisation?.id ?? '',
      staffGroup: (person.employmentProposedAt ? person.pendingStaffGroup : person.staffGroup) ?? '',
      grade: (person.employmentProposedAt ? person.pendingGrade : person.grade) ?? '',
      jobTitle: person.jobTitle ?? '',
    };
    const organisationQuery = typeof query === 'string' ? query.trim().slice(0, 200) : '';
    return this.changePage(request, reply, which, { ...current, organisationQuery }, new FormErrors());
  }

  @Authenticated()
  @Post('change/:detail')
  async saveChange(@Req() request: WebRequest, @Res() reply: FastifyReply, @Param('detail') detail: string, @Body() body: unknown): Promise<FastifyReply> {
    const which = changeable(detail);
    const form = { organisation: field(body, 'organisationId'), organisationQuery: field(body, 'organisationQuery'), staffGroup: field(body, 'staffGroup'), grade: field(body, 'grade'), jobTitle: field(body, 'jobTitle') };
    const errors = new FormErrors();
    const scope = AccessScope.of(request.user!);
    let input: Parameters<PeopleService['update']>[2];
    if (which === 'organisation') {
      if (field(body, 'action') === 'search') {
        if (!form.organisationQuery) errors.add('organisationQuery', 'Enter the name or ODS code of your organisation');
        return this.changePage(request, reply, which, form, errors, errors.any ? 400 : 200);
      }
      const choices = form.organisationQuery ? await this.organisations.search(form.organisationQuery) : [];
      if (!choices.some((choice) => choice.id === form.organisation)) {
        errors.add(choices.length ? 'organisationId' : 'organisationQuery', choices.length ? 'Select your organisation' : 'Search for your organisation, then select it');
        return this.changePage(request, reply, which, form, errors, 400);
      }
      input = { organisationId: form.organisation };
    } else if (which === 'staff-group') {
      if (!(STAFF_GROUPS as readonly string[]).includes(form.staffGroup)) return this.changePage(request, reply, which, form, errors.add('staffGroup', 'Select your staff group'), 400);
      input = { staffGroup: form.staffGroup as StaffGroup };
    } else if (which === 'grade') {
      if (!(GRADES as readonly string[]).includes(form.grade)) return this.changePage(request, reply, which, form, errors.add('grade', 'Select your grade'), 400);
      input = { grade: form.grade as Grade };
    } else {
      if (form.jobTitle.length > 200) return this.changePage(request, reply, which, form, errors.add('jobTitle', 'Job title must be 200 characters or fewer'), 400);
      input = { jobTitle: form.jobTitle || null };
    }
    let person: Person;
    try {
      person = await this.people.update(scope, scope.personId, input);
    } catch (error) {
      if (error instanceof InvalidInputError) return this.changePage(request, reply, which, form, errors.add(which === 'organisation' ? 'organisationQuery' : fieldId(which), 'Search for your organisation again and select it'), 400);
      if (error instanceof ConflictError) return this.changePage(request, reply, which, form, errors.add(fieldId(which), error.message), 409);
      throw error;
    }
    const proposed = which !== 'job-title' && person.employmentProposedAt !== null && person.employmentProposedAt !== undefined;
    request.session.set('flash', proposed ? 'Your change has been sent to a programme lead or admin of your organisation to confirm. Until then your confirmed details stay as they are.' : 'Your details have been saved.');
    return reply.redirect('/account', 303);
  }

  @Authenticated()
  @Get('equality')
  async showEquality(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const record = await this.equality.own(AccessScope.of(request.user!));
    const values: Record<string, string> = {};
    for (const question of EQUALITY_QUESTIONS) values[question.name] = (record?.[question.name] as string | null | undefined) ?? '';
    return this.equalityPage(request, reply, values, Boolean(record), record ? formatLondon(record.consentedAt) : null, false, new FormErrors(), takeFlash(request));
  }

  @Authenticated()
  @Post('equality')
  async saveEquality(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const errors = new FormErrors();
    const values: Record<string, string> = {};
    const input: Record<string, string | null> = {};
    for (const question of EQUALITY_QUESTIONS) {
      const value = field(body, question.name);
      values[question.name] = value;
      if (value && !question.options.some(([option]) => option === value)) errors.add(question.name, `Select an answer from the list, or leave "${question.legend}" unanswered`);
      input[question.name] = value || null;
    }
    const consent = field(body, 'consent') === 'yes';
    if (!consent) errors.add('consent', 'Tick the box to agree to us keeping your equality information, or leave this page without saving');
    if (errors.any) {
      const record = await this.equality.own(scope);
      return this.equalityPage(request, reply, values, Boolean(record), record ? formatLondon(record.consentedAt) : null, consent, errors, null, 400);
    }
    await this.equality.put(scope, input as EqualityInput);
    request.session.set('flash', 'Your equality information has been saved. Thank you.');
    return reply.redirect('/account/equality', 303);
  }

  @Authenticated()
  @Get('equality/delete')
  async confirmDeleteEquality(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (!(await this.equality.own(AccessScope.of(request.user!)))) return reply.redirect('/account/equality', 303);
    return this.pages.render(request, reply, 'account/equality-delete.njk', { area: 'account',
      title: 'Are you sure you want to delete your equality information?' });
  }

  /** Withdraws consent: the record is deleted (the audit log says that it was, never what it held). */
  @Authenticated()
  @Post('equality/delete')
  async deleteEquality(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    await this.equality.remove(AccessScope.of(request.user!));
    request.session.set('flash', 'Your equality information has been deleted.');
    return reply.redirect('/account/equality', 303);
  }

  @Authenticated()
  @Get('notifications')
  async showNotifications(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const current = await this.preferences.get(request.user!.personId);
    return this.notificationsPage(request, reply, current.reminders ? 'on' : 'off', new FormErrors(), takeFlash(request));
  }

  @Authenticated()
  @Post('notifications')
  async saveNotifications(@Req() request: WebRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<FastifyReply> {
    const value = field(body, 'reminders');
    if (value !== 'on' && value !== 'off') return this.notificationsPage(request, reply, '', new FormErrors().add('reminders', 'Select whether you want session reminders'), null, 400);
    await this.preferences.put(AccessScope.of(request.user!), { reminders: value === 'on' });
    request.session.set('flash', value === 'on' ? 'You will get session reminders.' : 'You will no longer get session reminders.');
    return reply.redirect('/account/notifications', 303);
  }

  @Authenticated()
  @Get('data')
  data(@Req() request: WebRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.pages.render(request, reply, 'account/data.njk', { area: 'account',
      title: 'Download your data' });
  }

  /** The same ZIP as the API's /me/data-export, streamed (the export service audits it). */
  @Authenticated()
  @Get('data/download')
  async download(@Req() request: WebRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const scope = AccessScope.of(request.user!);
    const { fileName, stream } = await this.exports.export(scope, scope.personId);
    return reply.header('Content-Type', 'application/zip').header('Content-Disposition', `attachment; filename="${fileName}"`).send(stream);
  }

  private async changePage(request: WebRequest, reply: FastifyReply, which: Changeable, form: { organisation: string; organisationQuery: string; staffGroup: string; grade: string; jobTitle: string }, errors: FormErrors, status = 200): Promise<FastifyReply> {
    const found = which === 'organisation' && form.organisationQuery ? await this.organisations.search(form.organisationQuery) : [];
    return this.pages.render(request, reply, 'account/change.njk', {
      area: 'account',
      title: CHANGE_TITLES[which],
      errors,
      which,
      employment: which !== 'job-title',
      form,
      organisationChoices: found.map((o) => ({ value: o.id, text: o.name, hint: { text: `${o.odsCode}, ${o.system.name}` }, checked: o.id === form.organisation })),
      searched: Boolean(form.organisationQuery),
      staffGroupChoices: STAFF_GROUPS.map((value) => ({ value, text: STAFF_GROUP_LABELS[value], checked: value === form.staffGroup })),
      gradeChoices: [{ value: '', text: 'Select your grade' }, ...GRADES.map((value) => ({ value, text: GRADE_LABELS[value], selected: value === form.grade }))],
    }, status);
  }

  private equalityPage(request: WebRequest, reply: FastifyReply, values: Record<string, string>, recorded: boolean, consentedAt: string | null, consent: boolean, errors: FormErrors, flash: string | null, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'account/equality.njk', {
      area: 'account',
      title: 'Equality monitoring',
      errors,
      flash,
      recorded,
      consentedAt,
      consent: consent || recorded,
      questions: EQUALITY_QUESTIONS.map((question) => ({
        name: question.name,
        legend: question.legend,
        hint: question.hint,
        items: question.options.map(([value, text]) => ({ value, text, checked: values[question.name] === value })),
      })),
    }, status);
  }

  private notificationsPage(request: WebRequest, reply: FastifyReply, value: string, errors: FormErrors, flash: string | null, status = 200): FastifyReply {
    return this.pages.render(request, reply, 'account/notifications.njk', {
      area: 'account',
      title: 'Email reminders',
      errors,
      flash,
      items: [
        { value: 'on', text: 'Yes, remind me before each session', checked: value === 'on' },
        { value: 'off', text: 'No, do not send me session reminders', checked: value === 'off' },
      ],
    }, status);
  }
}

function changeable(detail: string): Changeable {
  if (!(CHANGEABLE as readonly string[]).includes(detail)) throw NotFoundError.of('page');
  return detail as Changeable;
}

function fieldId(which: Changeable): string {
  return { organisation: 'organisationQuery', 'staff-group': 'staffGroup', grade: 'grade', 'job-title': 'jobTitle' }[which];
}

function takeFlash(request: WebRequest): string | null {
  const flash = request.session.get('flash') ?? null;
  if (flash) request.session.set('flash', undefined);
  return flash;
}

/** An employment change the person proposed, waiting for a lead or admin: shown so they know it has not taken effect. */
function pendingView(person: Person): { organisation: string | null; staffGroup: string | null; grade: string | null; proposedAt: string } | null {
  if (!person.employmentProposedAt) return null;
  return {
    organisation: person.pendingOrganisation?.name ?? null,
    staffGroup: person.pendingStaffGroup ? STAFF_GROUP_LABELS[person.pendingStaffGroup] : null,
    grade: person.pendingGrade ? GRADE_LABELS[person.pendingGrade] : null,
    proposedAt: formatLondon(person.employmentProposedAt),
  };
}
