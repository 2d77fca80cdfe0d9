import type { EntityManager } from '@mikro-orm/postgresql';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Organisation, System } from '@slp/directory';
import { Cohort, EnrolmentService, Programme, Session } from '@slp/learning';
import { AccessScope, formatLondon } from '@slp/platform';
import { account, AccountFixture, cohort, CohortOptions, organisation, programme, system } from './support/factories';
import { expectAccessible, launchBrowser, newContext, signInThroughPage, startTestWeb, TestWeb } from './support/test-web';

// A browser journey with an accessibility check on each page takes a few seconds per page.
jest.setTimeout(90_000);

describe('Portal: finding a programme, enrolling and following your learning', () => {
  let web: TestWeb;
  let browser: Browser;
  let ics: System;
  let trust: Organisation;

  beforeAll(async () => {
    web = await startTestWeb();
    browser = await launchBrowser();
    const em = web.em();
    ics = await system(em);
    trust = await organisation(em, ics);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const participant = () => account(web.em(), { organisation: trust });
  const scopeOf = (fixture: AccountFixture) => AccessScope.of({ accountId: fixture.account.id, personId: fixture.person.id, roles: ['participant'], systemIds: [] });

  /** A programme of the participant's system with one cohort (and a session, unless it has none yet). */
  async function offering(options: CohortOptions & { programmeTitle?: string; level?: Programme['level']; eligibleStaffGroups?: Programme['eligibleStaffGroups'] } = {}): Promise<{ programme: Programme; cohort: Cohort; session: Session }> {
    const em = web.em();
    const created = await programme(em, ics, { title: options.programmeTitle, eligibleStaffGroups: options.eligibleStaffGroups });
    if (options.level) {
      created.level = options.level;
      await em.flush();
    }
    const cohortRow = await cohort(em, created, options);
    const startsAt = new Date(cohortRow.startsAt.getTime() + 9 * 3_600_000);
    const session = em.create(Session, { cohort: cohortRow, title: `Opening workshop of ${cohortRow.name}`, kind: 'workshop', startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000), location: 'Lancaster Town Hall', onlineUrl: null, status: 'scheduled', sequence: 0, createdAt: new Date(), updatedAt: new Date() });
    await em.flush();
    return { programme: created, cohort: cohortRow, session };
  }

  /** Someone else takes a seat (a lead enrolling them), so the cohort fills up. */
  async function seatSomeoneElse(cohortId: string): Promise<AccountFixture> {
    const other = await participant();
    const em = web.em();
    await em.transactional((tx) => web.app.get(EnrolmentService).place(tx as EntityManager, { cohortId, personId: other.person.id, source: 'lead', access: 'trusted', preApproved: true, scope: null, actorAccountId: null }));
    return other;
  }

  async function statusOf(cohortId: string, personId: string): Promise<string | undefined> {
    const [row] = await web.em().execute<{ status: string }[]>(`select status from enrolment where cohort_id = ? and person_id = ? order by created_at desc limit 1`, [cohortId, personId]);
    return row?.status;
  }

  for (const javaScriptEnabled of [true, false]) {
    describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
      let context: BrowserContext;
      let page: Page;
      let me: AccountFixture;

      beforeEach(async () => {
        context = await newContext(browser, web, { javaScriptEnabled });
        page = await context.newPage();
        me = await participant();
        await signInThroughPage(page, me);
        await page.waitForURL((url) => url.pathname === '/learning');
      });

      afterEach(async () => {
        await context.close();
      });

      it('finds a programme by level, enrols on a cohort and gets the session’s invitation from Your learning', async () => {
        const { programme: chosen, cohort: open, session } = await offering({ level: 'senior', capacity: 3 });
        const other = await offering({ level: 'foundations' });
        await page.getByRole('link', { name: 'Programmes' }).click();
        await page.waitForURL((url) => url.pathname === '/programmes');
        await expectAccessible(page);
        await page.getByLabel('Leadership level').selectOption({ label: 'Senior leadership' });
        await page.getByRole('button', { name: 'Apply filter' }).click();
        await page.waitForURL((url) => url.searchParams.get('level') === 'senior');
        await page.getByRole('link', { name: chosen.title }).waitFor();
        expect(await page.getByRole('link', { name: other.programme.title }).count()).toBe(0);
        await page.getByText('You are eligible').first().waitFor();
        await expectAccessible(page);

        await page.getByRole('link', { name: chosen.title }).click();
        await page.getByRole('heading', { level: 1, name: chosen.title }).waitFor();
        await page.getByText('3 places left').waitFor();
        await expectAccessible(page);
        await page.getByRole('link', { name: open.name }).click();
        await page.getByRole('heading', { level: 1, name: open.name }).waitFor();
        await page.getByText(session.title).waitFor();
        await expectAccessible(page);
        expect(await page.getByRole('button', { name: 'Apply' }).count()).toBe(0);
        await page.getByRole('button', { name: 'Enrol' }).click();

        await page.getByRole('heading', { level: 1, name: 'You are enrolled' }).waitFor();
        expect(await page.title()).toBe('You are enrolled – System Leadership Platform');
        await expectAccessible(page);
        expect(await statusOf(open.id, me.person.id)).toBe('enrolled');
        // Reloading the result page (post, redirect, get) enrols nobody twice.
        await page.reload();
        const [{ n }] = await web.em().execute<{ n: string }[]>(`select count(*) as n from enrolment where cohort_id = ?`, [open.id]);
        expect(Number(n)).toBe(1);

        await page.getByRole('link', { name: 'your learning', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: 'Your learning' }).waitFor();
        await page.getByText('Enrolled', { exact: true }).waitFor();
        await page.getByText(session.title, { exact: true }).waitFor();
        await expectAccessible(page);
        const calendarLink = page.getByRole('link', { name: 'Add to calendar' });
        const ics = await page.request.get((await calendarLink.getAttribute('href'))!);
        expect(ics.headers()['content-type']).toBe('text/calendar; charset=utf-8');
        const text = await ics.text();
        expect(text).toContain('BEGIN:VCALENDAR');
        expect(text).toContain(`SUMMARY:${session.title}`.slice(0, 60));
      });

      it('applies where approval is needed and joins the waiting list of a full cohort, with the place in the queue', async () => {
        const { cohort: selective } = await offering({ requiresApproval: true });
        const { cohort: full } = await offering({ capacity: 1 });
        await seatSomeoneElse(full.id);

        await page.goto(`/cohorts/${selective.id}`);
        expect(await page.getByRole('button', { name: 'Enrol' }).count()).toBe(0);
        await page.getByRole('button', { name: 'Apply' }).click();
        await page.getByRole('heading', { level: 1, name: 'Application sent' }).waitFor();
        await expectAccessible(page);
        expect(await statusOf(selective.id, me.person.id)).toBe('pending_approval');

        await page.goto(`/programmes/${full.programme.id}`);
        await page.getByText('Full – waiting list open').waitFor();
        await page.goto(`/cohorts/${full.id}`);
        await page.getByRole('button', { name: 'Join the waiting list' }).click();
        await page.getByRole('heading', { level: 1, name: 'You are on the waiting list' }).waitFor();
        await page.getByText('Your place in the queue: 1').waitFor();
        await expectAccessible(page);

        await page.goto('/learning');
        await page.getByText('Application sent', { exact: true }).waitFor();
        await page.getByText('Waiting list – 1', { exact: true }).waitFor();
        await expectAccessible(page);
      });

      it('gives the reason instead of a button when the person cannot join', async () => {
        const { programme: medical, cohort: forDoctors } = await offering({ eligibleStaffGroups: ['medical_dental'] });
        await page.goto('/programmes');
        const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: medical.title }) });
        await card.getByText('Not eligible').waitFor();
        await card.getByText('add your staff group to your profile first').waitFor();
        await page.goto(`/cohorts/${forDoctors.id}`);
        await page.getByText('You cannot join this cohort.').waitFor();
        expect(await page.getByRole('button', { name: /Enrol|Apply|Join the waiting list/ }).count()).toBe(0);
        await expectAccessible(page);
        // Posting anyway (an old page, a crafted request) is refused by the service and changes nothing.
        const token = await page.locator('input[name="_csrf"]').first().inputValue();
        const refused = await page.request.post(`/cohorts/${forDoctors.id}/enrol`, { form: { _csrf: token } });
        expect(refused.status()).toBe(409);
        expect(await statusOf(forDoctors.id, me.person.id)).toBeUndefined();
      });

      it('answers offers of a place before their deadline, shown in UK time: accepts one and declines another', async () => {
        const offers: { cohort: Cohort; expiresAt: Date }[] = [];
        for (let i = 0; i < 2; i++) {
          const { cohort: popular } = await offering({ capacity: 1, offerWindowHours: 48 });
          const holder = await seatSomeoneElse(popular.id);
          await web.inContext(() => web.app.get(EnrolmentService).enrolSelf(scopeOf(me), popular.id));
          const [held] = await web.em().execute<{ id: string }[]>(`select id from enrolment where cohort_id = ? and person_id = ?`, [popular.id, holder.person.id]);
          await web.inContext(() => web.app.get(EnrolmentService).withdraw(scopeOf(holder), held!.id));
          const [offer] = await web.em().execute<{ offer_expires_at: Date }[]>(`select offer_expires_at from enrolment where cohort_id = ? and person_id = ? and status = 'offered'`, [popular.id, me.person.id]);
          offers.push({ cohort: popular, expiresAt: new Date(offer!.offer_expires_at) });
        }
        await page.goto('/learning');
        await page.getByRole('heading', { name: 'Places offered to you' }).waitFor();
        const cardOf = (c: Cohort) => page.locator('.nhsuk-card').filter({ has: page.getByRole('link', { name: c.name }) });
        for (const offer of offers) await cardOf(offer.cohort).getByText(`Reply by ${formatLondon(offer.expiresAt)}`).waitFor();
        expect(await page.getByText('Place offered', { exact: true }).count()).toBe(2);
        await expectAccessible(page);

        const [first, second] = offers as [(typeof offers)[0], (typeof offers)[0]];
        await cardOf(first.cohort).getByRole('button', { name: 'Accept place' }).click();
        await page.getByText(`You have accepted your place on ${first.cohort.name}.`).waitFor();
        await expectAccessible(page);
        expect(await statusOf(first.cohort.id, me.person.id)).toBe('enrolled');
        await cardOf(second.cohort).getByRole('button', { name: 'Decline place' }).click();
        await page.getByText(`You have declined the place on ${second.cohort.name}.`).waitFor();
        expect(await statusOf(second.cohort.id, me.person.id)).toBe('declined');
        expect(await page.getByText('Place offered', { exact: true }).count()).toBe(0);
      });

      it('withdraws only after confirming on a page of its own', async () => {
        const { cohort: joined } = await offering();
        await web.inContext(() => web.app.get(EnrolmentService).enrolSelf(scopeOf(me), joined.id));
        await page.goto('/learning');
        await page.getByRole('link', { name: `Withdraw from ${joined.name}` }).click();
        await page.getByRole('heading', { level: 1, name: `Are you sure you want to withdraw from ${joined.name}?` }).waitFor();
        await expectAccessible(page);
        expect(await statusOf(joined.id, me.person.id)).toBe('enrolled');
        await page.getByRole('button', { name: 'Withdraw from this cohort' }).click();
        await page.waitForURL((url) => url.pathname === '/learning');
        await page.getByText(`You have withdrawn from ${joined.name}.`).waitFor();
        await page.getByText('Withdrawn', { exact: true }).waitFor();
        await expectAccessible(page);
        expect(await statusOf(joined.id, me.person.id)).toBe('withdrawn');
      });
    });
  }

  it('can be completed with the keyboard alone: from Programmes to enrolled', async () => {
    const { programme: chosen, cohort: open } = await offering();
    const context = await newContext(browser, web);
    const page = await context.newPage();
    const me = await participant();
    await page.goto('/sign-in');
    // Runs in the page: the focused element's accessible-ish name (aria-label, text, or id for an input).
    const focused = () => page.evaluate('(() => { const e = document.activeElement; return ((e && (e.getAttribute("aria-label") || e.innerText || e.id)) || "").trim(); })()') as Promise<string>;
    /** Presses Tab until the focused element's text is `name` (as a keyboard user moves through a page). */
    const tabTo = async (name: string | RegExp) => {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const text = await focused();
        if (typeof name === 'string' ? text === name : name.test(text)) return;
      }
      throw new Error(`Tabbing never reached ${String(name)}`);
    };
    await tabTo('email');
    await page.keyboard.type(me.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(me.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/learning');
    await tabTo('Programmes');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/programmes');
    await tabTo(chosen.title);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === `/programmes/${chosen.id}`);
    await tabTo(open.name);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === `/cohorts/${open.id}`);
    await tabTo('Enrol');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'You are enrolled' }).waitFor();
    expect(await statusOf(open.id, me.person.id)).toBe('enrolled');
    await context.close();
  });

  it('shows a cohort only to whom it is open, or who is enrolled in it: a draft or another system’s cohort is a page that does not exist', async () => {
    const em = web.em();
    const elsewhere = await system(em);
    const draft = await cohort(em, await programme(em, ics), { status: 'draft' });
    const theirs = await cohort(em, await programme(em, elsewhere));
    const placedThere = await cohort(em, await programme(em, elsewhere), { name: `Placed cohort ${Date.now()}` });
    const context = await newContext(browser, web);
    const page = await context.newPage();
    const me = await participant();
    await em.transactional((tx) => web.app.get(EnrolmentService).place(tx as EntityManager, { cohortId: placedThere.id, personId: me.person.id, source: 'lead', access: 'trusted', preApproved: true, scope: null, actorAccountId: null }));
    await signInThroughPage(page, me);
    await page.waitForURL((url) => url.pathname === '/learning');
    expect((await page.goto(`/cohorts/${draft.id}`))!.status()).toBe(404);
    expect((await page.goto(`/cohorts/${theirs.id}`))!.status()).toBe(404);
    expect((await page.goto('/cohorts/01900000-0000-7000-8000-000000000000'))!.status()).toBe(404);
    expect((await page.goto(`/cohorts/${placedThere.id}`))!.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: placedThere.name }).waitFor();
    await page.getByText('Enrolled', { exact: true }).first().waitFor();
    await context.close();
  });
});
