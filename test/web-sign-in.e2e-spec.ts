import type { Browser, BrowserContext, Page } from 'playwright-core';
import { account, organisation, system, TEST_PASSWORD } from './support/factories';
import { expectAccessible, launchBrowser, newContext, signInThroughPage, startTestWeb, TestWeb } from './support/test-web';

// A browser journey with an accessibility check on each page takes a few seconds per page.
jest.setTimeout(90_000);

describe('Portal: signing in, registering and signing out', () => {
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

  const revokedSessions = async (accountId: string): Promise<number> => {
    const [row] = await web.em().execute<{ n: string }[]>(`select count(distinct family_id) as n from refresh_token where account_id = ? and revoked_at is not null`, [accountId]);
    return Number(row!.n);
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

      it('explains the service to someone signed out and leads them to sign in', async () => {
        await page.goto('/');
        expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
        expect(await page.title()).toBe('Develop as a leader in your health and care system – System Leadership Platform');
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL('**/sign-in');
        expect(await page.title()).toBe('Sign in – System Leadership Platform');
        await page.getByRole('link', { name: 'Create an account' }).waitFor();
        await page.getByRole('link', { name: 'Forgotten your password?' }).waitFor();
        await expectAccessible(page);
      });

      it('shows every error of an empty form in the summary and beside each field', async () => {
        await page.goto('/sign-in');
        await page.getByRole('button', { name: 'Sign in' }).click();
        expect(await page.title()).toBe('Error: Sign in – System Leadership Platform');
        const summary = page.getByRole('alert');
        await summary.getByRole('heading', { name: 'There is a problem' }).waitFor();
        expect(await summary.getByRole('link', { name: 'Enter your email address' }).getAttribute('href')).toBe('#email');
        expect(await summary.getByRole('link', { name: 'Enter your password' }).getAttribute('href')).toBe('#password');
        expect(await page.locator('#email-error').textContent()).toContain('Enter your email address');
        expect(await page.locator('#password-error').textContent()).toContain('Enter your password');
        await expectAccessible(page);
      });

      it('answers wrong credentials the same whether or not the email has an account', async () => {
        const person = await account(web.em());
        for (const email of [person.email, 'nobody.here@nhs.example']) {
          await signInThroughPage(page, { email, password: 'not the right password' });
          expect(await page.title()).toBe('Error: Sign in – System Leadership Platform');
          await page.getByRole('alert').getByRole('link', { name: 'Enter a correct email address and password' }).waitFor();
          // The email typed is kept; the password never is.
          expect(await page.getByLabel('Email address').inputValue()).toBe(email);
          expect(await page.getByLabel('Password').inputValue()).toBe('');
        }
        await expectAccessible(page);
      });

      it('signs in, returns to the page asked for, and signs out everywhere the session was', async () => {
        const person = await account(web.em());
        await page.goto('/learning');
        await page.waitForURL((url) => url.pathname === '/sign-in');
        expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/learning');
        await page.getByLabel('Email address').fill(person.email);
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => url.pathname === '/learning');
        await page.getByRole('heading', { level: 1, name: 'Your learning' }).waitFor();
        const cookie = (await context.cookies()).find((c) => c.name === 'slp_session')!;
        expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { level: 1, name: 'You have signed out' }).waitFor();
        await expectAccessible(page);
        expect(await revokedSessions(person.account.id)).toBe(1);
        await page.goto('/learning');
        await page.waitForURL((url) => url.pathname === '/sign-in');
      });

      it('signs out a browser left idle, and after signing in again puts the person back where they were', async () => {
        const person = await account(web.em());
        await signInThroughPage(page, person, '/sign-in?returnTo=%2Fprogrammes');
        await page.waitForURL((url) => url.pathname === '/programmes');
        web.clock.advance((web.config.web.sessionIdleMinutes + 1) * 60_000);
        await page.reload();
        await page.waitForURL((url) => url.pathname === '/sign-in');
        expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/programmes');
        await page.getByText('You were signed out because you had not done anything for a while').waitFor();
        await expectAccessible(page);
        expect(await revokedSessions(person.account.id)).toBe(1);
        await page.getByLabel('Email address').fill(person.email);
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => url.pathname === '/programmes');
      });

      it('refuses a form posted without its CSRF token, or with a wrong one, and changes nothing', async () => {
        const person = await account(web.em());
        await signInThroughPage(page, person);
        await page.waitForURL((url) => url.pathname === '/learning');
        for (const form of [{} as Record<string, string>, { _csrf: 'forged-token' }]) {
          const response = await page.request.post('/sign-out', { form, maxRedirects: 0 });
          expect(response.status()).toBe(403);
          expect(await response.text()).toContain('You do not have access to this page');
        }
        expect(await revokedSessions(person.account.id)).toBe(0);
        await page.goto('/learning');
        await page.getByRole('heading', { level: 1, name: 'Your learning' }).waitFor();
      });

      it('registers with an organisation found by searching, without needing JavaScript', async () => {
        const em = web.em();
        const ics = await system(em);
        const trust = await organisation(em, ics);
        const email = `new.person.${Date.now()}.${javaScriptEnabled ? 'js' : 'nojs'}@nhs.example`;
        await page.goto('/sign-in');
        await page.getByRole('link', { name: 'Create an account' }).click();
        await page.waitForURL('**/register');
        expect(await page.title()).toBe('Create an account – System Leadership Platform');
        await expectAccessible(page);
        await page.getByLabel('First name').fill('Ada');
        await page.getByLabel('Last name').fill('Lovelace');
        await page.getByLabel('Email address').fill(email);
        await page.getByLabel('Organisation', { exact: true }).fill(trust.name.slice(0, 14));
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('radio', { name: trust.name }).check();
        await expectAccessible(page);
        // Names typed before searching are still there.
        expect(await page.getByLabel('First name').inputValue()).toBe('Ada');
        await page.getByLabel('Password', { exact: true }).fill('short');
        await page.getByRole('button', { name: 'Create account' }).click();
        expect(await page.title()).toBe('Error: Create an account – System Leadership Platform');
        await page.getByRole('alert').getByRole('link', { name: 'Password must be 12 characters or more' }).waitFor();
        await expectAccessible(page);
        const [{ n: before }] = await em.execute<{ n: string }[]>(`select count(*) as n from person where email = ?`, [email]);
        expect(Number(before)).toBe(0);

        await page.getByRole('radio', { name: trust.name }).check();
        await page.getByLabel('Password', { exact: true }).fill('a long enough password');
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
        await expectAccessible(page);
        const [created] = await em.execute<{ pending_organisation_id: string }[]>(`select pending_organisation_id from person where email = ?`, [email]);
        expect(created).toEqual({ pending_organisation_id: trust.id });

        // The emailed link lands on a portal page; only the person's own click uses it up.
        const [verification] = await em.execute<{ data: { verifyUrl: string } }[]>(`select data from notification where kind = 'email_verification' and recipient_email = ?`, [email]);
        const verifyUrl = new URL(verification!.data.verifyUrl);
        expect(verifyUrl.origin).toBe(web.baseUrl);
        await page.goto(`${verifyUrl.pathname}${verifyUrl.search}`);
        await page.getByRole('heading', { level: 1, name: 'Confirm your email address' }).waitFor();
        await expectAccessible(page);
        const verified = async () => (await em.execute<{ v: boolean }[]>(`select a.email_verified_at is not null as v from account a join person p on p.id = a.person_id where p.email = ?`, [email]))[0]!.v;
        expect(await verified()).toBe(false);
        await page.getByRole('button', { name: 'Confirm email address' }).click();
        await page.getByRole('heading', { level: 1, name: 'Email address confirmed' }).waitFor();
        expect(await verified()).toBe(true);
        await page.goto(`${verifyUrl.pathname}${verifyUrl.search}`);
        await page.getByRole('button', { name: 'Confirm email address' }).click();
        await page.getByText('This verification link has already been used').waitFor();
        await expectAccessible(page);
      });
    });
  }

  it('shows the design system’s 404 page for an unknown address', async () => {
    const context = await newContext(browser, web);
    const page = await context.newPage();
    const response = await page.goto('/no-such-page');
    expect(response!.status()).toBe(404);
    expect(await page.title()).toBe('Page not found – System Leadership Platform');
    await expectAccessible(page);
    await context.close();
  });
});
