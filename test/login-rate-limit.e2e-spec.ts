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

function login(api: TestApi, email: string, password: string) {
  return api.http().post('/api/v1/auth/login').send({ email, password });
}

describe('login rate limits (e2e)', () => {
  describe('per account (LOGIN_MAX_FAILURES_PER_ACCOUNT=3)', () => {
    let api: TestApi;
    let locked: AccountFixture;
    let bystander: AccountFixture;
    let recovering: AccountFixture;
    let mixedCase: AccountFixture;

    beforeAll(async () => {
      api = await startTestApi({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_WINDOW_SECONDS: '600' });
      const em = forkEm(api);
      locked = await account(em);
      bystander = await account(em);
      recovering = await account(em);
      mixedCase = await account(em, { email: `mixed.case.${Date.now()}@nhs.example` });
    });

    afterAll(async () => {
      await api?.close();
    });

    it('refuses even the right password after three wrong ones, with Retry-After', async () => {
      for (let attempt = 1; attempt <= 3; attempt++) await login(api, locked.email, WRONG_PASSWORD).expect(401);

      const response = await login(api, locked.email, TEST_PASSWORD);

      expectRateLimited(response);
      expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(600);
    });

    it('still lets another account sign in from the same address', async () => {
      const response = await login(api, bystander.email, TEST_PASSWORD).expect(200);

      expect(response.body.accessToken).toEqual(expect.any(String));
    });

    it('starts counting afresh after a successful sign-in', async () => {
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);
      await login(api, recovering.email, TEST_PASSWORD).expect(200);
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);
      await login(api, recovering.email, WRONG_PASSWORD).expect(401);

      await login(api, recovering.email, TEST_PASSWORD).expect(200);
    });

    it('counts failures for the same email whatever its letter case', async () => {
      await login(api, mixedCase.email.toUpperCase(), WRONG_PASSWORD).expect(401);
      await login(api, mixedCase.email, WRONG_PASSWORD).expect(401);
      await login(api, mixedCase.email.replace(/^m/, 'M'), WRONG_PASSWORD).expect(401);

      expectRateLimited(await login(api, mixedCase.email, TEST_PASSWORD));
    });
  });

  describe('per IP address (LOGIN_MAX_ATTEMPTS_PER_IP=5)', () => {
    let api: TestApi;
    let someone: AccountFixture;

    beforeAll(async () => {
      api = await startTestApi({ LOGIN_MAX_ATTEMPTS_PER_IP: '5', LOGIN_WINDOW_SECONDS: '600' });
      someone = await account(forkEm(api));
    });

    afterAll(async () => {
      await api?.close();
    });

    it('refuses the sixth attempt from one address, whichever emails were tried', async () => {
      for (let attempt = 1; attempt <= 5; attempt++) await login(api, `unknown.${attempt}@nhs.example`, WRONG_PASSWORD).expect(401);

      expectRateLimited(await login(api, 'unknown.6@nhs.example', WRONG_PASSWORD));
      // The address is throttled, not the email: a real account with the right password waits too.
      expectRateLimited(await login(api, someone.email, TEST_PASSWORD));
    });
  });
});
