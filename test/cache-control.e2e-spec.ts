import { accessTokenFor, account, AccountFixture, cohort, forkEm, programme, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

/** Personal responses and tokens must not be kept by browsers or proxies (OWASP ASVS V8.2.1). */
describe('Cache-Control: no-store on personal responses (e2e)', () => {
  let api: TestApi;
  let participant: AccountFixture;
  let participantToken: string;
  let national: string;
  let cohortId: string;
  let sessionId: string;

  beforeAll(async () => {
    api = await startTestApi({ LOGIN_MAX_ATTEMPTS_PER_IP: '1000' });
    const em = forkEm(api);
    const inSystem = await system(em);
    participant = await account(em);
    participantToken = accessTokenFor(api, participant);
    national = accessTokenFor(api, await account(em, { roles: ['admin'] }));
    cohortId = (await cohort(em, await programme(em, inSystem))).id;
    const session = await api
      .http()
      .post(`/api/v1/cohorts/${cohortId}/sessions`)
      .set('Authorization', `Bearer ${national}`)
      .send({ title: 'Systems thinking workshop', kind: 'workshop', startsAt: '2027-07-01T09:30', endsAt: '2027-07-01T12:30', location: 'Leeds Civic Hall' })
      .expect(201);
    sessionId = session.body.id as string;
  });

  afterAll(async () => {
    await api.close();
  });

  const get = (path: string, token: string) => api.http().get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);

  it.each([
    ['/me', 'participant'],
    ['/me/enrolments', 'participant'],
    ['/me/nominations', 'participant'],
    ['/people', 'national'],
    ['/nominations', 'national'],
    ['/reports/pipeline?groupBy=system', 'national'],
    ['/reports/pipeline/people?format=csv', 'national'],
  ] as const)('on GET %s', async (path, who) => {
    const response = await get(path, who === 'national' ? national : participantToken);

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('on a session’s .ics invitation and a cohort’s enrolments', async () => {
    for (const path of [`/sessions/${sessionId}/calendar.ics`, `/cohorts/${cohortId}/enrolments`]) {
      const response = await get(path, national);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('on the token responses of sign-in and refresh, and on refused requests', async () => {
    const login = await api.http().post('/api/v1/auth/login').send({ email: participant.email, password: participant.password }).expect(200);
    const refresh = await api.http().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
    const refused = await api.http().get('/api/v1/me').expect(401);

    for (const response of [login, refresh, refused]) expect(response.headers['cache-control']).toBe('no-store');
  });

  it('leaves public, non-personal responses cacheable', async () => {
    expect((await api.http().get('/health/live')).headers['cache-control']).toBeUndefined();
    expect((await api.http().get('/api/docs-json')).headers['cache-control']).toBeUndefined();
  });
});
