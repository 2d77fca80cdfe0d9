import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Account, JWT_AUDIENCE, JWT_ISSUER } from '@slp/identity';
import { account, AccountFixture, forkEm, organisation, signIn, system, TEST_PASSWORD } from './support/factories';
import { auditRows, expectProblem } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('auth (e2e)', () => {
  let api: TestApi;
  let participant: AccountFixture;
  let disabled: AccountFixture;
  let organisationId: string;

  async function rows<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return forkEm(api).getConnection().execute<T[]>(sql, params);
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await rows<{ n: string | number }>(sql, params);
    return Number(row!.n);
  }

  function login(email: string, password: string) {
    return api.http().post('/api/v1/auth/login').send({ email, password });
  }

  async function startSession(fixture: AccountFixture): Promise<{ accessToken: string; refreshToken: string }> {
    const response = await login(fixture.email, fixture.password).expect(200);
    return response.body as { accessToken: string; refreshToken: string };
  }

  function refresh(refreshToken: string) {
    return api.http().post('/api/v1/auth/refresh').send({ refreshToken });
  }

  function me(authorization?: string) {
    const request = api.http().get('/api/v1/me');
    return authorization === undefined ? request : request.set('Authorization', authorization);
  }

  /** Signs claims the way the API does (HS256, issuer, audience, a session id, 5 minutes), unless told otherwise. */
  function forge(claims: { sub: string; sid?: string | null; exp?: number }, options: jwt.SignOptions = {}, secret = api.config.auth.jwtSecret): string {
    const { sid = randomUUID(), ...rest } = claims;
    return jwt.sign({ ...rest, ...(sid === null ? {} : { sid }) }, secret, { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, ...(claims.exp === undefined ? { expiresIn: 300 } : {}), ...options });
  }

  beforeAll(async () => {
    // The sign-in and registration limits are covered in login-rate-limit and registration
    // e2e specs; here every request comes from 127.0.0.1, so lift them out of the way.
    api = await startTestApi({ LOGIN_MAX_FAILURES_PER_IP: '1000', REGISTER_MAX_PER_IP: '1000', REGISTER_MAX_GLOBAL: '1000' });
    const em = forkEm(api);
    const inSystem = await system(em);
    organisationId = (await organisation(em, inSystem)).id;
    participant = await account(em);
    disabled = await account(em);
    await em.nativeUpdate(Account, { id: disabled.account.id }, { status: 'disabled' });
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('register', () => {
    it('registers a participant, whose organisation waits for confirmation', async () => {
      const response = await api
        .http()
        .post('/api/v1/auth/register')
        .send({ email: 'Grace.Mensah@nhs.example', password: 'a long enough password', givenName: 'Grace', familyName: 'Mensah', organisationId })
        .expect(201);
      expect(response.body).toEqual({ id: expect.any(String), email: 'Grace.Mensah@nhs.example', roles: ['participant'] });

      const [person] = await rows<{ given_name: string; organisation_id: string | null; pending_organisation_id: string | null }>(
        `select p.given_name, p.organisation_id, p.pending_organisation_id from account a join person p on p.id = a.person_id where a.id = ?`,
        [response.body.id],
      );
      expect(person).toEqual({ given_name: 'Grace', organisation_id: null, pending_organisation_id: organisationId });
    });

    it('makes no second account for the same email in a different letter case, and answers as for a new one', async () => {
      await api.http().post('/api/v1/auth/register').send({ email: 'ada.okafor@nhs.example', password: 'a long enough password', givenName: 'Ada', familyName: 'Okafor' }).expect(201);

      const response = await api.http().post('/api/v1/auth/register').send({ email: 'ADA.Okafor@NHS.example', password: 'another long password', givenName: 'Ada', familyName: 'Okafor' });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.any(String), email: 'ADA.Okafor@NHS.example', roles: ['participant'] });
      expect(await count(`select count(*) as n from person where email = ?`, ['ada.okafor@nhs.example'])).toBe(1);
      expect(await count(`select count(*) as n from account a join person p on p.id = a.person_id where p.email = ?`, ['ada.okafor@nhs.example'])).toBe(1);
      await login('ada.okafor@nhs.example', 'another long password').expect(401);
    });

    it('rejects a password under 12 characters and creates nobody', async () => {
      const response = await api.http().post('/api/v1/auth/register').send({ email: 'short.password@nhs.example', password: 'elevenchars', givenName: 'Sam', familyName: 'Short' });

      expectProblem(response, 400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'password', message: expect.any(String) })]));
      expect(await count(`select count(*) as n from person where email = ?`, ['short.password@nhs.example'])).toBe(0);
    });

    it('rejects an organisation that does not exist and creates nobody', async () => {
      const response = await api
        .http()
        .post('/api/v1/auth/register')
        .send({ email: 'no.such.org@nhs.example', password: 'a long enough password', givenName: 'Nia', familyName: 'Nowhere', organisationId: '00000000-0000-4000-8000-000000000000' });

      expectProblem(response, 400);
      expect(await count(`select count(*) as n from person where email = ?`, ['no.such.org@nhs.example'])).toBe(0);
    });

    it('stores the password as an argon2id hash with the OWASP parameters', async () => {
      const response = await api.http().post('/api/v1/auth/register').send({ email: 'hash.check@nhs.example', password: 'a long enough password', givenName: 'Hal', familyName: 'Hash' }).expect(201);

      const [row] = await rows<{ password_hash: string }>(`select password_hash from account where id = ?`, [response.body.id]);
      // PHC string: $argon2id$v=19$<params>$<salt>$<hash>. node-argon2 writes the parameters in
      // the order m, p, t, so compare them as a set rather than as one substring.
      expect(row!.password_hash.startsWith('$argon2id$')).toBe(true);
      const params = Object.fromEntries(row!.password_hash.split('$')[3]!.split(',').map((pair) => pair.split('=')));
      expect(params).toEqual({ m: '19456', t: '2', p: '1' });
      expect(row!.password_hash).not.toContain('a long enough password');
    });

    it('lets a newly registered person sign in with their password', async () => {
      await api.http().post('/api/v1/auth/register').send({ email: 'new.starter@nhs.example', password: 'a long enough password', givenName: 'Nell', familyName: 'Starter' }).expect(201);

      await login('new.starter@nhs.example', 'a long enough password').expect(200);
    });
  });

  describe('login', () => {
    it('returns an access token, a refresh token, the lifetime and the account', async () => {
      const response = await login(participant.email, TEST_PASSWORD).expect(200);

      expect(response.body).toEqual(
        expect.objectContaining({
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
          expiresIn: 900,
          account: expect.objectContaining({ id: participant.account.id, email: participant.email, roles: ['participant'] }),
        }),
      );
      await me(`Bearer ${response.body.accessToken}`).expect(200);
    });

    it('answers a wrong password and an unknown email identically', async () => {
      const wrongPassword = await login(participant.email, 'not the right password');
      const unknownEmail = await login('nobody.here@nhs.example', 'not the right password');

      expectProblem(wrongPassword, 401);
      expectProblem(unknownEmail, 401);
      expect({ type: unknownEmail.body.type, title: unknownEmail.body.title, detail: unknownEmail.body.detail }).toEqual({
        type: wrongPassword.body.type,
        title: wrongPassword.body.title,
        detail: wrongPassword.body.detail,
      });
    });

    it('refuses a disabled account even with the right password', async () => {
      const response = await login(disabled.email, TEST_PASSWORD);

      expectProblem(response, 401);
      expect(response.body).not.toHaveProperty('accessToken');
    });

    it('stops honouring access tokens once the account is disabled', async () => {
      const fixture = await account(forkEm(api));
      const accessToken = await signIn(api, fixture);
      await me(`Bearer ${accessToken}`).expect(200);

      await forkEm(api).nativeUpdate(Account, { id: fixture.account.id }, { status: 'disabled' });

      expectProblem(await me(`Bearer ${accessToken}`), 401);
    });
  });

  describe('GET /me', () => {
    it('returns the signed-in account and person', async () => {
      const accessToken = await signIn(api, participant);

      const response = await me(`Bearer ${accessToken}`).expect(200);

      expect(response.body).toEqual(
        expect.objectContaining({ id: participant.account.id, email: participant.email, roles: ['participant'], systemIds: [], person: expect.objectContaining({ id: participant.person.id }) }),
      );
    });

    it('accepts a token made the way the API makes them (control for the forged tokens below)', async () => {
      await me(`Bearer ${forge({ sub: participant.account.id })}`).expect(200);
    });

    it('needs a token', async () => {
      expectProblem(await me(), 401);
    });

    it('refuses a garbage token', async () => {
      expectProblem(await me('Bearer not.a.jwt'), 401);
    });

    it('refuses an expired token', async () => {
      const expired = forge({ sub: participant.account.id, exp: Math.floor(Date.now() / 1000) - 60 });

      const response = await me(`Bearer ${expired}`);

      expectProblem(response, 401);
      expect(response.body.detail).toMatch(/expired/i);
    });

    it('refuses an unsigned (alg: none) token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: participant.account.id, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 300 })}.`;

      expectProblem(await me(`Bearer ${unsigned}`), 401);
    });

    it('refuses a token signed with HS512, even with the right secret', async () => {
      const hs512 = forge({ sub: participant.account.id }, { algorithm: 'HS512' });

      expectProblem(await me(`Bearer ${hs512}`), 401);
    });

    it('refuses a token meant for another audience', async () => {
      const elsewhere = forge({ sub: participant.account.id }, { audience: 'some-other-api' });

      expectProblem(await me(`Bearer ${elsewhere}`), 401);
    });

    it('refuses a token from another issuer', async () => {
      const elsewhere = forge({ sub: participant.account.id }, { issuer: 'someone-else' });

      expectProblem(await me(`Bearer ${elsewhere}`), 401);
    });

    it('refuses a token that names no session (it could not be signed out)', async () => {
      expectProblem(await me(`Bearer ${forge({ sub: participant.account.id, sid: null })}`), 401);
      expectProblem(await me(`Bearer ${forge({ sub: participant.account.id, sid: 'not-a-session-id' })}`), 401);
    });

    it('refuses a token signed with another secret', async () => {
      const wrongSecret = forge({ sub: participant.account.id }, {}, 'a-different-secret-that-is-long-enough-0000');

      expectProblem(await me(`Bearer ${wrongSecret}`), 401);
    });
  });

  describe('refresh', () => {
    it('exchanges a refresh token for a new working pair', async () => {
      const first = await startSession(participant);

      const response = await refresh(first.refreshToken).expect(200);

      expect(response.body).toEqual(expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 }));
      expect(response.body.refreshToken).not.toBe(first.refreshToken);
      await me(`Bearer ${response.body.accessToken}`).expect(200);
      await refresh(response.body.refreshToken).expect(200);
    });

    it('refuses a refresh token used a second time', async () => {
      const first = await startSession(participant);
      await refresh(first.refreshToken).expect(200);

      expectProblem(await refresh(first.refreshToken), 401);
    });

    it('revokes the whole family when a spent refresh token is reused', async () => {
      const first = await startSession(participant);
      const second = (await refresh(first.refreshToken).expect(200)).body as { refreshToken: string };

      await refresh(first.refreshToken).expect(401);

      expectProblem(await refresh(second.refreshToken), 401);
    });

    it('records the reuse of a spent refresh token in the audit log', async () => {
      const fixture = await account(forkEm(api));
      const first = await startSession(fixture);
      await refresh(first.refreshToken).expect(200);

      await refresh(first.refreshToken).expect(401);

      expect(await auditRows(api, { action: 'refresh_token.reuse_detected', objectId: fixture.account.id })).toHaveLength(1);
    });

    it('lets only one of two concurrent refreshes of the same token succeed', async () => {
      const first = await startSession(participant);

      const responses = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);

      expect(responses.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('refuses a refresh token it never issued', async () => {
      expectProblem(await refresh('made-up-refresh-token'), 401);
    });

    it('keeps only a hash of the refresh token', async () => {
      const session = await startSession(participant);

      const stored = await rows<{ token_hash: string }>(`select token_hash from refresh_token where account_id = ?`, [participant.account.id]);
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.map((r) => r.token_hash)).toContain(sha256(session.refreshToken));
      for (const { token_hash } of stored) expect(token_hash).not.toContain(session.refreshToken);
    });
  });

  describe('logout', () => {
    it('ends the session so its refresh token no longer works', async () => {
      const session = await startSession(participant);

      await api.http().post('/api/v1/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);

      expectProblem(await refresh(session.refreshToken), 401);
    });

    it('also ends the tokens rotated from the same sign-in', async () => {
      const session = await startSession(participant);
      const rotated = (await refresh(session.refreshToken).expect(200)).body as { refreshToken: string };

      await api.http().post('/api/v1/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);

      expectProblem(await refresh(rotated.refreshToken), 401);
    });

    function logout(body: object, accessToken?: string) {
      const request = api.http().post('/api/v1/auth/logout');
      return (accessToken ? request.set('Authorization', `Bearer ${accessToken}`) : request).send(body);
    }

    it('refuses the session’s access token right after sign-out, not 15 minutes later', async () => {
      const session = await startSession(participant);
      await me(`Bearer ${session.accessToken}`).expect(200);

      await logout({ refreshToken: session.refreshToken }).expect(204);

      const response = await me(`Bearer ${session.accessToken}`);
      expectProblem(response, 401);
      expect(response.body.detail).toMatch(/session has ended/i);
    });

    it('also refuses access tokens issued earlier in the same session, and leaves the account’s other sessions alone', async () => {
      const session = await startSession(participant);
      const otherDevice = await startSession(participant);
      const rotated = (await refresh(session.refreshToken).expect(200)).body as { accessToken: string };

      await logout({ refreshToken: session.refreshToken }).expect(204);

      expectProblem(await me(`Bearer ${session.accessToken}`), 401);
      expectProblem(await me(`Bearer ${rotated.accessToken}`), 401);
      await me(`Bearer ${otherDevice.accessToken}`).expect(200);
      await refresh(otherDevice.refreshToken).expect(200);
    });

    it('signs out with just the access token, ending the refresh token too, and records it', async () => {
      const session = await startSession(participant);

      await logout({}, session.accessToken).expect(204);

      expectProblem(await me(`Bearer ${session.accessToken}`), 401);
      expectProblem(await refresh(session.refreshToken), 401);
      const [row] = await rows<{ n: string }>(`select count(*) as n from refresh_token where family_id = ? and revoked_at is null`, [jwt.decode(session.accessToken, { json: true })!.sid]);
      expect(Number(row!.n)).toBe(0);
      expect(await auditRows(api, { action: 'account.logout', objectId: participant.account.id })).not.toHaveLength(0);
    });

    it('answers 401 when neither a refresh token nor a valid access token names a session, and 400 for a malformed body', async () => {
      expectProblem(await logout({}), 401);
      expectProblem(await logout({}, 'not.a.jwt'), 401);
      expectProblem(await logout({ refreshToken: 42 }), 400, ['refreshToken']);
      expectProblem(await logout({ refreshToken: 'x', extra: true }), 400);
    });

    it('answers 204 for a refresh token it does not know, as signing out twice is not an error', async () => {
      const session = await startSession(participant);
      await logout({ refreshToken: session.refreshToken }).expect(204);

      await logout({ refreshToken: session.refreshToken }).expect(204);
      await logout({ refreshToken: 'never-issued' }).expect(204);
    });
  });

  describe('refresh-token reuse', () => {
    it('refuses the access tokens of a family whose spent refresh token was presented again', async () => {
      const first = await startSession(participant);
      const second = (await refresh(first.refreshToken).expect(200)).body as { accessToken: string; refreshToken: string };
      await me(`Bearer ${second.accessToken}`).expect(200);

      await refresh(first.refreshToken).expect(401);

      expectProblem(await me(`Bearer ${second.accessToken}`), 401);
      expectProblem(await me(`Bearer ${first.accessToken}`), 401);
    });
  });

  describe('audit log', () => {
    it('records registration, sign-in and failed sign-in', async () => {
      const registered = await api.http().post('/api/v1/auth/register').send({ email: 'audited@nhs.example', password: 'a long enough password', givenName: 'Ava', familyName: 'Audit' }).expect(201);
      const accountId = registered.body.id as string;
      await login('audited@nhs.example', 'a long enough password').expect(200);
      await login('audited@nhs.example', 'the wrong password!').expect(401);

      const actions = await rows<{ action: string }>(`select action from audit_log where object_type = 'account' and object_id = ? order by id`, [accountId]);
      expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['account.register', 'account.login', 'account.login_failed']));
    });
  });
});
