import type { Response } from 'supertest';
import { account, forkEm, region, signIn, system } from './support/factories';
import { expectProblem } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

const REGISTER = '/api/v1/auth/register';

describe('problem details and HTTP hygiene (e2e)', () => {
  let api: TestApi;
  let adminToken: string;
  let systemId: string;

  async function count(table: 'person' | 'account' | 'system' | 'audit_log'): Promise<number> {
    const [row] = await forkEm(api).getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`);
    return Number(row!.n);
  }

  /** Row counts of the tables a bad request could have written to, before and after it. */
  async function expectNothingWritten(tables: ('person' | 'account' | 'system' | 'audit_log')[], request: () => Promise<Response>): Promise<Response> {
    const before = await Promise.all(tables.map(count));
    const response = await request();
    expect(await Promise.all(tables.map(count))).toEqual(before);
    return response;
  }

  const validSystem = () => ({ name: `Problem ICS ${Date.now()}`, odsCode: 'QZ9', kind: 'ICS', region: 'Y62', population: 1_200_000 });

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    await region(em);
    systemId = (await system(em)).id;
    adminToken = await signIn(api, await account(em, { roles: ['admin'] }));
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('malformed requests', () => {
    it('answers malformed JSON with 400, not 500, and writes nothing', async () => {
      const response = await expectNothingWritten(['person', 'account', 'audit_log'], () =>
        api.http().post(REGISTER).set('Content-Type', 'application/json').send('{"email": "broken@nhs.example", "password": '),
      );

      expectProblem(response, 400);
    });

    it('answers a JSON array body with 400 and writes nothing', async () => {
      const response = await expectNothingWritten(['person', 'account', 'audit_log'], () =>
        api
          .http()
          .post(REGISTER)
          .send([{ email: 'array.body@nhs.example', password: 'a long enough password', givenName: 'Arr', familyName: 'Ay' }]),
      );

      expectProblem(response, 400);
    });

    it('answers a text/plain body with 415 and writes nothing', async () => {
      const response = await expectNothingWritten(['person', 'account', 'audit_log'], () =>
        api.http().post(REGISTER).set('Content-Type', 'text/plain').send('email=plain@nhs.example&password=a long enough password'),
      );

      expectProblem(response, 415);
    });

    it('answers a body over 1 MiB with 413 and writes nothing', async () => {
      const huge = JSON.stringify({ email: 'huge@nhs.example', password: 'a long enough password', givenName: 'x'.repeat(1_100_000), familyName: 'Huge' });

      const response = await expectNothingWritten(['person', 'account', 'audit_log'], () => api.http().post(REGISTER).set('Content-Type', 'application/json').send(huge));

      expectProblem(response, 413);
    });
  });

  describe('validation', () => {
    it('names a field of the wrong type and writes nothing', async () => {
      const response = await expectNothingWritten(['system', 'audit_log'], () =>
        api
          .http()
          .post('/api/v1/systems')
          .auth(adminToken, { type: 'bearer' })
          .send({ ...validSystem(), population: 'many' }),
      );

      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'population', message: expect.any(String) })]);
    });

    it('names an unknown body field and writes nothing', async () => {
      const response = await expectNothingWritten(['system', 'audit_log'], () =>
        api
          .http()
          .post('/api/v1/systems')
          .auth(adminToken, { type: 'bearer' })
          .send({ ...validSystem(), isAdmin: true }),
      );

      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
    });

    it('accepts the same body without the mistakes (control for the two tests above)', async () => {
      const before = await count('system');

      await api.http().post('/api/v1/systems').auth(adminToken, { type: 'bearer' }).send(validSystem()).expect(201);

      expect(await count('system')).toBe(before + 1);
    });

    it('rejects an unknown query parameter on a list route', async () => {
      const response = await api.http().get('/api/v1/systems').query({ sortBy: 'name' }).auth(adminToken, { type: 'bearer' });

      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'sortBy' })]);
    });

    it('rejects a path id that is not a UUID', async () => {
      expectProblem(await api.http().get('/api/v1/systems/not-a-uuid').auth(adminToken, { type: 'bearer' }), 400);
    });

    it('answers a well-formed id that matches nothing with 404', async () => {
      expectProblem(await api.http().get('/api/v1/systems/00000000-0000-4000-8000-000000000000').auth(adminToken, { type: 'bearer' }), 404);
    });

    it('finds a system that exists (control for the id tests above)', async () => {
      await api.http().get(`/api/v1/systems/${systemId}`).auth(adminToken, { type: 'bearer' }).expect(200);
    });
  });

  describe('routing', () => {
    it('answers an unknown route with 404 problem details', async () => {
      expectProblem(await api.http().get('/api/v1/no-such-route').auth(adminToken, { type: 'bearer' }), 404);
    });

    it('answers an unknown route with 404 even without a token', async () => {
      expectProblem(await api.http().post('/api/v1/nothing/here').send({}), 404);
    });

    it('does not repeat the address of an unknown route, so an emailed link opened against the API never echoes its token', async () => {
      const token = 'Xk3vQ9mB2pL7sT0wY5cN8dR1fH4gJ6aE2uI9oZ3bV0';
      for (const path of [`/nominations/consent?token=${token}`, `/invitations/accept?token=${token}`, `/api/v1/no-such-route?token=${token}`]) {
        const response = await api.http().get(path);
        expectProblem(response, 404);
        expect(response.text).not.toContain(token);
        expect(response.body.detail).toBe('There is no such route. Check the method and the address.');
      }
      // GET on the API's consent route is no route either (the answer is a POST): nothing echoed there.
      const opened = await api.http().get(`/api/v1/nominations/consent?token=${token}`);
      expect(opened.status).toBeGreaterThanOrEqual(400);
      expect(opened.text).not.toContain(token);
    });

    it('answers a path segment longer than the router takes with 414 problem details, without echoing it', async () => {
      const segment = `Xk3vQ9mB2pL7${'a'.repeat(200)}`;
      const response = await api.http().get(`/api/v1/systems/${segment}`).auth(adminToken, { type: 'bearer' });
      expectProblem(response, 414);
      expect(response.text).not.toContain('Xk3vQ9mB2pL7');
    });

    it('answers a request line over 16 KB with 431 problem details (from Node, before any route)', async () => {
      const response = await api.http().get(`/api/v1/systems?cursor=${'a'.repeat(20_000)}`).auth(adminToken, { type: 'bearer' });
      expectProblem(response, 431);
    });

    it('answers malformed HTTP with 400 problem details', async () => {
      const { createConnection } = await import('node:net');
      const address = api.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      if (!port) await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
      const listening = api.server.address() as { port: number };
      const raw = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = createConnection(listening.port, '127.0.0.1', () => socket.write('GET /api/v1/me HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'));
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, title: 'Invalid input', detail: expect.any(String) });
    });
  });

  describe('headers', () => {
    it('sends the security headers on ordinary responses', async () => {
      const response = await api.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' }).expect(200);

      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['x-frame-options']).toEqual(expect.any(String));
    });

    it('sends the security headers on error responses too', async () => {
      const response = await api.http().get('/api/v1/me');

      expectProblem(response, 401);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['x-frame-options']).toEqual(expect.any(String));
    });

    it('does not allow cross-origin calls by default', async () => {
      const simple = await api.http().get('/health/live').set('Origin', 'https://evil.example').expect(200);
      const preflight = await api.http().options('/api/v1/auth/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');

      expect(simple.headers).not.toHaveProperty('access-control-allow-origin');
      expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
    });

    it('echoes the caller’s X-Request-Id', async () => {
      const response = await api.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' }).set('X-Request-Id', 'test-request-0001').expect(200);

      expect(response.headers['x-request-id']).toBe('test-request-0001');
    });

    it('echoes the caller’s X-Request-Id on an error response', async () => {
      const response = await api.http().get('/api/v1/me').set('X-Request-Id', 'test-request-0002');

      expectProblem(response, 401);
      expect(response.headers['x-request-id']).toBe('test-request-0002');
    });

    it('gives every response a request id when the caller sends none', async () => {
      const response = await api.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' }).expect(200);

      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
