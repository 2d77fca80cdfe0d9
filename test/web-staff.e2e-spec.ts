import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Organisation, System } from '@slp/directory';
import { Cohort, EnrolmentService, Programme, Session } from '@slp/learning';
import { AccessScope, LONDON } from '@slp/platform';
import { NominationsService } from '@slp/talent';
import { account, AccountFixture, cohort, CohortOptions, organisation, programme, system } from './support/factories';
import { expectAccessible, launchBrowser, newContext, signInThroughPage, startTestWeb, TestWeb } from './support/test-web';

// A browser journey with an accessibility check on each page takes a few seconds per page.
jest.setTimeout(120_000);

describe('Portal: the staff workspace (what awaits you, a cohort, the register)', () => {
  let web: TestWeb;
  let browser: Browser;
  let ics: System;
  let otherIcs: System;
  let trust: Organisation;
  let otherTrust: Organisation;

  beforeAll(async () => {
    web = await startTestWeb();
    browser = await launchBrowser();
    const em = web.em();
    ics = await system(em);
    otherIcs = await system(em);
    trust = await organisation(em, ics);
    otherTrust = await organisation(em, otherIcs);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const participant = (org: Organisation = trust) => account(web.em(), { organisation: org });
  const leadOf = (inSystem: System) => account(web.em(), { roles: ['programme_lead'], systems: [inSystem] });
  const scopeOf = (fixture: AccountFixture) => AccessScope.of({ accountId: fixture.account.id, personId: fixture.person.id, roles: ['participant'], systemIds: [] });
  const nameOf = (fixture: AccountFixture) => `${fixture.person.givenName} ${fixture.person.familyName}`;

  /** A cohort of `inSystem`'s programme, with one session this week (London's week, as the page counts it). */
  async function offering(inSystem: System, options: CohortOptions = {}): Promise<{ programme: Programme; cohort: Cohort; session: Session }> {
    const em = web.em();
    const created = await programme(em, inSystem);
    const cohortRow = await cohort(em, created, options);
    const startsAt = DateTime.now().setZone(LONDON).startOf('week').plus({ days: 2, hours: 9 }).toJSDate();
    const session = em.create(Session, { cohort: cohortRow, title: `Workshop of ${cohortRow.name}`, kind: 'workshop', startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000), location: 'Preston', onlineUrl: null, status: 'scheduled', sequence: 0, createdAt: new Date(), updatedAt: new Date() });
    await em.flush();
    return { programme: created, cohort: cohortRow, session };
  }

  /** A lead places someone straight in (no email check, no window): for arranging seats. */
  async function seat(cohortId: string, org: Organisation = trust): Promise<AccountFixture> {
    const person = await participant(org);
    const em = web.em();
    await em.transactional((tx) => web.app.get(EnrolmentService).place(tx as EntityManager, { cohortId, personId: person.person.id, source: 'lead', access: 'trusted', preApproved: true, scope: null, actorAccountId: null }));
    return person;
  }

  async function apply(cohortId: string, org: Organisation = trust): Promise<AccountFixture> {
    const person = await participant(org);
    await web.inContext(() => web.app.get(EnrolmentService).enrolSelf(scopeOf(person), cohortId));
    return person;
  }

  async function statusOf(cohortId: string, personId: string): Promise<string | undefined> {
    const [row] = await web.em().execute<{ status: string }[]>(`select status from enrolment where cohort_id = ? and person_id = ? order by created_at desc limit 1`, [cohortId, personId]);
    return row?.status;
  }

  async function auditCount(action: string, objectId?: string): Promise<number> {
    const [row] = await web.em().execute<{ n: string }[]>(`select count(*) as n from audit_log where action = ?${objectId ? ' and object_id = ?' : ''}`, objectId ? [action, objectId] : [action]);
    return Number(row!.n);
  }

  async function signedIn(fixture: AccountFixture, javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, web, { javaScriptEnabled });
    const page = await context.newPage();
    await signInThroughPage(page, fixture);
    await page.waitForURL((url) => url.pathname === '/learning');
    return { context, page };
  }

  it('keeps /staff to programme leads, coaches and admins: a participant gets the 403 page and no Staff link', async () => {
    const { context, page } = await signedIn(await participant(), true);
    try {
      expect(await page.getByRole('link', { name: 'Staff', exact: true }).count()).toBe(0);
      const response = await page.goto('/staff');
      expect(response!.status()).toBe(403);
      await page.getByRole('heading', { level: 1, name: 'You do not have access to this page' }).waitFor();
      await expectAccessible(page);
      const { cohort: theirs } = await offering(ics);
      expect((await page.goto(`/staff/cohorts/${theirs.id}`))!.status()).toBe(403);
    } finally {
      await context.close();
    }
    const coach = await account(web.em(), { roles: ['coach'], systems: [ics] });
    const coached = await signedIn(coach, false);
    try {
      await coached.page.getByRole('link', { name: 'Staff', exact: true }).click();
      await coached.page.getByRole('heading', { level: 1, name: 'What awaits you' }).waitFor();
      // A coach oversees but does not decide: no applications or nominations to decide.
      expect(await coached.page.getByRole('heading', { name: 'Applications to decide' }).count()).toBe(0);
      await coached.page.getByRole('heading', { name: 'Sessions this week' }).waitFor();
      await expectAccessible(coached.page);
    } finally {
      await coached.context.close();
    }
  });

  for (const javaScriptEnabled of [true, false]) {
    describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
      let context: BrowserContext;
      let page: Page;
      let lead: AccountFixture;

      beforeEach(async () => {
        lead = await leadOf(ics);
        ({ context, page } = await signedIn(lead, javaScriptEnabled));
      });

      afterEach(async () => {
        await context?.close();
      });

      it('shows what awaits the lead in their systems only, and approves and rejects applications on the cohort page', async () => {
        const { cohort: selective, session } = await offering(ics, { requiresApproval: true, capacity: 5 });
        const first = await apply(selective.id);
        const second = await apply(selective.id);
        // Another system's application and session must not be counted or listed.
        const { cohort: elsewhere, session: elsewhereSession } = await offering(otherIcs, { requiresApproval: true });
        await apply(elsewhere.id, otherTrust);

        await page.getByRole('link', { name: 'Staff', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: 'What awaits you' }).waitFor();
        // The card counts every application in the lead's systems (earlier tests' too); the list says which cohort.
        const [pending] = await web.em().execute<{ n: string }[]>(`select count(*) as n from enrolment e join cohort c on c.id = e.cohort_id join programme p on p.id = c.programme_id where e.status = 'pending_approval' and p.system_id = ?`, [ics.id]);
        await page.getByText(`${pending!.n} applications`, { exact: true }).waitFor();
        await page.getByRole('listitem').filter({ has: page.getByRole('link', { name: selective.name }) }).getByText('2 applications').waitFor();
        expect(await page.getByText(elsewhere.name).count()).toBe(0);
        await page.getByRole('heading', { name: session.title }).waitFor();
        await page.getByRole('link', { name: `Take the register for ${session.title}` }).waitFor();
        expect(await page.getByText(elsewhereSession.title).count()).toBe(0);
        await expectAccessible(page);

        await page.getByRole('link', { name: selective.name }).first().click();
        await page.getByRole('heading', { level: 1, name: selective.name }).waitFor();
        expect(new URL(page.url()).searchParams.get('status')).toBe('pending_approval');
        await expectAccessible(page);
        const rowOf = (who: AccountFixture) => page.getByRole('row').filter({ hasText: nameOf(who) });
        await rowOf(first).getByRole('button', { name: /^Approve/ }).click();
        await page.getByText(`You approved ${nameOf(first)}: enrolled.`, { exact: false }).waitFor();
        expect(await statusOf(selective.id, first.person.id)).toBe('enrolled');
        await expectAccessible(page);

        await rowOf(second).getByRole('link', { name: /^Reject/ }).click();
        await page.getByRole('heading', { level: 1, name: `Reject the application from ${nameOf(second)}` }).waitFor();
        await expectAccessible(page);
        // No reason: the error summary, and the application still waits.
        await page.getByRole('button', { name: 'Reject application' }).click();
        await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
        await page.getByRole('link', { name: 'Enter the reason for rejecting the application' }).waitFor();
        expect(await page.title()).toMatch(/^Error: /);
        await expectAccessible(page);
        expect(await statusOf(selective.id, second.person.id)).toBe('pending_approval');
        await page.getByLabel('Reason for rejecting').fill('The cohort is for people who lead across organisations.');
        await page.getByRole('button', { name: 'Reject application' }).click();
        await page.getByText(`You rejected the application from ${nameOf(second)}.`, { exact: false }).waitFor();
        expect(await statusOf(selective.id, second.person.id)).toBe('rejected');
        const [ended] = await web.em().execute<{ end_reason: string }[]>(`select end_reason from enrolment where cohort_id = ? and person_id = ?`, [selective.id, second.person.id]);
        expect(ended!.end_reason).toBe('The cohort is for people who lead across organisations.');

        // The filter is a plain GET form.
        await page.getByLabel('Show').selectOption({ label: 'Enrolled' });
        await page.getByRole('button', { name: 'Apply filter' }).click();
        await page.waitForURL((url) => url.searchParams.get('status') === 'enrolled');
        await page.getByRole('cell', { name: nameOf(first) }).waitFor();
        expect(await page.getByRole('cell', { name: nameOf(second) }).count()).toBe(0);
        await page.getByText('Seats taken').waitFor();
        await expectAccessible(page);
      });

      it('shows the waiting list in order, enrols someone found by search, and keeps the register', async () => {
        const { cohort: small, session } = await offering(ics, { capacity: 2 });
        const seated = await seat(small.id);
        const alsoSeated = await apply(small.id);
        const nominee = await participant();
        // Fill the last seat through the page: search by email, choose, enrol.
        await page.goto(`/staff/cohorts/${small.id}`);
        await page.getByRole('heading', { level: 1, name: small.name }).waitFor();
        // alsoSeated took the second seat (no approval needed); arrange the queue after the enrol below.
        await page.getByLabel('Name or email address').fill(nominee.email);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('group', { name: 'Select the person to enrol' }).waitFor();
        await expectAccessible(page);
        // Choosing nobody: the error summary, nothing changes.
        await page.getByRole('button', { name: 'Enrol this person' }).click();
        await page.getByRole('link', { name: 'Select the person to enrol' }).waitFor();
        expect(await statusOf(small.id, nominee.person.id)).toBeUndefined();
        await expectAccessible(page);
        await page.getByLabel(nameOf(nominee)).check();
        await page.getByRole('button', { name: 'Enrol this person' }).click();
        await page.getByText(`${nameOf(nominee)} is on the waiting list (place 1).`).waitFor();
        expect(await statusOf(small.id, nominee.person.id)).toBe('waitlisted');
        const later = await apply(small.id);
        await page.reload();
        const waitingTable = page.getByRole('table', { name: 'Waiting list, first in line first' });
        const order = await waitingTable.getByRole('row').allInnerTexts();
        expect(order.slice(1).map((r) => r.split('\t').slice(0, 2).join(' '))).toEqual([`1 ${nameOf(nominee)}`, `2 ${nameOf(later)}`]);
        await expectAccessible(page);

        await page.getByRole('link', { name: `Take the register for ${session.title}` }).click();
        await page.getByRole('heading', { level: 1, name: `Register: ${session.title}` }).waitFor();
        await expectAccessible(page);
        // Each enrolled person is a fieldset named by them; the waiting list is not on it.
        await page.getByRole('group', { name: nameOf(seated) }).waitFor();
        await page.getByRole('group', { name: nameOf(alsoSeated) }).waitFor();
        expect(await page.getByRole('group', { name: nameOf(nominee) }).count()).toBe(0);
        // Nothing chosen: the error summary, nothing recorded.
        await page.getByRole('button', { name: 'Save register' }).click();
        await page.getByRole('link', { name: 'Choose Present, Absent or Apologies for at least one person' }).waitFor();
        await expectAccessible(page);
        expect(await auditCount('attendance.record', session.id)).toBe(0);
        await page.getByRole('group', { name: nameOf(seated) }).getByLabel('Present').check();
        await page.getByRole('group', { name: nameOf(alsoSeated) }).getByLabel('Apologies').check();
        await page.getByRole('button', { name: 'Save register' }).click();
        await page.getByText('Register saved: 2 people recorded.').waitFor();
        const rows = await web.em().execute<{ status: string; person_id: string }[]>(`select a.status, e.person_id from attendance a join enrolment e on e.id = a.enrolment_id where a.session_id = ?`, [session.id]);
        expect(Object.fromEntries(rows.map((r) => [r.person_id, r.status]))).toEqual({ [seated.person.id]: 'present', [alsoSeated.person.id]: 'apologies' });
        expect(await auditCount('attendance.record', session.id)).toBe(1);
        // The saved register shows what was kept; a correction replaces it.
        expect(await page.getByRole('group', { name: nameOf(seated) }).getByLabel('Present').isChecked()).toBe(true);
        await page.getByRole('group', { name: nameOf(seated) }).getByLabel('Absent').check();
        await page.getByRole('button', { name: 'Save register' }).click();
        await page.getByText('Register saved: 2 people recorded.').waitFor();
        const [corrected] = await web.em().execute<{ status: string }[]>(`select a.status from attendance a join enrolment e on e.id = a.enrolment_id where a.session_id = ? and e.person_id = ?`, [session.id, seated.person.id]);
        expect(corrected!.status).toBe('absent');
        await expectAccessible(page);
      });
    });
  }

  it('decides consented nominations: accepts one into its cohort, rejects another with a reason (none without one)', async () => {
    const lead = await leadOf(ics);
    const leadScope = AccessScope.of({ accountId: lead.account.id, personId: lead.person.id, roles: ['programme_lead'], systemIds: [ics.id] });
    const { cohort: target } = await offering(ics, { capacity: 5 });
    const consented: { fixture: AccountFixture; id: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const nominee = await participant();
      const { nomination } = await web.inContext(() => web.app.get(NominationsService).create(leadScope, { nominee: { personId: nominee.person.id }, cohortId: target.id, readiness: 'ready_now', performance: 3, potential: 2, rationale: `Leads the discharge work ${i}` }));
      await web.inContext(() => web.app.get(NominationsService).answer(scopeOf(nominee), nomination.id, 'consent'));
      consented.push({ fixture: nominee, id: nomination.id });
    }
    const [accepted, rejected] = consented as [(typeof consented)[0], (typeof consented)[0]];
    const nominationStatus = async (id: string) => (await web.em().execute<{ status: string }[]>(`select status from nomination where id = ?`, [id]))[0]!.status;
    const { context, page } = await signedIn(lead, true);
    try {
      await page.goto('/staff');
      await page.getByRole('link', { name: 'Decide nominations' }).click();
      await page.getByRole('heading', { level: 1, name: 'Nominations to decide' }).waitFor();
      await page.getByRole('heading', { name: nameOf(accepted.fixture) }).waitFor();
      await expectAccessible(page);
      await page.getByRole('button', { name: `Accept the nomination of ${nameOf(accepted.fixture)}` }).click();
      await page.getByText(`You accepted the nomination of ${nameOf(accepted.fixture)}.`, { exact: false }).waitFor();
      expect(await nominationStatus(accepted.id)).toBe('enrolled');
      expect(await statusOf(target.id, accepted.fixture.person.id)).toBe('enrolled');
      await expectAccessible(page);

      await page.getByRole('link', { name: `Reject the nomination of ${nameOf(rejected.fixture)}` }).click();
      await page.getByRole('button', { name: 'Reject nomination' }).click();
      await page.getByRole('link', { name: 'Enter the reason for rejecting the nomination' }).waitFor();
      await expectAccessible(page);
      expect(await nominationStatus(rejected.id)).toBe('consented');
      await page.getByLabel('Reason for rejecting').fill('The cohort is for people in their first year as a manager.');
      await page.getByRole('button', { name: 'Reject nomination' }).click();
      await page.getByText(`You rejected the nomination of ${nameOf(rejected.fixture)}.`, { exact: false }).waitFor();
      expect(await nominationStatus(rejected.id)).toBe('rejected');
      expect(await auditCount('nomination.reject', rejected.id)).toBe(1);
    } finally {
      await context.close();
    }
    // Another system's lead cannot see or decide them.
    const stranger = await leadOf(otherIcs);
    const other = await signedIn(stranger, true);
    try {
      await other.page.goto('/staff/nominations');
      expect(await other.page.getByText(nameOf(accepted.fixture)).count()).toBe(0);
      expect((await other.page.goto(`/staff/nominations/${rejected.id}/reject`))!.status()).toBe(404);
    } finally {
      await other.context.close();
    }
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`nominates someone in the lead's systems, and refuses an incomplete form without changing anything (${javaScriptEnabled ? 'with' : 'without'} JavaScript)`, async () => {
      const lead = await leadOf(ics);
      const { cohort: target } = await offering(ics);
      const nominee = await participant();
      const { context, page } = await signedIn(lead, javaScriptEnabled);
      const nominationsOf = async () => web.em().execute<{ status: string; readiness: string; performance: number; potential: number }[]>(`select status, readiness, performance, potential from nomination where nominee_id = ?`, [nominee.person.id]);
      try {
        await page.goto('/staff');
        await page.getByRole('link', { name: 'Nominate someone' }).click();
        await page.getByRole('heading', { level: 1, name: 'Nominate someone' }).waitFor();
        await expectAccessible(page);
        // Nothing filled in: every problem is in the summary, and no nomination exists.
        await page.getByRole('button', { name: 'Nominate' }).click();
        await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
        for (const message of ['Select the cohort you nominate them for', 'Choose how to find the person you nominate', 'Choose how ready they are', 'Enter why you nominate them']) await page.getByRole('link', { name: message }).waitFor();
        await expectAccessible(page);
        expect(await nominationsOf()).toEqual([]);

        await page.getByLabel('Cohort').selectOption({ value: target.id });
        await page.getByLabel('Someone in your systems').check();
        await page.getByLabel('Name or email address').fill(nominee.email);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('group', { name: 'Select the person to nominate' }).waitFor();
        await page.getByLabel(nameOf(nominee)).check();
        await page.getByLabel('Ready in 1 to 2 years').check();
        await page.getByLabel('Performance').selectOption('3');
        await page.getByLabel('Potential').selectOption('2');
        await page.getByLabel('Why do you nominate them?').fill('Runs the discharge hub across three trusts.');
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Nominate' }).click();
        await page.getByText('Nomination sent.', { exact: false }).waitFor();
        expect(await nominationsOf()).toEqual([{ status: 'awaiting_consent', readiness: 'ready_1_2_years', performance: 3, potential: 2 }]);
        expect(await auditCount('nomination.create')).toBeGreaterThan(0);
      } finally {
        await context.close();
      }
    });
  }

  it('shows a lead nothing of another system: its cohort, register and decisions are refused and nothing changes', async () => {
    const { cohort: theirs, session } = await offering(otherIcs, { requiresApproval: true });
    const applicant = await apply(theirs.id, otherTrust);
    const [enrolment] = await web.em().execute<{ id: string }[]>(`select id from enrolment where cohort_id = ?`, [theirs.id]);
    const lead = await leadOf(ics);
    const { context, page } = await signedIn(lead, true);
    try {
      const cohortPage = await page.goto(`/staff/cohorts/${theirs.id}`);
      expect([403, 404]).toContain(cohortPage!.status());
      await expectAccessible(page);
      expect(await page.content()).not.toContain(nameOf(applicant));
      const register = await page.goto(`/staff/sessions/${session.id}/register`);
      expect([403, 404]).toContain(register!.status());
      expect([403, 404]).toContain((await page.goto(`/staff/cohorts/${theirs.id}/enrolments/${enrolment!.id}/reject`))!.status());
      await page.goto('/staff');
      const token = await page.locator('input[name="_csrf"]').first().inputValue();
      const approve = await page.request.post(`/staff/cohorts/${theirs.id}/enrolments/${enrolment!.id}/approve`, { form: { _csrf: token } });
      expect([403, 404]).toContain(approve.status());
      const reject = await page.request.post(`/staff/cohorts/${theirs.id}/enrolments/${enrolment!.id}/reject`, { form: { _csrf: token, reason: 'no' } });
      expect([403, 404]).toContain(reject.status());
      const enrol = await page.request.post(`/staff/cohorts/${theirs.id}/enrol`, { form: { _csrf: token, personId: lead.person.id } });
      expect([403, 404]).toContain(enrol.status());
      expect(await statusOf(theirs.id, applicant.person.id)).toBe('pending_approval');
      expect(await statusOf(theirs.id, lead.person.id)).toBeUndefined();
      // An enrolment of their own cohort sent under another cohort's address does not exist there.
      const { cohort: mine } = await offering(ics);
      expect((await page.goto(`/staff/cohorts/${mine.id}/enrolments/${enrolment!.id}/reject`))!.status()).toBe(404);
    } finally {
      await context.close();
    }
  });
});
