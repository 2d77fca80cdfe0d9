import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { auditRows, expectProblem } from './support/assertions';
import { ControlledSmtpSink } from './support/controlled-smtp-sink';
import { account, AccountFixture, forkEm, signInFully, TEST_PASSWORD } from './support/factories';
import { leafParts, parseMime } from './support/mime';
import { startTestApi, TestApi, testConfig } from './support/test-api';

const PUBLIC_URL = 'https://leadership.example.nhs.uk';
const NEW_PASSWORD = 'a much longer new passphrase 2027';

/**
 * Password reset end to end (API → outbox → worker → SMTP sink → link → new password), password
 * change and "sign out everywhere", against real PostgreSQL, Redis and an SMTP server. Each ends
 * every session of the account: refresh tokens and, at once, access tokens.
 */
describe('password reset, password change and signing out everywhere (e2e)', () => {
  let sink: ControlledSmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;

  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = (email: string, password: string) => api.http().post('/api/v1/auth/login').send({ email, password });
  const requestReset = (email: string) => api.http().post('/api/v1/auth/password-reset').send({ email });
  const confirmReset = (token: string, password: string) => api.http().post('/api/v1/auth/password-reset/confirm').send({ token, password });
  const outbox = (kind: string, personId: string) => sql<{ data: Record<string, unknown>; status: string }>(`select data, status from notification where kind = ? and recipient_person_id = ? order by created_at`, [kind, personId]);
  const textOf = (raw: string) => leafParts(parseMime(raw)).find((part) => part.type === 'text/plain')!.body;
  const mailsTo = (address: string) => sink.received.filter((mail) => mail.to.includes(address));
  /** Asks for a reset link for `address` and returns the token from the email it gets (emails to others may arrive meanwhile). */
  const resetTokenFor = async (address: string): Promise<string> => {
    const before = mailsTo(address).length;
    await requestReset(address).expect(202);
    const deadline = Date.now() + 15_000;
    while (mailsTo(address).length <= before) {
      if (Date.now() > deadline) throw new Error(`No reset email reached ${address}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return decodeURIComponent(/reset-password\?token=([\w%-]+)/.exec(textOf(mailsTo(address).at(-1)!.raw))![1]!);
  };

  /** Two sessions of the fixture's account, each with an access and a refresh token. */
  const twoSessions = async (fixture: AccountFixture) => [await signInFully(api, fixture), await signInFully(api, fixture)];
  const expectEnded = async (sessions: { accessToken: string; refreshToken: string }[]) => {
    for (const session of sessions) {
      expectProblem(await api.http().get('/api/v1/me').set(as(session.accessToken)), 401);
      expectProblem(await api.http().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }), 401);
    }
  };

  beforeAll(async () => {
    sink = await ControlledSmtpSink.start();
    api = await startTestApi({ SMTP_URL: sink.url, PUBLIC_URL });
    const overrides = { SMTP_URL: sink.url, PUBLIC_URL, MAIL_RETRY_BASE_MS: '50', REDIS_PREFIX: api.config.redis.prefix };
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(api.config.database.url, overrides)), { logger: false });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  describe('reset by email', () => {
    it('emails a single-use link that sets a new password and ends every session; the old password stops working', async () => {
      const fixture = await account(forkEm(api), { email: `reset.${Date.now()}@trust.nhs.example` });
      const sessions = await twoSessions(fixture);
      const before = sink.received.length;

      const requested = await requestReset(fixture.email).expect(202);
      expect(requested.body).toEqual({});

      const [email] = (await sink.waitFor(before + 1)).slice(before);
      expect(email!.to).toEqual([fixture.email]);
      expect(email!.header('subject')).toBe('Reset your System Leadership Platform password');
      const text = textOf(email!.raw);
      expect(text).toContain('Dear Test');
      expect(text).toContain('60 minutes');
      const link = new RegExp(`${PUBLIC_URL.replaceAll('.', '\\.')}/reset-password\\?token=([\\w%-]+)`).exec(text);
      expect(link).not.toBeNull();
      const token = decodeURIComponent(link![1]!);
      // The token travels only in the email: the outbox row keeps no copy once sent.
      const [row] = await sql<{ token_hash: string; expires_at: Date; created_at: Date }>(`select token_hash, expires_at, created_at from password_reset where account_id = ?`, [fixture.account.id]);
      expect(row!.token_hash).not.toContain(token);
      expect(new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()).toBe(60 * 60_000);

      await confirmReset(token, NEW_PASSWORD).expect(204);

      await expectEnded(sessions);
      expectProblem(await login(fixture.email, TEST_PASSWORD), 401);
      expect((await login(fixture.email, NEW_PASSWORD).expect(200)).body).toHaveProperty('accessToken');
      // Single use.
      expectProblem(await confirmReset(token, 'yet another passphrase 2028'), 409);
      expect((await login(fixture.email, NEW_PASSWORD).expect(200)).body).toHaveProperty('accessToken');

      const changed = await outbox('password_changed', fixture.person.id);
      expect(changed).toHaveLength(1);
      expect(changed[0]!.data).toMatchObject({ how: 'reset' });
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.password_reset_requested' })).length).toBe(1);
      const [reset] = await auditRows(api, { objectId: fixture.account.id, action: 'account.password_reset' });
      expect(reset!.details).toEqual({ sessionsEnded: 2 });
    });

    it('answers 202 alike for an unknown email, sending nothing', async () => {
      const known = await account(forkEm(api));
      const unknown = `nobody.${Date.now()}@trust.nhs.example`;
      const [a, b] = [await requestReset(unknown).expect(202), await requestReset(known.email).expect(202)];
      expect(a.body).toEqual(b.body);
      expect(await sql(`select 1 from notification where recipient_email = ?`, [unknown])).toEqual([]);
      expect(await outbox('password_reset', known.person.id)).toHaveLength(1);
    });

    it('lets only the newest link work, refuses unknown and expired links, and refuses a short password, changing nothing', async () => {
      const fixture = await account(forkEm(api));
      const older = await resetTokenFor(fixture.email);
      const newer = await resetTokenFor(fixture.email);

      expectProblem(await confirmReset(older, NEW_PASSWORD), 409);
      expectProblem(await confirmReset('not-a-token-we-sent', NEW_PASSWORD), 404);
      expectProblem(await confirmReset(newer, 'short'), 400, ['password']);
      expectProblem(await api.http().post('/api/v1/auth/password-reset/confirm').send({ token: 5, password: NEW_PASSWORD }), 400, ['token']);
      expectProblem(await api.http().post('/api/v1/auth/password-reset/confirm').send({ token: newer, password: NEW_PASSWORD, admin: true }), 400);
      await sql(`update password_reset set expires_at = now() - interval '1 minute' where account_id = ? and used_at is null`, [fixture.account.id]);
      expectProblem(await confirmReset(newer, NEW_PASSWORD), 400, ['token']);

      expect((await login(fixture.email, TEST_PASSWORD).expect(200)).body).toHaveProperty('accessToken');
      expect(await outbox('password_changed', fixture.person.id)).toEqual([]);
    });

    it('leaves MFA on: after a reset, sign-in still asks for a code', async () => {
      const admin = await account(forkEm(api), { roles: ['admin'] });
      await confirmReset(await resetTokenFor(admin.email), NEW_PASSWORD).expect(204);

      expect((await login(admin.email, NEW_PASSWORD).expect(200)).body).toMatchObject({ mfaRequired: true });
    });

    it('limits requests per client address with 429', async () => {
      const limited = await startTestApi({ PASSWORD_RESET_MAX_PER_IP: '2' }, api.config.database.url);
      try {
        // Until Redis is connected the in-memory stand-in counts instead; start counting in Redis.
        await limited.http().get('/health/ready').expect(200);
        const email = `limit.${Date.now()}@trust.nhs.example`;
        await limited.http().post('/api/v1/auth/password-reset').send({ email }).expect(202);
        await limited.http().post('/api/v1/auth/password-reset').send({ email }).expect(202);
        const refused = await limited.http().post('/api/v1/auth/password-reset').send({ email });
        expectProblem(refused, 429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await limited.app.close();
      }
    });
  });

  describe('changing the password', () => {
    it('needs the current password, ends every session, and emails the holder', async () => {
      const fixture = await account(forkEm(api));
      const sessions = await twoSessions(fixture);
      const change = (body: object) => api.http().post('/api/v1/me/password').set(as(sessions[0]!.accessToken)).send(body);

      expectProblem(await change({ currentPassword: 'not my password at all', newPassword: NEW_PASSWORD }), 400, ['currentPassword']);
      expectProblem(await change({ currentPassword: TEST_PASSWORD, newPassword: 'short' }), 400, ['newPassword']);
      expectProblem(await change({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }), 400, ['newPassword']);
      expect(await outbox('password_changed', fixture.person.id)).toEqual([]);

      await change({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }).expect(204);

      await expectEnded(sessions);
      expectProblem(await login(fixture.email, TEST_PASSWORD), 401);
      await login(fixture.email, NEW_PASSWORD).expect(200);
      const changed = await outbox('password_changed', fixture.person.id);
      expect(changed.map((email) => email.data.how)).toEqual(['change']);
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.password_change' }))[0]!.details).toEqual({ sessionsEnded: 2 });
    });

    it('is not open to an admin session still owing its second factor', async () => {
      const admin = await account(forkEm(api), { roles: ['admin'], mfa: false });
      const { accessToken } = (await login(admin.email, TEST_PASSWORD).expect(200)).body as { accessToken: string };
      const refused = await api.http().post('/api/v1/me/password').set(as(accessToken)).send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      expectProblem(refused, 403);
      expect(refused.body.type).toMatch(/\/mfa-required$/);
    });
  });

  describe('signing out everywhere', () => {
    it('ends every session and refresh token of the account, and no other account’s', async () => {
      const fixture = await account(forkEm(api));
      const other = await account(forkEm(api));
      const sessions = await twoSessions(fixture);
      const bystander = await signInFully(api, other);

      await api.http().delete('/api/v1/me/sessions').set(as(sessions[1]!.accessToken)).expect(204);

      await expectEnded(sessions);
      await api.http().get('/api/v1/me').set(as(bystander.accessToken)).expect(200);
      await login(fixture.email, TEST_PASSWORD).expect(200);
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.logout_everywhere' }))[0]!.details).toEqual({ sessionsEnded: 2 });
      expectProblem(await api.http().delete('/api/v1/me/sessions'), 401);
    });
  });
});
