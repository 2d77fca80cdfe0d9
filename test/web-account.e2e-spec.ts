import type { Browser, BrowserContext, Page } from 'playwright-core';
import { NotificationPreferencesService } from '@slp/notifications';
import { account, AccountFixture, organisation, system } from './support/factories';
import { readZip } from './support/zip-reader';
import { expectAccessible, launchBrowser, newContext, signInThroughPage, startTestWeb, TestWeb } from './support/test-web';

describe('Portal: your account, equality monitoring, reminders, unsubscribing and downloading your data', () => {
  let web: TestWeb;
  let browser: Browser;

  beforeAll(async () => {
    web = await startTestWeb();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const person = async (): Promise<AccountFixture> => {
    const em = web.em();
    return account(em, { organisation: await organisation(em, await system(em)) });
  };

  const row = async <T extends object>(sql: string, params: unknown[]): Promise<T | undefined> => (await web.em().execute<T[]>(sql, params))[0];

  const remindersOf = async (personId: string): Promise<boolean | null> => (await row<{ reminders_enabled: boolean }>(`select reminders_enabled from notification_preference where person_id = ?`, [personId]))?.reminders_enabled ?? null;

  for (const javaScriptEnabled of [true, false]) {
    describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
      let context: BrowserContext;
      let page: Page;

      beforeEach(async () => {
        context = await newContext(browser, web, { javaScriptEnabled });
        page = await context.newPage();
      });

      afterEach(async () => {
        await context.close();
      });

      it('shows personal details, saves a job title, and sends employment changes for confirmation', async () => {
        const me = await person();
        await signInThroughPage(page, me, '/sign-in?returnTo=%2Faccount');
        await page.waitForURL((url) => url.pathname === '/account');
        expect(await page.title()).toBe('Your account – System Leadership Platform');
        await page.getByText(me.email).waitFor();
        await expectAccessible(page);

        await page.getByRole('link', { name: 'Change job title' }).click();
        await page.getByLabel('Job title').fill('Ward manager');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        await page.getByText('Your details have been saved.').waitFor();
        expect(await row(`select job_title from person where id = ?`, [me.person.id])).toEqual({ job_title: 'Ward manager' });

        // Nothing chosen: the error, and nothing changes.
        await page.getByRole('link', { name: 'Change grade' }).click();
        expect(await page.title()).toBe('Change your grade – System Leadership Platform');
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Save' }).click();
        expect(await page.title()).toBe('Error: Change your grade – System Leadership Platform');
        expect(await page.getByRole('alert').getByRole('link', { name: 'Select your grade' }).getAttribute('href')).toBe('#grade');
        await expectAccessible(page);
        expect(await row(`select grade, pending_grade, employment_proposed_at from person where id = ?`, [me.person.id])).toEqual({ grade: null, pending_grade: null, employment_proposed_at: null });

        await page.getByLabel('Grade').selectOption({ label: 'Band 7' });
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        await page.getByText('Your change has been sent to a programme lead or admin of your organisation to confirm.').waitFor();
        await page.getByRole('heading', { name: 'Changes waiting to be confirmed' }).waitFor();
        await expectAccessible(page);
        // A proposal: the confirmed grade stays as it was until a lead or admin confirms.
        expect(await row(`select grade, pending_grade from person where id = ?`, [me.person.id])).toEqual({ grade: null, pending_grade: 'band_7' });

        await page.getByRole('link', { name: 'Change staff group' }).click();
        await page.getByLabel('Nursing and midwifery registered').check();
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        expect(await row(`select staff_group, pending_staff_group, pending_grade from person where id = ?`, [me.person.id])).toEqual({ staff_group: null, pending_staff_group: 'nursing_midwifery_registered', pending_grade: 'band_7' });

        // A different organisation, found by a search that works without JavaScript, is a proposal too.
        const em = web.em();
        const other = await organisation(em, await system(em));
        await page.getByRole('link', { name: 'Change organisation' }).click();
        await page.getByLabel('Organisation', { exact: true }).fill(other.odsCode);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('radio', { name: other.name }).check();
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL((url) => url.pathname === '/account');
        expect(await row(`select pending_organisation_id from person where id = ?`, [me.person.id])).toEqual({ pending_organisation_id: other.id });
        const [{ n }] = await web.em().execute<{ n: string }[]>(`select count(*) as n from audit_log where object_id = ? and action = 'person.employment.propose'`, [me.person.id]);
        expect(Number(n)).toBe(3);
      }, 90_000);

      it('explains equality monitoring, needs consent, takes "Prefer not to say", and deletes it on request', async () => {
        const me = await person();
        await signInThroughPage(page, me, '/sign-in?returnTo=%2Faccount%2Fequality');
        await page.waitForURL((url) => url.pathname === '/account/equality');
        await page.getByRole('heading', { name: 'Why we ask' }).waitFor();
        await expectAccessible(page);

        await page.getByRole('group', { name: 'What is your ethnic group?' }).getByLabel('White: Irish').check();
        await page.getByRole('group', { name: 'What is your sex?' }).getByLabel('Prefer not to say').check();
        await page.getByRole('button', { name: 'Save equality information' }).click();
        expect(await page.title()).toBe('Error: Equality monitoring – System Leadership Platform');
        await page.getByRole('alert').getByRole('link', { name: /Tick the box to agree/ }).waitFor();
        await expectAccessible(page);
        expect(await row(`select 1 as found from equality_monitoring where person_id = ?`, [me.person.id])).toBeUndefined();
        // What was chosen is still chosen.
        expect(await page.getByRole('group', { name: 'What is your ethnic group?' }).getByLabel('White: Irish').isChecked()).toBe(true);

        await page.getByLabel(/I agree to the System Leadership Platform keeping this information/).check();
        await page.getByRole('button', { name: 'Save equality information' }).click();
        await page.waitForURL((url) => url.pathname === '/account/equality');
        await page.getByText('Your equality information has been saved. Thank you.').waitFor();
        await expectAccessible(page);
        expect(await row(`select ethnicity, sex, disability from equality_monitoring where person_id = ?`, [me.person.id])).toEqual({ ethnicity: 'B', sex: 'prefer_not_to_say', disability: null });

        await page.getByRole('link', { name: 'Delete my equality information' }).click();
        await page.getByRole('heading', { level: 1, name: 'Are you sure you want to delete your equality information?' }).waitFor();
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Delete my equality information' }).click();
        await page.getByText('Your equality information has been deleted.').waitFor();
        expect(await row(`select 1 as found from equality_monitoring where person_id = ?`, [me.person.id])).toBeUndefined();
        const actions = await web.em().execute<{ action: string; details: unknown }[]>(`select action, details from audit_log where object_id = ? and action like 'equality_monitoring.%' order by at, id`, [me.person.id]);
        expect(actions.map((a) => a.action)).toEqual(['equality_monitoring.put', 'equality_monitoring.delete']);
      }, 90_000);

      it('switches reminders off and on, and unsubscribes from the emailed link', async () => {
        const me = await person();
        await signInThroughPage(page, me, '/sign-in?returnTo=%2Faccount%2Fnotifications');
        await page.waitForURL((url) => url.pathname === '/account/notifications');
        expect(await page.getByLabel('Yes, remind me before each session').isChecked()).toBe(true);
        await expectAccessible(page);
        await page.getByLabel('No, do not send me session reminders').check();
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByText('You will no longer get session reminders.').waitFor();
        expect(await remindersOf(me.person.id)).toBe(false);
        await page.getByLabel('Yes, remind me before each session').check();
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByText('You will get session reminders.').waitFor();
        expect(await remindersOf(me.person.id)).toBe(true);

        const link = web.app.get(NotificationPreferencesService).unsubscribeUrl(me.person.id);
        expect(link.startsWith(web.url('/unsubscribe?token='))).toBe(true);
        await page.goto(link);
        expect(await page.title()).toBe('Stop session reminders – System Leadership Platform');
        await page.getByText('You will stop getting the reminder emails').waitFor();
        await expectAccessible(page);
        // Opening the link changed nothing.
        expect(await remindersOf(me.person.id)).toBe(true);
        await page.getByRole('button', { name: 'Unsubscribe' }).click();
        await page.getByRole('heading', { level: 1, name: 'You have stopped session reminders' }).waitFor();
        await expectAccessible(page);
        expect(await remindersOf(me.person.id)).toBe(false);
      }, 60_000);

      it('downloads the same ZIP as the API’s data export', async () => {
        const me = await person();
        await signInThroughPage(page, me, '/sign-in?returnTo=%2Faccount%2Fdata');
        await page.waitForURL((url) => url.pathname === '/account/data');
        expect(await page.title()).toBe('Download your data – System Leadership Platform');
        await expectAccessible(page);
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download your data' }).click()]);
        expect(download.suggestedFilename()).toMatch(/\.zip$/);
        const chunks: Buffer[] = [];
        for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
        const zip = Buffer.concat(chunks);
        const files = await readZip(zip);
        expect(files.has('README.txt')).toBe(true);
        // The account area holds the person's own record: this is their export, not anyone else's.
        expect([...files.values()].some((text) => text.includes(me.email))).toBe(true);
        const [{ n }] = await web.em().execute<{ n: string }[]>(`select count(*) as n from audit_log where object_id = ? and action = 'person.data_export'`, [me.person.id]);
        expect(Number(n)).toBeGreaterThan(0);
      }, 60_000);
    });
  }

  it('refuses account changes posted without a CSRF token, or with a wrong one, and changes nothing', async () => {
    const me = await person();
    const context = await newContext(browser, web);
    const page = await context.newPage();
    await signInThroughPage(page, me, '/sign-in?returnTo=%2Faccount');
    await page.waitForURL((url) => url.pathname === '/account');
    for (const csrf of [{}, { _csrf: 'forged-token' }] as Record<string, string>[]) {
      expect((await page.request.post('/account/change/job-title', { form: { jobTitle: 'Forged', ...csrf }, maxRedirects: 0 })).status()).toBe(403);
      expect((await page.request.post('/account/equality', { form: { consent: 'yes', sex: 'male', ...csrf }, maxRedirects: 0 })).status()).toBe(403);
      expect((await page.request.post('/account/notifications', { form: { reminders: 'off', ...csrf }, maxRedirects: 0 })).status()).toBe(403);
    }
    expect(await row(`select job_title from person where id = ?`, [me.person.id])).toEqual({ job_title: null });
    expect(await row(`select 1 as found from equality_monitoring where person_id = ?`, [me.person.id])).toBeUndefined();
    expect(await remindersOf(me.person.id)).toBeNull();
    await context.close();
  });

  it('keeps RFC 8058 one-click unsubscribe working without a cookie, and refuses a forged link', async () => {
    const me = await person();
    const link = web.app.get(NotificationPreferencesService).unsubscribeUrl(me.person.id);
    const oneClick = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(204);
    expect(await remindersOf(me.person.id)).toBe(false);

    const other = await person();
    const forged = web.url(`/unsubscribe?token=${other.person.id}.forged-signature-value`);
    expect((await fetch(forged, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(400);
    // Without the one-click body it is an ordinary form post, and needs its CSRF token.
    expect((await fetch(web.url(`/unsubscribe?token=${encodeURIComponent(web.app.get(NotificationPreferencesService).unsubscribeToken(other.person.id))}`), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(403);
    expect(await remindersOf(other.person.id)).toBeNull();

    const context = await newContext(browser, web);
    const page = await context.newPage();
    const response = await page.goto(forged);
    expect(response!.status()).toBe(400);
    await page.getByRole('heading', { level: 1, name: 'This link is not valid' }).waitFor();
    await expectAccessible(page);
    await context.close();
  });
});
