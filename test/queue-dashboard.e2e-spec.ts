import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Account, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@slp/identity';
import { accessTokenFor, account, AccountFixture, forkEm, signIn, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

describe('queue dashboard at /admin/queues (e2e)', () => {
  let api: TestApi;
  let nationalFixture: AccountFixture;
  let national: string;
  let systemAdmin: string;
  let participant: string;

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    nationalFixture = await account(em, { roles: ['admin'] });
    national = accessTokenFor(api, nationalFixture);
    systemAdmin = accessTokenFor(api, await account(em, { roles: ['admin'], systems: [await system(em)] }));
    participant = accessTokenFor(api, await account(em));
  });

  afterAll(async () => {
    await api.close();
  });

  const dashboard = () => api.http().get('/admin/queues');

  /** Trades an access token for the dashboard cookie, returning the Set-Cookie header. */
  async function handover(accessToken: string, headers: Record<string, string> = {}): Promise<string> {
    const response = await api.http().get(`/admin/queues?token=${accessToken}`).set(headers).expect(303);
    expect(response.headers.location).toBe('/admin/queues');
    return String(response.headers['set-cookie']);
  }

  const cookieValue = (setCookie: string) => setCookie.split(';')[0]!.slice('slp_queue_dashboard='.length);

  function expectProblem(response: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, kind: string): void {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.stringMatching(new RegExp(`${kind}$`)), status, instance: '/admin/queues' });
  }

  it('answers 401 problem+json without a credential, or with one that does not hold', async () => {
    const bogusSubject = api.app.get(JwtService).sign({ sub: 'not-an-account-id', sid: randomUUID() }, { algorithm: JWT_ALGORITHM, expiresIn: 900, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, secret: api.config.auth.jwtSecret });
    for (const request of [dashboard(), dashboard().set('Authorization', `Bearer ${bogusSubject}`), dashboard().set('Authorization', 'Bearer not.a.jwt'), dashboard().set('Cookie', 'slp_queue_dashboard=not.a.jwt')]) {
      expectProblem(await request, 401, 'not-authenticated');
    }
    expectProblem(await api.http().get('/admin/queues?token=not.a.jwt'), 401, 'not-authenticated');
  });

  it('answers 403, not 401, to a signed-in caller who is not a national admin', async () => {
    for (const token of [participant, systemAdmin]) {
      expectProblem(await dashboard().set('Authorization', `Bearer ${token}`), 403, 'forbidden');
      expectProblem(await api.http().get(`/admin/queues?token=${token}`), 403, 'forbidden');
    }
  });

  it('opens for a national admin by bearer token, or by its own cookie set from ?token= (HttpOnly, SameSite=Strict, this path only, 15 minutes)', async () => {
    expect((await dashboard().set('Authorization', `Bearer ${national}`)).status).toBe(200);

    const setCookie = await handover(national);
    expect(setCookie).toMatch(/^slp_queue_dashboard=[^;]+; Path=\/admin\/queues; Max-Age=900; HttpOnly; SameSite=Strict$/);

    expect((await dashboard().set('Cookie', setCookie.split(';')[0]!)).status).toBe(200);
  });

  it('puts a credential of its own in the cookie: not the access token, no good for the API, and no access token is good as the cookie', async () => {
    const value = cookieValue(await handover(national));

    expect(value).not.toBe(national);
    expect(jwt.decode(value, { json: true })).toMatchObject({ sub: nationalFixture.account.id, aud: 'queue-dashboard' });
    const claims = jwt.decode(value, { json: true })!;
    expect(claims.exp! - claims.iat!).toBe(900);
    expect((await api.http().get('/api/v1/me').set('Authorization', `Bearer ${value}`)).status).toBe(401);
    expectProblem(await dashboard().set('Cookie', `slp_queue_dashboard=${national}`), 401, 'not-authenticated');
  });

  it('marks the cookie Secure behind an https proxy when TRUST_PROXY is on, and ignores the header when it is off', async () => {
    expect(await handover(national, { 'X-Forwarded-Proto': 'https' })).not.toMatch(/Secure/);

    const behindProxy = await startTestApi({ TRUST_PROXY: 'true' }, api.config.database.url);
    try {
      const response = await behindProxy.http().get(`/admin/queues?token=${accessTokenFor(behindProxy, nationalFixture)}`).set('X-Forwarded-Proto', 'https').expect(303);
      expect(String(response.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await behindProxy.app.close();
    }
  });

  it('marks the cookie Secure when PUBLIC_URL is https', async () => {
    const https = await startTestApi({ PUBLIC_URL: 'https://leadership.example' }, api.config.database.url);
    try {
      const response = await https.http().get(`/admin/queues?token=${accessTokenFor(https, nationalFixture)}`).expect(303);
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure$/);
    } finally {
      await https.app.close();
    }
  });

  it('stops accepting the cookie once the admin signs out of that session, or is no longer a national admin', async () => {
    const signedIn = await signIn(api, nationalFixture);
    const cookie = (await handover(signedIn)).split(';')[0]!;
    expect((await dashboard().set('Cookie', cookie)).status).toBe(200);

    await api.http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${signedIn}`).send({}).expect(204);
    expectProblem(await dashboard().set('Cookie', cookie), 401, 'not-authenticated');

    const demoted = await account(forkEm(api), { roles: ['admin'] });
    const demotedCookie = (await handover(accessTokenFor(api, demoted))).split(';')[0]!;
    await forkEm(api).nativeUpdate(Account, { id: demoted.account.id }, { roles: ['participant'] });
    expectProblem(await dashboard().set('Cookie', demotedCookie), 403, 'forbidden');
  });

  it('is never cached', async () => {
    expect((await dashboard().set('Authorization', `Bearer ${national}`)).headers['cache-control']).toBe('no-store');
  });
});
