import { startTestApi, TestApi } from './support/test-api';

describe('auth (e2e)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('registers a participant', async () => {
    const response = await api.http().post('/api/v1/auth/register').send({ email: 'Grace.Mensah@nhs.example', password: 'a long enough password', givenName: 'Grace', familyName: 'Mensah' }).expect(201);
    expect(response.body).toEqual({ id: expect.any(String), email: 'Grace.Mensah@nhs.example', roles: ['participant'] });
  });
});
