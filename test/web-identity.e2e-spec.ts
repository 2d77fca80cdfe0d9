import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MfaService } from '@slp/identity';
import { AccessScope } from '@slp/platform';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { account, AccountFixture, TEST_PASSWORD, totpAt, unusedTotpCode } from './support/factories';
import { leafParts, parseMime } from './support/mime';
import { testConfig } from './support/test-api';
import { expectAccessible, launchBrowser, newContext, signInThroughPage, startTestWeb, TestWeb } from './support/test-web';

// Browser journeys with an accessibility check per page, and a TOTP step that may wait for the next code.
jest.setTimeout(120_000);

const NEW_PASSWORD = 'a brand new passphrase for 2027';
const STEP_MS = 30_000;

/**
 * The portal's multi-factor sign-in, its set-up, password reset (through the outbox, a real worker
 * and an SMTP server) and signing out everywhere, driven in Chromium with and without JavaScript,
 * against real PostgreSQL and Redis.
 */
describe('Portal: multi-factor sign-in, account security and password reset', () => {
  let web: TestWeb;
  let browser: Browser;
  let sink: ControlledSmtpSink;
  let worker: INestApplicationContext;

  const sql = <T extends object>(query: string, params: unknown[] = []) => web.em().getConnection().execute<T[]>(query, params);
  const sessionsOf = (accountId: string) => sql<{ family_id: string; amr: string[]; revoked: boolean }>(`select family_id, amr, revoked_at is not null as revoked from refresh_token where account_id = ? order by created_at`, [accountId]);
  const textOf = (raw: string) => leafParts(parseMime(raw)).find((part) => part.type === 'text/plain')!.body;
  const mailsTo = (address: string) => sink.received.filter((mail) => mail.to.includes(address));
  const waitForMail = async (address: string, count: number) => {
    const deadline = Date.now() + 20_000;
    while (mailsTo(address).length < count) {
      if (Date.now() > deadline) throw new Error(`No email number ${count} reached ${address}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return mailsTo(address)[count - 1]!;
  };
  const scopeOf = (fixture: AccountFixture) => AccessScope.of({ accountId: fixture.account.id, personId: fixture.person.id, roles: fixture.account.roles, systemIds: [] });

  /** An account with MFA on and its ten recovery codes, set up through the library as the set-up page does. */
  const withRecoveryCodes = async (): Promise<{ fixture: AccountFixture; secret: string; recoveryCodes: string[] }> => {
    const fixture = await account(web.em(), { mfa: false });
    const mfa = web.app.get(MfaService);
    const setup = await web.inContext(() => mfa.startTotpSetup(scopeOf(fixture)));
    // The previous step's code (still accepted), leaving the current one for signing in.
    const { recoveryCodes } = await web.inContext(() => mfa.confirmTotp(scopeOf(fixture), totpAt(setup.secret, Date.now() - STEP_MS)));
    return { fixture, secret: setup.secret, recoveryCodes };
  };

  const enterCode = async (page: Page, code: string) => {
    await page.getByLabel('Security code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
  };

  beforeAll(async () => {
    sink = await ControlledSmtpSink.start();
    web = await startTestWeb({ SMTP_URL: sink.url, PASSWORD_RESET_MAX_PER_IP: '1000' });
    const overrides = { SMTP_URL: sink.url, PUBLIC_URL: web.baseUrl, MAIL_RETRY_BASE_MS: '50', REDIS_PREFIX: web.config.redis.prefix };
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(web.config.database.url, overrides)), { logger: false });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await web?.close();
    await sink?.close();
  });

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

      it('asks an account with MFA on for its code before any session exists, refuses a wrong one, and signs in with the right one', async () => {
        const person = await account(web.em(), { mfa: true });
        await page.goto('/learning');
        await page.waitForURL((url) => url.pathname === '/sign-in');
        await page.getByLabel('Email address').fill(person.email);
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => url.pathname === '/sign-in/security-code');
        expect(await page.title()).toBe('Security code – System Leadership Platform');
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Security code');
        await expectAccessible(page);

        // The bypass is closed: a right password alone starts no platform session and opens no page.
        expect(await sessionsOf(person.account.id)).toEqual([]);
        await page.goto('/learning');
        await page.waitForURL((url) => url.pathname === '/sign-in');
        await page.goto('/sign-in/security-code');

        await enterCode(page, '');
        await page.getByRole('alert').getByRole('link', { name: 'Enter the security code' }).waitFor();
        const wrong = totpAt(person.totpSecret!, Date.now() + 10 * STEP_MS);
        await enterCode(page, wrong);
        expect(await page.title()).toBe('Error: Security code – System Leadership Platform');
        const summary = page.getByRole('alert');
        await summary.getByRole('heading', { name: 'There is a problem' }).waitFor();
        expect(await summary.getByRole('link', { name: /The security code is not right/ }).getAttribute('href')).toBe('#code');
        expect(await page.locator('#code-error').textContent()).toContain('The security code is not right');
        await expectAccessible(page);
        expect(await sessionsOf(person.account.id)).toEqual([]);

        const cookieBefore = (await context.cookies()).find((c) => c.name === 'slp_session')!.value;
        await enterCode(page, await unusedTotpCode(web, person.account.id));
        await page.waitForURL((url) => url.pathname === '/learning');
        await page.getByRole('heading', { level: 1, name: 'Your learning' }).waitFor();
        const sessions = await sessionsOf(person.account.id);
        expect(sessions).toHaveLength(1);
        expect(sessions[0]!.amr).toEqual(['pwd', 'otp', 'mfa']);
        expect((await context.cookies()).find((c) => c.name === 'slp_session')!.value).not.toBe(cookieBefore);
        // The finished challenge is gone: the step cannot be replayed.
        await page.goto('/sign-in/security-code');
        await page.waitForURL((url) => url.pathname === '/learning');
      });

      it('accepts a recovery code in the same field, once', async () => {
        const { fixture, recoveryCodes } = await withRecoveryCodes();
        await signInThroughPage(page, fixture);
        await page.waitForURL((url) => url.pathname === '/sign-in/security-code');
        await enterCode(page, recoveryCodes[3]!.toLowerCase());
        await page.waitForURL((url) => url.pathname === '/learning');
        expect((await sessionsOf(fixture.account.id)).map((s) => s.amr)).toEqual([['pwd', 'mfa']]);
        // Its holder is told a recovery code was used.
        const [email] = await sql<{ kind: string }>(`select kind from notification where recipient_person_id = ? and kind = 'mfa_recovery_code_used'`, [fixture.person.id]);
        expect(email).toEqual({ kind: 'mfa_recovery_code_used' });

        const again = await newContext(browser, web, { javaScriptEnabled });
        const second = await again.newPage();
        await signInThroughPage(second, fixture);
        await second.waitForURL((url) => url.pathname === '/sign-in/security-code');
        await enterCode(second, recoveryCodes[3]!);
        await second.getByRole('alert').getByRole('link', { name: /The security code is not right/ }).waitFor();
        await again.close();
      });

      it('limits wrong codes as the API does, and a lapsed sign-in starts again from the password', async () => {
        const person = await account(web.em(), { mfa: true });
        await signInThroughPage(page, person);
        await page.waitForURL((url) => url.pathname === '/sign-in/security-code');
        for (let attempt = 0; attempt < 5; attempt += 1) {
          await enterCode(page, '000000' === totpAt(person.totpSecret!) ? '111111' : '000000');
          await page.getByRole('alert').getByRole('link', { name: /The security code is not right/ }).waitFor();
        }
        const limited = page.waitForResponse((response) => response.url().endsWith('/sign-in/security-code') && response.request().method() === 'POST');
        await enterCode(page, totpAt(person.totpSecret!));
        expect((await limited).status()).toBe(429);
        await page.getByRole('alert').getByRole('link', { name: /You have entered too many wrong codes/ }).waitFor();
        await expectAccessible(page);
        expect(await sessionsOf(person.account.id)).toEqual([]);

        const other = await account(web.em(), { mfa: true });
        const fresh = await newContext(browser, web, { javaScriptEnabled });
        const late = await fresh.newPage();
        await signInThroughPage(late, other);
        await late.waitForURL((url) => url.pathname === '/sign-in/security-code');
        web.clock.advance(6 * 60_000);
        await enterCode(late, totpAt(other.totpSecret!));
        await late.waitForURL((url) => url.pathname === '/sign-in');
        await late.getByText('Your sign-in timed out before the security code was entered').waitFor();
        expect(await sessionsOf(other.account.id)).toEqual([]);
        await fresh.close();
      });

      it('holds an admin without MFA to /account/security until it is set up, then asks them to sign in again with a code', async () => {
        const admin = await account(web.em(), { roles: ['admin'], mfa: false });
        await signInThroughPage(page, admin);
        await page.waitForURL((url) => url.pathname === '/account/security');
        for (const path of ['/learning', '/programmes', '/']) {
          await page.goto(path);
          await page.waitForURL((url) => url.pathname === '/account/security');
        }
        const held = await page.request.post('/learning/enrolments/00000000-0000-4000-8000-000000000000/withdraw', { form: { _csrf: await page.locator('input[name=_csrf]').first().inputValue() }, maxRedirects: 0 });
        expect(held.status()).toBe(303);
        expect(held.headers().location).toBe('/account/security');
        expect(await page.getByRole('link', { name: 'Your learning' }).count()).toBe(0);
        expect(await page.title()).toBe('Account security – System Leadership Platform');
        await page.getByRole('img', { name: /QR code/ }).waitFor();
        await page.getByRole('heading', { name: 'Setup key' }).waitFor();
        await expectAccessible(page);
        const key = (await page.locator('#setup-key').textContent())!.replace(/\s+/g, '');
        expect(key).toMatch(/^[A-Z2-7]{32}$/);
        await page.reload();
        expect((await page.locator('#setup-key').textContent())!.replace(/\s+/g, '')).toBe(key);

        await page.getByLabel('Security code').fill(totpAt(key, Date.now() + 10 * STEP_MS));
        await page.getByRole('button', { name: 'Turn on' }).click();
        expect(await page.title()).toBe('Error: Account security – System Leadership Platform');
        await page.getByRole('alert').getByRole('link', { name: /The security code is not right/ }).waitFor();
        await expectAccessible(page);

        // The current step's code: the previous step's could fall out of the window while the form is sent.
        await page.getByLabel('Security code').fill(totpAt(key));
        await page.getByRole('button', { name: 'Turn on' }).click();
        await page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
        const codes = await page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').allTextContents();
        expect(codes).toHaveLength(10);
        for (const code of codes) expect(code.trim()).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
        await expectAccessible(page);
        // Still a password-only session: turning MFA on does not upgrade it.
        const check = await context.newPage();
        await check.goto('/learning');
        await check.waitForURL((url) => url.pathname === '/account/security');
        await check.getByText('Multi-factor sign-in is on').first().waitFor();
        expect(await check.getByRole('button', { name: 'Turn off' }).count()).toBe(0);
        await check.close();

        const [firstSession] = await sessionsOf(admin.account.id);
        await page.getByRole('button', { name: 'Sign in again' }).click();
        await page.waitForURL((url) => url.pathname === '/sign-in');
        await page.getByText('Sign in again with your password and a security code').waitFor();
        await expectAccessible(page);
        expect((await sessionsOf(admin.account.id)).find((s) => s.family_id === firstSession!.family_id)!.revoked).toBe(true);
        await page.getByLabel('Email address').fill(admin.email);
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => url.pathname === '/sign-in/security-code');
        await enterCode(page, await unusedTotpCode(web, admin.account.id));
        await page.waitForURL((url) => url.pathname === '/learning');
        await page.goto('/programmes');
        await page.waitForURL((url) => url.pathname === '/programmes');
      });

      it('lets a participant turn MFA on and off, and sign out everywhere', async () => {
        const person = await account(web.em());
        await signInThroughPage(page, person);
        await page.waitForURL((url) => url.pathname === '/learning');
        await page.goto('/account/security');
        const key = (await page.locator('#setup-key').textContent())!.replace(/\s+/g, '');
        // The current step's code: the previous step's could fall out of the window while the form is sent.
        await page.getByLabel('Security code').fill(totpAt(key));
        await page.getByRole('button', { name: 'Turn on' }).click();
        await page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
        expect(await page.getByRole('button', { name: 'Sign in again' }).count()).toBe(0);
        await page.getByRole('link', { name: 'Back to account security' }).click();
        await page.getByText('Multi-factor sign-in is on').first().waitFor();
        await expectAccessible(page);

        await page.getByLabel('Security code').fill('123');
        await page.getByRole('button', { name: 'Turn off' }).click();
        await page.getByRole('alert').getByRole('link', { name: /The security code is not right/ }).waitFor();
        await page.getByLabel('Security code').fill(await unusedTotpCode(web, person.account.id));
        await page.getByRole('button', { name: 'Turn off' }).click();
        await page.getByText('Multi-factor sign-in is off').waitFor();
        await page.getByRole('heading', { name: 'Setup key' }).waitFor();
        const [off] = await sql<{ kind: string }>(`select kind from notification where recipient_person_id = ? and kind = 'mfa_disabled'`, [person.person.id]);
        expect(off).toEqual({ kind: 'mfa_disabled' });

        const elsewhere = await newContext(browser, web, { javaScriptEnabled });
        const other = await elsewhere.newPage();
        await signInThroughPage(other, person);
        await other.waitForURL((url) => url.pathname === '/learning');
        await page.getByRole('button', { name: 'Sign out everywhere' }).click();
        await page.getByRole('heading', { level: 1, name: 'You have signed out' }).waitFor();
        await page.getByText('on every device and browser').waitFor();
        await expectAccessible(page);
        expect((await sessionsOf(person.account.id)).every((s) => s.revoked)).toBe(true);
        await other.goto('/learning');
        await other.waitForURL((url) => url.pathname === '/sign-in');
        await elsewhere.close();
      });

      it('changes the password from the account area, checking the current one, and signs out everywhere', async () => {
        const person = await account(web.em());
        await signInThroughPage(page, person);
        await page.waitForURL((url) => url.pathname === '/learning');
        await page.goto('/account/security');
        await page.getByRole('link', { name: 'Change your password' }).click();
        await page.waitForURL((url) => url.pathname === '/account/password');
        await expectAccessible(page);
        await page.getByLabel('Current password').fill('not my password at all');
        await page.getByLabel('New password').fill(NEW_PASSWORD);
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.getByRole('alert').getByRole('link', { name: 'Your current password is not right' }).waitFor();
        await expectAccessible(page);
        expect((await sessionsOf(person.account.id)).map((s) => s.revoked)).toEqual([false]);

        await page.getByLabel('Current password').fill(TEST_PASSWORD);
        await page.getByLabel('New password').fill(NEW_PASSWORD);
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.waitForURL((url) => url.pathname === '/sign-in');
        await page.getByText('Your password has been changed').waitFor();
        expect((await sessionsOf(person.account.id)).map((s) => s.revoked)).toEqual([true]);
        await signInThroughPage(page, { email: person.email, password: NEW_PASSWORD });
        await page.waitForURL((url) => url.pathname === '/learning');
        await waitForMail(person.email, 1);
        const [changed] = await sql<{ kind: string }>(`select kind from notification where recipient_person_id = ? and kind = 'password_changed'`, [person.person.id]);
        expect(changed).toEqual({ kind: 'password_changed' });
      });

      it('resets a forgotten password through the emailed link, once, answering alike for unknown addresses', async () => {
        const person = await account(web.em(), { email: `forgetful.${Date.now()}.${javaScriptEnabled ? 'js' : 'nojs'}@trust.nhs.example` });
        const elsewhere = await newContext(browser, web, { javaScriptEnabled });
        const other = await elsewhere.newPage();
        await signInThroughPage(other, person);
        await other.waitForURL((url) => url.pathname === '/learning');

        await page.goto('/sign-in');
        await page.getByRole('link', { name: 'Forgotten your password?' }).click();
        await page.waitForURL((url) => url.pathname === '/forgotten-password');
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Send reset link' }).click();
        await page.getByRole('alert').getByRole('link', { name: 'Enter your email address' }).waitFor();
        await expectAccessible(page);

        const answers: string[] = [];
        for (const email of [`nobody.${Date.now()}@trust.nhs.example`, person.email]) {
          await page.goto('/forgotten-password');
          await page.getByLabel('Email address').fill(email);
          await page.getByRole('button', { name: 'Send reset link' }).click();
          await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
          answers.push((await page.locator('main').textContent())!);
        }
        expect(answers[0]).toBe(answers[1]);
        await expectAccessible(page);

        const mail = await waitForMail(person.email, 1);
        expect(mail.header('subject')).toBe('Reset your System Leadership Platform password');
        const link = new URL(/(http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[\w%-]+)/.exec(textOf(mail.raw))![1]!);
        expect(link.origin).toBe(web.baseUrl);
        await page.goto(`${link.pathname}${link.search}`);
        await page.getByRole('heading', { level: 1, name: 'Create a new password' }).waitFor();
        await expectAccessible(page);
        await page.getByLabel('New password').fill('too short');
        await page.getByRole('button', { name: 'Save password' }).click();
        await page.getByRole('alert').getByRole('link', { name: 'Password must be 12 characters or more' }).waitFor();
        await expectAccessible(page);
        await page.getByLabel('New password').fill(NEW_PASSWORD);
        await page.getByRole('button', { name: 'Save password' }).click();
        await page.getByRole('heading', { level: 1, name: 'Your password has been changed' }).waitFor();
        await expectAccessible(page);

        // Every session ended; the old password no longer works, the new one does.
        await other.goto('/learning');
        await other.waitForURL((url) => url.pathname === '/sign-in');
        await elsewhere.close();
        await signInThroughPage(page, person);
        await page.getByRole('alert').getByRole('link', { name: 'Enter a correct email address and password' }).waitFor();
        await signInThroughPage(page, { email: person.email, password: NEW_PASSWORD });
        await page.waitForURL((url) => url.pathname === '/learning');

        // The link worked once.
        await page.goto(`${link.pathname}${link.search}`);
        await page.getByRole('heading', { level: 1, name: 'This link cannot be used' }).waitFor();
        await page.getByText('already been used').waitFor();
        await expectAccessible(page);
        await page.goto('/reset-password?token=not-a-token-we-sent');
        await page.getByText('not one we sent').waitFor();
      });
    });
  }

  it('refuses the new forms without a valid CSRF token, changing nothing', async () => {
    const context = await newContext(browser, web);
    const page = await context.newPage();
    const person = await account(web.em(), { mfa: true });
    const admin = await account(web.em(), { roles: ['admin'], mfa: false });
    const before = await sql<{ n: string }>(`select count(*) as n from notification where recipient_person_id = ?`, [person.person.id]);
    for (const form of [{} as Record<string, string>, { _csrf: 'forged-token' }]) {
      for (const [path, fields] of [
        ['/forgotten-password', { email: person.email }],
        ['/reset-password', { token: 'x', password: NEW_PASSWORD }],
        ['/sign-in/security-code', { code: '123456' }],
      ] as const) {
        const response = await page.request.post(path, { form: { ...form, ...fields }, maxRedirects: 0 });
        expect(response.status()).toBe(403);
        expect(await response.text()).toContain('You do not have access to this page');
      }
    }
    expect(await sql<{ n: string }>(`select count(*) as n from notification where recipient_person_id = ?`, [person.person.id])).toEqual(before);

    await signInThroughPage(page, admin);
    await page.waitForURL((url) => url.pathname === '/account/security');
    for (const path of ['/account/security/turn-on', '/account/security/sign-out-everywhere', '/account/security/sign-in-again']) {
      const response = await page.request.post(path, { form: { _csrf: 'forged-token', code: '123456' }, maxRedirects: 0 });
      expect(response.status()).toBe(403);
    }
    expect((await sessionsOf(admin.account.id)).map((s) => s.revoked)).toEqual([false]);
    const [mfa] = await sql<{ on: boolean }>(`select confirmed_at is not null as on from account_mfa where account_id = ?`, [admin.account.id]);
    expect(mfa).toEqual({ on: false });
    await context.close();
  });
});
