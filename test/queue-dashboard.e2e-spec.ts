import { JwtService } from '@nestjs/jwt';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@slp/identity';
import { accessTokenFor, account, forkEm, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

describe('queue dashboard at /admin/queues (e2e)', () => {
  let api: TestApi;
  let national: string;
  let systemAdmin: string;
  let participant: string;

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    national = accessTokenFor(api, await account(em, { roles: ['admin'] }));
    systemAdmin = accessTokenFor(api, await account(em, { roles: ['admin'], systems: [await system(em)] }));
    participant = accessTokenFor(api, await account(em));
  });

  afterAll(async () => {
    await api.close();
  });

  const dashboard = () => api.http().get('/admin/queues');

  it('answers 401 problem+json without a token, and for anyone but a national admin', async () => {
    const bogusSubject = api.app.get(JwtService).sign({ sub: 'not-an-account-id' }, { algorithm: JWT_ALGORITHM, expiresIn: 900, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, secret: api.config.auth.jwtSecret });
    for (const request of [dashboard(), dashboard().set('Authorization', `Bearer ${participant}`), dashboard().set('Authorization', `Bearer ${systemAdmin}`), dashboard().set('Authorization', `Bearer ${bogusSubject}`), dashboard().set('Authorization', 'Bearer not.a.jwt')]) {
      const response = await request;
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/not-authenticated$/), status: 401, instance: '/admin/queues' });
    }
    expect((await api.http().get(`/admin/queues?token=${systemAdmin}`)).status).toBe(401);
  });

  it('opens for a national admin by bearer token, or by a cookie set from ?token= (HttpOnly, SameSite=Strict, this path only)', async () => {
    expect((await dashboard().set('Authorization', `Bearer ${national}`)).status).toBe(200);

    const handover = await api.http().get(`/admin/queues?token=${national}`).expect(303);
    expect(handover.headers.location).toBe('/admin/queues');
    const cookie = String(handover.headers['set-cookie']);
    expect(cookie).toMatch(/^slp_queue_dashboard=[^;]+; Path=\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Strict/);

    expect((await dashboard().set('Cookie', cookie.split(';')[0]!)).status).toBe(200);
  });
});
