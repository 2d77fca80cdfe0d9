import { Secret } from 'otpauth';
import type { Response } from 'supertest';
import { auditRows, expectProblem } from './support/assertions';
import { account, AccountFixture, forkEm, signIn, signInFully, signInSettingUpMfa, system, totpAt, unusedTotpCode } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';
import { binaryParser, zipOf } from './support/zip-reader';

/**
 * Multi-factor sign-in against the real API, PostgreSQL and Redis: TOTP set-up and confirmation,
 * sign-in in two steps, replayed codes, recovery codes, the wrong-code limit, and the rule that an
 * admin without a second factor reaches only their own page and the MFA set-up.
 */
describe('multi-factor authentication (e2e)', () => {
  let api: TestApi;

  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = (fixture: AccountFixture) => api.http().post('/api/v1/auth/login').send({ email: fixture.email, password: fixture.password });
  const secondStep = (challengeToken: string, code: string) => api.http().post('/api/v1/auth/login/mfa').send({ challengeToken, code });
  const challengeFor = async (fixture: AccountFixture): Promise<string> => {
    const response = await login(fixture).expect(200);
    return (response.body as { challengeToken: string }).challengeToken;
  };
  const outbox = (kind: string, personId: string) => sql<{ data: Record<string, unknown> }>(`select data from notification where kind = ? and recipient_person_id = ? order by created_at`, [kind, personId]);

  /** A participant who turns MFA on through the API; returns its key and recovery codes. */
  const participantWithMfa = async (): Promise<AccountFixture & { secret: string; recoveryCodes: string[] }> => {
    const fixture = await account(forkEm(api));
    const token = await signIn(api, fixture);
    const setup = (await api.http().post('/api/v1/me/mfa/totp').set(as(token)).expect(201)).body as { secret: string };
    // The previous step's code (one step of drift is accepted), leaving the current and next steps for the test.
    const confirmed = (await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: totpAt(setup.secret, Date.now() - 30_000) }).expect(200)).body as { recoveryCodes: string[] };
    return { ...fixture, secret: setup.secret, recoveryCodes: confirmed.recoveryCodes };
  };

  beforeAll(async () => {
    api = await startTestApi();
    // Until Redis is connected the in-memory stand-in counts wrong codes instead; start counting in Redis.
    await api.http().get('/health/ready').expect(200);
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('set-up', () => {
    it('gives a key not yet active, as text, an otpauth URL and a QR code, stored encrypted; a code confirms it and shows ten recovery codes once, stored hashed', async () => {
      const fixture = await account(forkEm(api));
      const token = await signIn(api, fixture);
      expect((await api.http().get('/api/v1/me').set(as(token)).expect(200)).body.mfa).toEqual({ enabled: false, required: false });

      const setup = await api.http().post('/api/v1/me/mfa/totp').set(as(token)).expect(201);
      const { secret, otpauthUrl, qrSvg } = setup.body as { secret: string; otpauthUrl: string; qrSvg: string };
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
      const url = new URL(otpauthUrl);
      expect(url.protocol).toBe('otpauth:');
      expect(url.host).toBe('totp');
      expect(url.searchParams.get('secret')).toBe(secret);
      expect(url.searchParams.get('issuer')).toBe('System Leadership Platform');
      expect(url.searchParams.get('digits')).toBe('6');
      expect(url.searchParams.get('period')).toBe('30');
      expect(qrSvg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(qrSvg).toContain('<path');

      // Encrypted at rest: neither the key nor its bytes appear in the row.
      const [stored] = await sql<{ totp_secret: string; confirmed_at: Date | null }>(`select totp_secret, confirmed_at from account_mfa where account_id = ?`, [fixture.account.id]);
      expect(stored!.confirmed_at).toBeNull();
      expect(stored!.totp_secret).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(stored!.totp_secret).not.toContain(secret);
      expect(stored!.totp_secret.toLowerCase()).not.toContain(Buffer.from(Secret.fromBase32(secret).bytes).toString('hex'));
      // Not active yet: signing in still needs the password only.
      expect((await login(fixture).expect(200)).body).toHaveProperty('accessToken');

      const wrong = await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: totpAt(secret, Date.now() - 10 * 60_000) });
      expectProblem(wrong, 400, ['code']);
      expect((await api.http().get('/api/v1/me').set(as(token)).expect(200)).body.mfa.enabled).toBe(false);

      const confirmed = await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: totpAt(secret) }).expect(200);
      const { recoveryCodes } = confirmed.body as { recoveryCodes: string[] };
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      for (const code of recoveryCodes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
      const hashes = await sql<{ code_hash: string }>(`select code_hash from mfa_recovery_code where account_id = ?`, [fixture.account.id]);
      expect(hashes).toHaveLength(10);
      for (const { code_hash } of hashes) {
        expect(code_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(recoveryCodes.some((code) => code_hash.includes(code.replaceAll('-', '')))).toBe(false);
      }
      expect((await api.http().get('/api/v1/me').set(as(token)).expect(200)).body.mfa).toEqual({ enabled: true, required: false });
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.mfa_enabled' })).map((row) => row.details)).toEqual([{ method: 'totp', recoveryCodes: 10 }]);

      // On already: a new set-up would replace the working key, so it is refused.
      expectProblem(await api.http().post('/api/v1/me/mfa/totp').set(as(token)), 409);
      expectProblem(await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: totpAt(secret) }), 409);
    });

    it('refuses to confirm before a set-up was started, and refuses malformed input, changing nothing', async () => {
      const fixture = await account(forkEm(api));
      const token = await signIn(api, fixture);
      expectProblem(await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: '123456' }), 409);
      expectProblem(await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({}), 400, ['code']);
      expectProblem(await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: 123456 }), 400, ['code']);
      expectProblem(await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(token)).send({ code: '123456', extra: true }), 400);
      expect(await sql(`select 1 from account_mfa where account_id = ?`, [fixture.account.id])).toEqual([]);
      expectProblem(await api.http().post('/api/v1/me/mfa/totp'), 401);
    });
  });

  describe('sign-in', () => {
    it('asks an account with MFA for a code instead of giving tokens, then gives the usual pair for a right code', async () => {
      const fixture = await participantWithMfa();

      const first = await login(fixture).expect(200);
      expect(first.body).toEqual({ mfaRequired: true, challengeToken: expect.any(String), expiresIn: 300 });
      expect(first.body).not.toHaveProperty('accessToken');
      expect(first.body).not.toHaveProperty('refreshToken');
      // The challenge is no access token.
      expectProblem(await api.http().get('/api/v1/me').set(as(first.body.challengeToken)), 401);

      const second = await secondStep(first.body.challengeToken, await unusedTotpCode(api, fixture.account.id)).expect(200);
      expect(second.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900, tokenType: 'Bearer', account: { id: fixture.account.id } });
      const claims = JSON.parse(Buffer.from(second.body.accessToken.split('.')[1], 'base64url').toString()) as { amr: string[] };
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect((await api.http().get('/api/v1/me').set(as(second.body.accessToken)).expect(200)).body.mfa).toEqual({ enabled: true, required: false });

      // A refreshed session keeps its second factor.
      const refreshed = await api.http().post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(200);
      expect((JSON.parse(Buffer.from(refreshed.body.accessToken.split('.')[1], 'base64url').toString()) as { amr: string[] }).amr).toEqual(['pwd', 'otp', 'mfa']);
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.login' })).at(-1)!.details).toEqual({ amr: ['pwd', 'otp', 'mfa'] });
    });

    it('refuses a replayed code, an older code and a spent challenge', async () => {
      const fixture = await participantWithMfa();
      const code = await unusedTotpCode(api, fixture.account.id);
      const challenge = await challengeFor(fixture);
      await secondStep(challenge, code).expect(200);

      // The same code again, with a fresh challenge: refused (its time step is spent).
      expectProblem(await secondStep(await challengeFor(fixture), code), 401);
      // The code of the step before: older than the one used, refused too.
      const [row] = await sql<{ last_used_step: string }>(`select last_used_step from account_mfa where account_id = ?`, [fixture.account.id]);
      expectProblem(await secondStep(await challengeFor(fixture), totpAt(fixture.secret, (Number(row!.last_used_step) - 1) * 30_000)), 401);
      // The spent challenge with a new, good code: refused, and the code is not used up by it.
      expectProblem(await secondStep(challenge, await unusedTotpCode(api, fixture.account.id)), 401);
      // A forged challenge.
      expectProblem(await secondStep(`${challenge.slice(0, -4)}AAAA`, '000000'), 401);
    });

    it('accepts each recovery code once, in place of a TOTP, and emails the holder', async () => {
      const fixture = await participantWithMfa();
      const [recovery] = fixture.recoveryCodes;

      const signedIn = await secondStep(await challengeFor(fixture), recovery!.toLowerCase()).expect(200);
      expect((JSON.parse(Buffer.from(signedIn.body.accessToken.split('.')[1], 'base64url').toString()) as { amr: string[] }).amr).toEqual(['pwd', 'mfa']);
      expectProblem(await secondStep(await challengeFor(fixture), recovery!), 401);

      const [used] = await sql<{ n: string }>(`select count(*) as n from mfa_recovery_code where account_id = ? and used_at is not null`, [fixture.account.id]);
      expect(used!.n).toBe('1');
      const emails = await outbox('mfa_recovery_code_used', fixture.person.id);
      expect(emails).toHaveLength(1);
      expect(emails[0]!.data).toMatchObject({ remaining: 9, givenName: 'Test' });
      expect(JSON.stringify(emails[0]!.data)).not.toContain(recovery!);
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.mfa_recovery_code_used' })).map((row) => row.details)).toEqual([{ remaining: 9 }]);
    });

    it('answers the sixth attempt after five wrong codes with 429 and Retry-After, even with a right code', async () => {
      const fixture = await participantWithMfa();
      const challenge = await challengeFor(fixture);
      const wrong = totpAt(fixture.secret, Date.now() + 10 * 60_000);
      for (let attempt = 1; attempt <= 5; attempt++) expectProblem(await secondStep(challenge, wrong), 401);

      const refused: Response = await secondStep(challenge, await unusedTotpCode(api, fixture.account.id));
      expectProblem(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.mfa_failed' })).length).toBe(5);
      // The limit is the account's, not the challenge's: signing in again does not reset it.
      const token = (await login(fixture).expect(200)).body.challengeToken as string;
      expectProblem(await secondStep(token, await unusedTotpCode(api, fixture.account.id)), 429);
    });
  });

  describe('roles that require MFA (MFA_REQUIRED_ROLES, admin by default)', () => {
    it('hold an admin without MFA to /me and the set-up until they sign in again with a code', async () => {
      const sys = await system(forkEm(api));
      const admin = await account(forkEm(api), { roles: ['admin'], systems: [sys], mfa: false });
      const pair = (await login(admin).expect(200)).body as { accessToken: string; refreshToken: string };
      expect(pair).toHaveProperty('accessToken');

      const me = await api.http().get('/api/v1/me').set(as(pair.accessToken)).expect(200);
      expect(me.body.mfa).toEqual({ enabled: false, required: true });
      for (const path of ['/systems', '/programmes', '/notifications', `/systems/${sys.id}`, '/me/enrolments']) {
        const refused = await api.http().get(`/api/v1${path}`).set(as(pair.accessToken));
        expectProblem(refused, 403);
        expect(refused.body.type).toMatch(/\/mfa-required$/);
      }
      expectProblem(await api.http().post('/api/v1/systems').set(as(pair.accessToken)).send({ name: 'Nope ICS', odsCode: 'QZZ', kind: 'ICS', region: 'Y62' }), 403);
      // Refreshing does not lift it.
      const refreshed = (await api.http().post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(200)).body as { accessToken: string };
      expect((await api.http().get('/api/v1/systems').set(as(refreshed.accessToken))).body.type).toMatch(/\/mfa-required$/);
      // Turning MFA off is not on offer for the role.
      expectProblem(await api.http().delete('/api/v1/me/mfa/totp').set(as(refreshed.accessToken)).send({ code: '123456' }), 409);

      // The set-up is open to it; the session that set it up stays limited (it began without a second factor) …
      const setup = (await api.http().post('/api/v1/me/mfa/totp').set(as(refreshed.accessToken)).expect(201)).body as { secret: string };
      await api.http().post('/api/v1/me/mfa/totp/confirm').set(as(refreshed.accessToken)).send({ code: totpAt(setup.secret, Date.now() - 30_000) }).expect(200);
      expect((await api.http().get('/api/v1/systems').set(as(refreshed.accessToken))).body.type).toMatch(/\/mfa-required$/);
      // … and signing in again, now with a code, opens everything the role allows.
      const full = await signIn(api, admin);
      await api.http().get('/api/v1/systems').set(as(full)).expect(200);
      expect((await api.http().get('/api/v1/me').set(as(full)).expect(200)).body.mfa).toEqual({ enabled: true, required: true });
      expectProblem(await api.http().delete('/api/v1/me/mfa/totp').set(as(full)).send({ code: await unusedTotpCode(api, admin.account.id) }), 409);
      expect(await sql(`select 1 from account_mfa where account_id = ? and confirmed_at is not null`, [admin.account.id])).toHaveLength(1);
    });

    it('lets a freshly made admin set up MFA on first sign-in (the test helper does what a person would)', async () => {
      const admin = await account(forkEm(api), { roles: ['admin'], mfa: false });
      const { accessToken, recoveryCodes } = await signInSettingUpMfa(api, admin);
      expect(recoveryCodes).toHaveLength(10);
      await api.http().get('/api/v1/notifications').set(as(accessToken)).expect(200);
    });
  });

  describe('turning MFA off', () => {
    it('needs a current code, emails the holder, and then sign-in needs the password only', async () => {
      const fixture = await participantWithMfa();
      const { accessToken } = await signInFully(api, fixture);

      expectProblem(await api.http().delete('/api/v1/me/mfa/totp').set(as(accessToken)).send({ code: totpAt(fixture.secret, Date.now() + 10 * 60_000) }), 400, ['code']);
      expectProblem(await api.http().delete('/api/v1/me/mfa/totp').set(as(accessToken)).send({}), 400, ['code']);
      expect(await sql(`select 1 from account_mfa where account_id = ?`, [fixture.account.id])).toHaveLength(1);
      expect(await outbox('mfa_disabled', fixture.person.id)).toEqual([]);

      await api.http().delete('/api/v1/me/mfa/totp').set(as(accessToken)).send({ code: await unusedTotpCode(api, fixture.account.id) }).expect(204);

      expect(await sql(`select 1 from account_mfa where account_id = ?`, [fixture.account.id])).toEqual([]);
      expect(await sql(`select 1 from mfa_recovery_code where account_id = ?`, [fixture.account.id])).toEqual([]);
      expect((await api.http().get('/api/v1/me').set(as(accessToken)).expect(200)).body.mfa).toEqual({ enabled: false, required: false });
      expect(await outbox('mfa_disabled', fixture.person.id)).toHaveLength(1);
      expect((await auditRows(api, { objectId: fixture.account.id, action: 'account.mfa_disabled' })).map((row) => row.details)).toEqual([{ proof: 'totp' }]);
      expect((await login(fixture).expect(200)).body).toHaveProperty('accessToken');
      expectProblem(await api.http().delete('/api/v1/me/mfa/totp').set(as(accessToken)).send({ code: '123456' }), 409);
    });
  });

  describe('personal data', () => {
    it('exports whether MFA is on and when recovery codes were used, never the key or codes; erasure removes it', async () => {
      const fixture = await participantWithMfa();
      await secondStep(await challengeFor(fixture), fixture.recoveryCodes[3]!).expect(200);
      const nationalAdmin = await account(forkEm(api), { roles: ['admin'] });
      const adminToken = await signIn(api, nationalAdmin);

      const exported = await api.http().get(`/api/v1/people/${fixture.person.id}/data-export`).set(as(adminToken)).buffer(true).parse(binaryParser).expect(200);
      const files = await zipOf(exported);
      const accountJson = JSON.parse(files.get('account.json')!) as { multiFactor: { enabled: boolean; recoveryCodes: { usedAt: string | null }[] } };
      expect(accountJson.multiFactor).toMatchObject({ method: 'totp', enabled: true });
      expect(accountJson.multiFactor.recoveryCodes).toHaveLength(10);
      expect(accountJson.multiFactor.recoveryCodes.filter((code) => code.usedAt)).toHaveLength(1);
      for (const secretish of [fixture.secret, ...fixture.recoveryCodes]) expect(files.get('account.json')).not.toContain(secretish);

      await api.http().post(`/api/v1/people/${fixture.person.id}/erasure`).set(as(adminToken)).send({ reason: 'Erasure request, ref IG-4410' }).expect(200);
      expect(await sql(`select 1 from account_mfa where account_id = ?`, [fixture.account.id])).toEqual([]);
      expect(await sql(`select 1 from mfa_recovery_code where account_id = ?`, [fixture.account.id])).toEqual([]);
      const [erasure] = await auditRows(api, { objectId: fixture.person.id, action: 'person.erase' });
      expect(erasure!.details).toMatchObject({ effects: { account: { multiFactor: 1, recoveryCodes: 10 } } });
    });
  });
});
