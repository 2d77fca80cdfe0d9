import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { account, organisation, system, totpAt } from './support/factories';
import { LogCapture } from './support/log-capture';
import { expectAccessible, launchBrowser, startTestWeb, TestWeb } from './support/test-web';
import { clientKeyPair, startTestOpenIdProvider, TestOpenIdProvider, trustCertificate } from './support/test-openid-provider';

jest.setTimeout(90_000);

/**
 * Single sign-on through the portal in Chromium against a real OpenID Provider (oidc-provider)
 * over HTTPS with a certificate made for this run. Provider "nhs" authenticates the portal with
 * private_key_jwt and counts AAL2_OR_AAL3_ANY as multi-factor; "entra" uses a client secret and
 * lets one tenant in.
 */
describe('Portal: single sign-on with OpenID Connect', () => {
  let idp: TestOpenIdProvider;
  let web: TestWeb;
  let browser: Browser;
  let keyDir: string;
  let context: BrowserContext;
  let page: Page;
  let sequence = 0;
  const logs = new LogCapture();

  beforeAll(async () => {
    idp = await startTestOpenIdProvider();
    // The portal trusts the provider's certificate as NODE_EXTRA_CA_CERTS would make it.
    trustCertificate(idp.certificatePem);
    keyDir = mkdtempSync(join(tmpdir(), 'slp-oidc-client-'));
    const key = clientKeyPair(keyDir, 'portal-key-1');
    web = await startTestWeb({
      OIDC_PROVIDERS: 'nhs,entra',
      OIDC_NHS_ISSUER: idp.issuer,
      OIDC_NHS_CLIENT_ID: 'slp-portal',
      OIDC_NHS_PRIVATE_KEY_FILE: key.file,
      OIDC_NHS_PRIVATE_KEY_ID: 'portal-key-1',
      OIDC_NHS_LABEL: 'NHS Care Identity',
      OIDC_NHS_SCOPES: 'openid profile email nationalrbacaccess',
      OIDC_NHS_ACR_VALUES: 'AAL2_OR_AAL3_ANY',
      OIDC_NHS_MFA_ACR: 'AAL2_OR_AAL3_ANY,AAL3',
      OIDC_ENTRA_ISSUER: idp.issuer,
      OIDC_ENTRA_CLIENT_ID: 'slp-portal-entra',
      OIDC_ENTRA_CLIENT_SECRET: 'entra-client-secret-for-the-test-0123456789',
      OIDC_ENTRA_LABEL: 'Microsoft',
      OIDC_ENTRA_ALLOWED_TENANTS: '11111111-aaaa-4bbb-8ccc-000000000001',
      LOG_LEVEL: 'info',
    }, { logDestination: logs });
    idp.configure(web.baseUrl, [
      { clientId: 'slp-portal', publicJwk: key.publicJwk },
      { clientId: 'slp-portal-entra', secret: 'entra-client-secret-for-the-test-0123456789' },
    ]);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    // Nothing personal reached the log: no email address, name or token.
    expect(logs.text).not.toMatch(/@nhs\.example|@trust\.example|@other\.example|Lovelace|eyJ/);
    await browser?.close();
    await web?.close();
    await idp?.close();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    // The provider's certificate is the test's own: the browser is told to accept it (the portal verifies it properly).
    context = await browser.newContext({ baseURL: web.baseUrl, locale: 'en-GB', timezoneId: 'Europe/London', ignoreHTTPSErrors: true });
    context.setDefaultTimeout(15_000);
    await context.route((url) => url.origin !== web.baseUrl && url.origin !== idp.origin, (route) => route.abort());
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  const idpUser = (claims: Record<string, unknown>): string => {
    const login = `user-${++sequence}`;
    idp.users.set(login, { sub: `sub-${sequence}-${Date.now()}`, claims });
    return login;
  };

  /** From the portal's sign-in page to the provider's login and back. */
  const signInWith = async (label: string, login: string, acr = 'AAL2_OR_AAL3_ANY'): Promise<void> => {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: `Sign in with ${label}` }).click();
    await page.waitForURL(`${idp.origin}/interaction/**`);
    await page.getByLabel('Username').fill(login);
    await page.getByLabel('Assurance').selectOption(acr);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === web.baseUrl);
  };

  const links = async (accountId: string) =>
    web.em().execute<{ provider: string; issuer: string; subject: string; tenant: string | null }[]>(`select provider, issuer, subject, tenant from identity_link where account_id = ?`, [accountId]);
  const audits = async (accountId: string) => (await web.em().execute<{ action: string; details: Record<string, unknown> }[]>(`select action, details from audit_log where object_id = ? order by at, id`, [accountId])).map((row) => row.action);
  const latestSession = async (accountId: string) => {
    const [row] = await web.em().execute<{ amr: string[] }[]>(`select amr from refresh_token where account_id = ? order by created_at desc limit 1`, [accountId]);
    return row;
  };
  const signedInHeading = async () => page.getByRole('heading', { level: 1 }).textContent();

  it('offers one "Sign in with" button per configured provider on an accessible sign-in page', async () => {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in with NHS Care Identity' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    expect(await page.getByRole('button', { name: /^Sign in with/ }).count()).toBe(2);
    await expectAccessible(page);
    const missing = await page.goto('/sign-in/oidc/nobody');
    expect(missing?.status()).toBe(404);
  });

  it('links an identity to the account with the same verified email, with MFA from the acr, then reuses the link on the next sign-in', async () => {
    const existing = await account(web.em(), { emailVerified: true });
    const login = idpUser({ email: existing.email.toUpperCase(), email_verified: true, given_name: 'Someone', family_name: 'Else' });

    await signInWith('NHS Care Identity', login);
    expect(new URL(page.url()).pathname).toBe('/learning');
    expect(await signedInHeading()).toBe('Your learning');
    const [link] = await links(existing.account.id);
    expect(link).toEqual({ provider: 'nhs', issuer: idp.issuer, subject: idp.users.get(login)!.sub, tenant: null });
    expect(await audits(existing.account.id)).toEqual(expect.arrayContaining(['identity_link.create', 'account.login']));
    // CIS2's AAL2/AAL3 are multi-factor: the session says so.
    expect((await latestSession(existing.account.id))!.amr).toEqual(['ext', 'mfa']);
    // The person's own name stays: the provider's claims do not overwrite it.
    const [person] = await web.em().execute<{ given_name: string }[]>(`select given_name from person where id = ?`, [existing.person.id]);
    expect(person!.given_name).toBe('Test');

    // Sign out: the provider offers RP-initiated logout, so the browser signs out there too, then comes back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${idp.origin}/session/end**`);
    await page.getByRole('button', { name: /yes/i }).click();
    await page.waitForURL(`${web.baseUrl}/signed-out`);

    // The second sign-in, at a lower assurance, reaches the same account through the link.
    await signInWith('NHS Care Identity', login, 'AAL1');
    expect(await signedInHeading()).toBe('Your learning');
    expect(await links(existing.account.id)).toHaveLength(1);
    expect((await latestSession(existing.account.id))!.amr).toEqual(['ext']);
    const [{ n }] = (await web.em().execute<{ n: string }[]>(`select count(*) as n from account a join person p on p.id = a.person_id where lower(p.email) = lower(?)`, [existing.email])) as [{ n: string }];
    expect(Number(n)).toBe(1);
  });

  it('asks an account with the platform authenticator on for its security code when the provider sign-in was not multi-factor', async () => {
    const existing = await account(web.em(), { emailVerified: true, mfa: true });
    const login = idpUser({ email: existing.email, email_verified: true });

    await signInWith('NHS Care Identity', login, 'AAL1');
    expect(new URL(page.url()).pathname).toBe('/sign-in/security-code');
    // No platform session until the code is right.
    expect(await latestSession(existing.account.id)).toBeUndefined();
    await expectAccessible(page);

    await page.getByLabel('Security code').fill(totpAt(existing.totpSecret!));
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await signedInHeading()).toBe('Your learning');
    expect((await latestSession(existing.account.id))!.amr).toContain('mfa');
  });

  it('provisions a verified participant in the organisation named by the RBAC claims, never taking roles from them', async () => {
    const trust = await organisation(web.em(), await system(web.em()));
    const email = `new.person.${Date.now()}@nhs.example`;
    const login = idpUser({ email, email_verified: true, given_name: 'Ada', family_name: 'Lovelace', roles: ['admin'], nhsid_nrbac_roles: [{ org_code: 'ZZZ99', role_code: 'S0010:G0020:R0030' }, { org_code: trust.odsCode.toLowerCase(), role_code: 'S8000:G8000:R8001' }] });

    await signInWith('NHS Care Identity', login);
    expect(await signedInHeading()).toBe('Your learning');
    const [created] = await web.em().execute<{ id: string; roles: string[]; verified: boolean; password_hash: string | null; given_name: string; family_name: string; organisation_id: string | null }[]>(
      `select a.id, a.roles, a.email_verified_at is not null as verified, a.password_hash, p.given_name, p.family_name, p.organisation_id from account a join person p on p.id = a.person_id where p.email = ?`,
      [email],
    );
    expect(created).toMatchObject({ roles: ['participant'], verified: true, password_hash: null, given_name: 'Ada', family_name: 'Lovelace', organisation_id: trust.id });
    expect(await links(created!.id)).toHaveLength(1);
    expect(await audits(created!.id)).toEqual(expect.arrayContaining(['account.provision', 'identity_link.create', 'account.login']));
  });

  it('does not attach an identity to an account whose email the provider has not verified', async () => {
    const existing = await account(web.em(), { emailVerified: true });
    const login = idpUser({ email: existing.email, email_verified: false });
    await signInWith('NHS Care Identity', login);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You could not be signed in');
    await page.getByText('An account already uses your email address').waitFor();
    expect(await links(existing.account.id)).toHaveLength(0);
    await expectAccessible(page);
  });

  it('refuses a callback whose state was tampered with', async () => {
    const login = idpUser({ email: `state.${Date.now()}@nhs.example`, email_verified: true, given_name: 'State' });
    await tamperAuthorizationRequest('state', 'attacker-chosen-state');
    await signInWith('NHS Care Identity', login);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You could not be signed in');
    expect(lastRefusal()).toMatch(/"state"/);
    expect(await noAccountFor(login)).toBe(true);
    // Not signed in: a private page still asks to sign in.
    await page.goto('/learning');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });

  it('refuses an ID token carrying another nonce than the one this browser was given', async () => {
    const login = idpUser({ email: `nonce.${Date.now()}@nhs.example`, email_verified: true, given_name: 'Nonce' });
    await tamperAuthorizationRequest('nonce', 'a-nonce-from-another-session');
    await signInWith('NHS Care Identity', login);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You could not be signed in');
    expect(lastRefusal()).toMatch(/"nonce"/);
    expect(await noAccountFor(login)).toBe(true);
  });

  it('refuses an ID token issued to another client (wrong audience)', async () => {
    const login = idpUser({ email: `aud.${Date.now()}@nhs.example`, email_verified: true, given_name: 'Audience' });
    idp.tamperNextIdToken((claims) => ({ ...claims, aud: 'some-other-client', azp: 'some-other-client' }));
    await signInWith('NHS Care Identity', login);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You could not be signed in');
    expect(lastRefusal()).toMatch(/"aud"/);
    expect(await noAccountFor(login)).toBe(true);
  });

  it('refuses an expired ID token', async () => {
    const login = idpUser({ email: `expired.${Date.now()}@nhs.example`, email_verified: true, given_name: 'Expired' });
    const past = Math.floor(Date.now() / 1000) - 3600;
    idp.tamperNextIdToken((claims) => ({ ...claims, iat: past - 600, exp: past }));
    await signInWith('NHS Care Identity', login);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You could not be signed in');
    expect(lastRefusal()).toMatch(/"exp"/);
    expect(await noAccountFor(login)).toBe(true);
  });

  it('lets in only the allowed Entra tenants, and links by the object id within the tenant', async () => {
    const outsider = idpUser({ email: `outsider.${Date.now()}@other.example`, email_verified: true, tid: '99999999-aaaa-4bbb-8ccc-000000000009', oid: 'oid-outsider' });
    await signInWith('Microsoft', outsider, 'AAL1');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You could not be signed in');
    expect(await noAccountFor(outsider)).toBe(true);

    // Someone else on a fresh browser (the provider still holds the outsider's session in this one).
    await context.clearCookies();
    const insider = idpUser({ email: `insider.${Date.now()}@trust.example`, email_verified: true, given_name: 'In', family_name: 'Sider', tid: '11111111-AAAA-4bbb-8ccc-000000000001', oid: 'oid-insider' });
    await signInWith('Microsoft', insider, 'AAL1');
    expect(await signedInHeading()).toBe('Your learning');
    const [row] = await web.em().execute<{ id: string }[]>(`select a.id from account a join person p on p.id = a.person_id where p.email = ?`, [idp.users.get(insider)!.claims.email]);
    expect(await links(row!.id)).toEqual([{ provider: 'entra', issuer: idp.issuer, subject: 'oid-insider', tenant: '11111111-aaaa-4bbb-8ccc-000000000001' }]);
  });

  /**
   * Changes one parameter of the portal's redirect to the provider (the provider then echoes a
   * tampered state to the callback, or signs a tampered nonce into the ID token), as an attacker
   * in the middle of the front channel could. The portal's session cookie goes through unchanged.
   */
  async function tamperAuthorizationRequest(parameter: 'state' | 'nonce', value: string): Promise<void> {
    await page.route(`${web.baseUrl}/sign-in/oidc/nhs**`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const location = new URL(response.headers().location!);
      expect(location.searchParams.get(parameter)).toBeTruthy();
      location.searchParams.set(parameter, value);
      await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
    });
  }

  /** What openid-client said when the portal refused the last response (logged without personal data). */
  function lastRefusal(): string {
    const line = [...logs.lines].reverse().find((entry) => entry.msg === 'An OpenID Connect response was refused');
    return `${String(line?.code)}: ${String(line?.reason)}`;
  }

  async function noAccountFor(login: string): Promise<boolean> {
    const user = idp.users.get(login)!;
    const [row] = await web.em().execute<{ n: string }[]>(`select (select count(*) from person where email = ?) + (select count(*) from identity_link where subject = ?) as n`, [user.claims.email, user.sub]);
    return Number(row!.n) === 0;
  }
});
