import { accessTokenFor, account, forkEm, programme, system } from './support/factories';
import { auditRows, expectProblem } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

describe('changing a programme (e2e)', () => {
  let api: TestApi;
  let leadA: string;
  let leadB: string;
  let programmeA: Awaited<ReturnType<typeof programme>>;

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const [systemA, systemB] = [await system(em), await system(em)];
    programmeA = await programme(em, systemA);
    leadA = accessTokenFor(api, await account(em, { roles: ['programme_lead'], systems: [systemA] }));
    leadB = accessTokenFor(api, await account(em, { roles: ['programme_lead'], systems: [systemB] }));
  });

  afterAll(async () => {
    await api.close();
  });

  const patch = (token: string, body: object) => api.http().patch(`/api/v1/programmes/${programmeA.id}`).set('Authorization', `Bearer ${token}`).send(body);

  it('lets a lead of the programme’s system change its title and eligibility, and audits the fields', async () => {
    const response = await patch(leadA, { title: 'Leading Neighbourhood Health', eligibility: { staffGroups: ['nursing_midwifery_registered'], minGrade: 'band_6' } }).expect(200);

    expect(response.body).toMatchObject({ id: programmeA.id, title: 'Leading Neighbourhood Health', eligibility: { staffGroups: ['nursing_midwifery_registered'], minGrade: 'band_6', maxGrade: null } });
    const [row] = await auditRows(api, { objectId: programmeA.id, action: 'programme.update' });
    expect(row?.details).toEqual({ fields: ['title', 'eligibility'] });
  });

  it('hides the programme from a lead of another system (404) and leaves it unchanged', async () => {
    expectProblem(await patch(leadB, { title: 'Taken over' }), 404);

    const stored = await forkEm(api).getConnection().execute<{ title: string }[]>('select title from programme where id = ?', [programmeA.id]);
    expect(stored[0]!.title).toBe('Leading Neighbourhood Health');
  });

  it('refuses an empty grade range (400) and an attempt to move the programme to another system (400)', async () => {
    expectProblem(await patch(leadA, { eligibility: { minGrade: 'band_8a', maxGrade: 'band_6' } }), 400, ['eligibility.maxGrade']);
    expectProblem(await patch(leadA, { systemId: '00000000-0000-4000-8000-000000000000' }), 400, ['systemId']);
  });
});
