import type { Response } from 'supertest';
import { account, AccountFixture, forkEm, TEST_PASSWORD } from './support/factories';
import { expectProblem } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

const WRONG_PASSWORD = 'definitely not the password';

function expectRateLimited(response: Response): void {
  expectProblem(response, 429);
  expect(response.body).not.toHaveProperty('accessToken');
  const retryAfter = response.headers['retry-after'] as string | undefined;
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
}

/** Signs in from `ip` (the API trusts X-Forwarded-For here, as behind a reverse proxy). */
function login(api: TestApi, email: string, password: string, ip = '203.0.113.10') {
  return api.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });
}

async function alertsFor(api: TestApi, fixture: AccountFixture): Promise<number> {
  const [row] = await forkEm(api).getConnection().execute<{ n: string }[]>(`select count(*) as n from notification where kind = 'sign_in_attempts_alert' and recipient_person_id = ?`, [fixture.person.id]);
  return Number(row!.n);
}

describe('login rate limits (e2e)', () => {
  describe('per account and IP (LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP=3)', () => {
    let api: TestApi;
    let victim: AccountFixture;
    let recovering: AccountFixture;
    let mixedCase: AccountFixture;
    let bystander: AccountFixture;

    beforeAll(async () => {
      api = await startTestApi({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '20', LOGIN_ALERT_AFTER_FAILURES: '20', LOGIN_WINDOW_SECONDS: '600' });
      // Until Redis is connected the in-memory stand-in counts instead; start counting in Redis.
      await api.http().get('/health/ready').expect(200);
      const em = forkEm(api);
      victim = await account(em);
      recovering = await account(em);
      mixedCase = await account(em, { email: `mixed.case.${Date.now()}@nhs.example` });
      bystander = await account(em);
    });

    afterAll(async () => {
      await api?.close();
    });

    it('locks the attacker’s address out of the account, with Retry-After, while its owner still signs in from elsewhere', async () => {
      const attacker = '198.51.100.7';
      for (let attempt = 1; attempt <= 3; attempt++) await login(api, victim.email, WRONG_PASSWORD, attacker).expect(401);

      const refused = await login(api, victim.email, TEST_PASSWORD, attacker);
      expectRateLimited(refused);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);

      await login(api, victim.email, TEST_PASSWORD, '203.0.113.99').expect(200);
      // The attacker's address is locked out of this account only.
      await login(api, bystander.email, TEST_PASSWORD, attacker).expect(200);
    });

    it('starts counting afresh after a successful sign-in from the same address', async () => {
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);
      await login(api, recovering.email, TEST_PASSWORD).expect(200);
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);

      await login(api, recovering.email, TEST_PASSWORD).expect(200);
    });

    it('counts failures for the same email whatever its letter case', async () => {
      const ip = '198.51.100.8';
      await login(api, mixedCase.email.toUpperCase(), WRONG_PASSWORD, ip).expect(401);
      await login(api, mixedCase.email, WRONG_PASSWORD, ip).expect(401);
      await login(api, mixedCase.email.replace(/^m/, 'M'), WRONG_PASSWORD, ip).expect(401);

      expectRateLimited(await login(api, mixedCase.email, TEST_PASSWORD, ip));
    });

    it('counts parallel guesses before checking them, so a burst cannot slip past the limit', async () => {
      const target = await account(forkEm(api));
      const ip = '198.51.100.9';
      const answers = await Promise.all(Array.from({ length: 8 }, () => login(api, target.email, WRONG_PASSWORD, ip)));

      expect(answers.filter((r) => r.status === 401)).toHaveLength(3);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(5);
    });
  });

  describe('per account from every address (LOGIN_MAX_FAILURES_PER_ACCOUNT=6), and the owner’s alert (LOGIN_ALERT_AFTER_FAILURES=4)', () => {
    let api: TestApi;
    let target: AccountFixture;

    beforeAll(async () => {
      api = await startTestApi({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '6', LOGIN_ALERT_AFTER_FAILURES: '4', LOGIN_WINDOW_SECONDS: '600' });
      // Until Redis is connected the in-memory stand-in counts instead; start counting in Redis.
      await api.http().get('/health/ready').expect(200);
      target = await account(forkEm(api));
    });

    afterAll(async () => {
      await api?.close();
    });

    it('emails the owner once when failures from many addresses reach the threshold, then refuses the account everywhere', async () => {
      for (let attempt = 1; attempt <= 3; attempt++) await login(api, target.email, WRONG_PASSWORD, `192.0.2.${attempt}`).expect(401);
      expect(await alertsFor(api, target)).toBe(0);

      await login(api, target.email, WRONG_PASSWORD, '192.0.2.4').expect(401);
      expect(await alertsFor(api, target)).toBe(1);
      const [alert] = await forkEm(api).getConnection().execute<{ recipient_email: string; data: Record<string, unknown> }[]>(`select recipient_email, data from notification where kind = 'sign_in_attempts_alert' and recipient_person_id = ?`, [target.person.id]);
      expect(alert).toEqual({ recipient_email: target.email, data: expect.objectContaining({ failures: 4, windowMinutes: 10 }) });

      await login(api, target.email, WRONG_PASSWORD, '192.0.2.5').expect(401);
      await login(api, target.email, WRONG_PASSWORD, '192.0.2.6').expect(401);
      // Still one email in this window, however many more failures.
      expect(await alertsFor(api, target)).toBe(1);

      // Six failures across six addresses: the softer account-wide limit now holds, from anywhere.
      expectRateLimited(await login(api, target.email, TEST_PASSWORD, '192.0.2.200'));
      expect(await alertsFor(api, target)).toBe(1);
    });
  });

  describe('per IP address, failures only (LOGIN_MAX_FAILURES_PER_IP=5)', () => {
    let api: TestApi;
    let someone: AccountFixture;
    let colleagues: AccountFixture[];

    beforeAll(async () => {
      // LOGIN_MAX_ATTEMPTS_PER_IP was the old rule (every attempt counted); set too, to show it no longer applies.
      api = await startTestApi({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_IP: '5', LOGIN_MAX_ATTEMPTS_PER_IP: '5', LOGIN_WINDOW_SECONDS: '600' });
      // Until Redis is connected the in-memory stand-in counts instead; start counting in Redis.
      await api.http().get('/health/ready').expect(200);
      const em = forkEm(api);
      someone = await account(em);
      colleagues = [await account(em), await account(em), await account(em)];
    });

    afterAll(async () => {
      await api?.close();
    });

    it('never locks an address out for successful sign-ins, however many (one NHS network behind NAT)', async () => {
      const nat = '203.0.113.50';
      for (let round = 0; round < 4; round++) {
        for (const colleague of colleagues) await login(api, colleague.email, TEST_PASSWORD, nat).expect(200);
      }
      await login(api, someone.email, TEST_PASSWORD, nat).expect(200);
    });

    it('refuses an address after five wrong passwords, whichever emails were tried', async () => {
      const stuffer = '198.51.100.66';
      for (let attempt = 1; attempt <= 5; attempt++) await login(api, `unknown.${attempt}@nhs.example`, WRONG_PASSWORD, stuffer).expect(401);

      expectRateLimited(await login(api, 'unknown.6@nhs.example', WRONG_PASSWORD, stuffer));
      // The address is throttled, not the email: a real account with the right password waits too…
      expectRateLimited(await login(api, someone.email, TEST_PASSWORD, stuffer));
      // …but only from that address.
      await login(api, someone.email, TEST_PASSWORD, '203.0.113.51').expect(200);
    });
  });
});
