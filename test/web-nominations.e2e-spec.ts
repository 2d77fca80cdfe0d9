import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Organisation } from '@slp/directory';
import { AccessScope } from '@slp/platform';
import { NominationsService } from '@slp/talent';
import { account, AccountFixture, organisation, programme, system, TEST_PASSWORD } from './support/factories';
import { expectAccessible, launchBrowser, newContext, signInThroughPage, startTestWeb, TestWeb } from './support/test-web';

describe('Portal: answering a nomination, and the nominee’s invitation', () => {
  let web: TestWeb;
  let browser: Browser;
  let lead: AccountFixture;
  let programmeTitle: string;
  let programmeId: string;
  let organisationId: string;
  let organisationName: string;

  beforeAll(async () => {
    web = await startTestWeb();
    browser = await launchBrowser();
    const em = web.em();
    const ics = await system(em);
    const trust = await organisation(em, ics);
    organisationId = trust.id;
    organisationName = trust.name;
    const offered = await programme(em, ics);
    programmeTitle = offered.title;
    programmeId = offered.id;
    lead = await account(em, { roles: ['programme_lead'], systems: [ics], organisation: trust });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const nominate = async (nominee: { personId: string } | { email: string }, rationale = 'Led the winter discharge work across three wards.'): Promise<{ id: string; token: string }> => {
    const scope = AccessScope.of({ accountId: lead.account.id, personId: lead.person.id, roles: ['programme_lead'], systemIds: lead.account.systemIds });
    const input = 'personId' in nominee ? nominee : { email: nominee.email, givenName: 'Nia', familyName: 'Nominee', organisationId };
    const { nomination } = await web.inContext(() => web.app.get(NominationsService).create(scope, { nominee: input, programmeId, readiness: 'ready_now', performance: 3, potential: 3, rationale }));
    const [row] = await web.em().execute<{ token: string }[]>(`select data->>'consentToken' as token from notification where subject_id = ? and kind = 'nomination_consent_request'`, [nomination.id]);
    return { id: nomination.id, token: row!.token };
  };

  /** Someone working for the programme's system's trust, with an account. */
  const employee = (): Promise<AccountFixture> => {
    const em = web.em();
    return account(em, { organisation: em.getReference(Organisation, organisationId) });
  };

  const statusOf = async (id: string): Promise<string> => {
    const [row] = await web.em().execute<{ status: string }[]>(`select status from nomination where id = ?`, [id]);
    return row!.status;
  };

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

      it('lets a nominee without an account answer from the emailed link, then set a password from the invitation and see the nomination', async () => {
        const email = `nominee.${Date.now()}.${javaScriptEnabled ? 'js' : 'nojs'}@nhs.example`;
        const { id, token } = await nominate({ email });
        const [link] = await web.em().execute<{ url: string }[]>(`select data->>'consentUrl' as url from notification where subject_id = ? and kind = 'nomination_consent_request'`, [id]);
        expect(link!.url).toBe(web.url(`/nominations/respond?token=${encodeURIComponent(token)}`));

        await page.goto(link!.url);
        expect(await page.title()).toBe('You have been nominated – System Leadership Platform');
        await page.getByText(`Programme: ${programmeTitle}`).waitFor();
        await page.getByText('Led the winter discharge work across three wards.').waitFor();
        await page.getByRole('link', { name: lead.email }).waitFor();
        await expectAccessible(page);

        // No answer chosen: the error, and nothing changes.
        await page.getByRole('button', { name: 'Send answer' }).click();
        expect(await page.title()).toBe('Error: You have been nominated – System Leadership Platform');
        expect(await page.getByRole('alert').getByRole('link', { name: 'Select whether you want to be considered' }).getAttribute('href')).toBe('#decision');
        await expectAccessible(page);
        expect(await statusOf(id)).toBe('awaiting_consent');

        await page.getByRole('group', { name: 'Do you want to be considered?' }).getByLabel('Yes, I agree to be considered').check();
        await page.getByRole('button', { name: 'Send answer' }).click();
        await page.getByRole('heading', { level: 1, name: 'Thank you: you have agreed to be considered' }).waitFor();
        await page.getByText('We have emailed you a link to set a password').waitFor();
        await expectAccessible(page);
        expect(await statusOf(id)).toBe('consented');

        // The same link again: used, with whom to ask.
        const again = await page.goto(link!.url);
        expect(again!.status()).toBe(410);
        await page.getByRole('heading', { level: 1, name: 'This link has been used or has expired' }).waitFor();
        await page.getByText('has already been used').waitFor();
        await page.getByRole('link', { name: lead.email }).waitFor();
        await expectAccessible(page);
        // A link we never sent names nobody.
        const unknown = await page.goto(`/nominations/respond?token=${'x'.repeat(43)}`);
        expect(unknown!.status()).toBe(404);
        expect(await page.getByRole('link', { name: lead.email }).count()).toBe(0);

        // The invitation email's link.
        const [invitation] = await web.em().execute<{ url: string }[]>(`select n.data->>'acceptUrl' as url from notification n join person p on p.id = n.recipient_person_id where p.email = ? and n.kind = 'account_invitation'`, [email]);
        expect(invitation!.url.startsWith(web.url('/invitation?token='))).toBe(true);
        await page.goto(invitation!.url);
        expect(await page.title()).toBe('Set up your account – System Leadership Platform');
        await expectAccessible(page);
        await page.getByLabel('Create a password').fill('a long enough password');
        await page.getByLabel('Confirm your password').fill('a different password');
        await page.getByRole('button', { name: 'Set up account' }).click();
        expect(await page.title()).toBe('Error: Set up your account – System Leadership Platform');
        await page.getByRole('alert').getByRole('link', { name: 'Enter the same password twice' }).waitFor();
        await expectAccessible(page);
        const [{ n: none }] = await web.em().execute<{ n: string }[]>(`select count(*) as n from account a join person p on p.id = a.person_id where p.email = ?`, [email]);
        expect(Number(none)).toBe(0);
        await page.getByLabel('Create a password').fill('a long enough password');
        await page.getByLabel('Confirm your password').fill('a long enough password');
        await page.getByRole('button', { name: 'Set up account' }).click();
        await page.getByRole('heading', { level: 1, name: 'Your account is ready' }).waitFor();
        await expectAccessible(page);

        // A second use of the invitation link is refused.
        await page.goto(invitation!.url);
        await page.getByLabel('Create a password').fill('another long password');
        await page.getByLabel('Confirm your password').fill('another long password');
        await page.getByRole('button', { name: 'Set up account' }).click();
        await page.getByRole('heading', { level: 1, name: 'This link has been used or has expired' }).waitFor();

        await signInThroughPage(page, { email, password: 'a long enough password' }, '/sign-in?returnTo=%2Fnominations');
        await page.waitForURL((url) => url.pathname === '/nominations');
        await page.getByRole('heading', { level: 1, name: 'Your nominations' }).waitFor();
        await page.getByRole('link', { name: `Programme: ${programmeTitle}` }).click();
        await page.getByRole('heading', { level: 1, name: 'Your nomination' }).waitFor();
        await page.getByText('You agreed').waitFor();
        await expectAccessible(page);
      }, 120_000);

      it('says when the link has expired, and whom to ask', async () => {
        const nominee = await employee();
        const { id, token } = await nominate({ personId: nominee.person.id });
        await web.em().execute(`update nomination set consent_token_expires_at = now() - interval '1 minute' where id = ?`, [id]);
        const response = await page.goto(`/nominations/respond?token=${encodeURIComponent(token)}`);
        expect(response!.status()).toBe(410);
        await page.getByRole('heading', { level: 1, name: 'This link has been used or has expired' }).waitFor();
        await page.getByRole('link', { name: lead.email }).waitFor();
        await expectAccessible(page);
        expect(await statusOf(id)).toBe('awaiting_consent');
      });

      it('lets a signed-in nominee answer from their nominations', async () => {
        const nominee = await employee();
        const { id } = await nominate({ personId: nominee.person.id }, 'Ran the flu campaign.');
        await signInThroughPage(page, nominee, '/sign-in?returnTo=%2Fnominations');
        await page.waitForURL((url) => url.pathname === '/nominations');
        await page.getByText('Waiting for your answer').waitFor();
        await expectAccessible(page);
        await page.getByRole('link', { name: /^Answer this nomination/ }).click();
        await page.getByRole('heading', { level: 1, name: 'Your nomination' }).waitFor();
        await page.getByText('Ran the flu campaign.').waitFor();
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Send answer' }).click();
        await page.getByRole('alert').getByRole('link', { name: 'Select whether you want to be considered' }).waitFor();
        await expectAccessible(page);
        expect(await statusOf(id)).toBe('awaiting_consent');
        await page.getByLabel('No, I do not want to be considered').check();
        await page.getByRole('button', { name: 'Send answer' }).click();
        await page.waitForURL((url) => url.pathname === '/nominations');
        await page.getByText(`You have declined the nomination for Programme: ${programmeTitle}.`).waitFor();
        await page.getByText('You declined').waitFor();
        await expectAccessible(page);
        expect(await statusOf(id)).toBe('declined');
      }, 60_000);
    });
  }

  it('refuses an answer posted without its CSRF token, or with a wrong one, and changes nothing', async () => {
    const nominee = await employee();
    const { id, token } = await nominate({ personId: nominee.person.id });
    const context = await newContext(browser, web);
    const page = await context.newPage();
    await page.goto(`/nominations/respond?token=${encodeURIComponent(token)}`);
    for (const csrf of [{}, { _csrf: 'forged-token' }] as Record<string, string>[]) {
      const response = await page.request.post('/nominations/respond', { form: { token, decision: 'consent', ...csrf }, maxRedirects: 0 });
      expect(response.status()).toBe(403);
    }
    expect(await statusOf(id)).toBe('awaiting_consent');
    await context.close();
  });

  it('shows a nomination only to its nominee and the staff of its system', async () => {
    const em = web.em();
    const nominee = await account(em, { organisation: em.getReference(Organisation, organisationId) });
    const { id } = await nominate({ personId: nominee.person.id });
    const stranger = await account(em, { organisation: await organisation(em, await system(em)) });
    const context = await newContext(browser, web);
    const page = await context.newPage();
    await signInThroughPage(page, stranger);
    await page.waitForURL((url) => url.pathname === '/learning');
    const response = await page.goto(`/nominations/${id}`);
    expect(response!.status()).toBe(404);
    await context.close();
    const staffContext = await newContext(browser, web);
    const staffPage = await staffContext.newPage();
    await signInThroughPage(staffPage, { email: lead.email, password: TEST_PASSWORD });
    await staffPage.waitForURL((url) => url.pathname === '/learning');
    await staffPage.goto(`/nominations/${id}`);
    await staffPage.getByRole('heading', { level: 1, name: `Nomination of ${nominee.person.givenName} ${nominee.person.familyName}` }).waitFor();
    // Staff see it, but only the nominee can answer.
    expect(await staffPage.getByRole('button', { name: 'Send answer' }).count()).toBe(0);
    await expectAccessible(staffPage);
    await staffContext.close();
    expect(organisationName).toBeTruthy();
  });
});
