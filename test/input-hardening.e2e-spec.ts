import type { Response } from 'supertest';
import { TalentPool } from '@slp/talent';
import { account, AccountFixture, cohort, forkEm, organisation, programme, signIn, system, TEST_PASSWORD } from './support/factories';
import { expectProblem } from './support/assertions';
import { requestsAs } from './support/callers';
import { startTestApi, TestApi } from './support/test-api';

/** `{"a":{"a":…}}` nested `depth` levels, as a raw JSON string (about 30 KB at 5,000 levels). */
function nestedJson(depth: number, leaf = '1'): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

describe('hostile and malformed input (e2e)', () => {
  let api: TestApi;
  const token = {} as Record<'admin' | 'participant', string>;
  let admin: AccountFixture;
  let participant: AccountFixture;
  let ids: { person: string; cohort: string; programme: string; session: string; pool: string; organisation: string };
  const as = requestsAs(() => api, token);

  async function rows<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return forkEm(api).getConnection().execute<T[]>(sql, params);
  }

  function fieldsOf(response: Response): string[] {
    return (response.body as { errors?: { field: string }[] }).errors?.map((e) => e.field) ?? [];
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const inSystem = await system(em);
    const org = await organisation(em, inSystem);
    admin = await account(em, { roles: ['admin'] });
    participant = await account(em, { roles: ['participant'], organisation: org });
    token.admin = await signIn(api, admin);
    token.participant = await signIn(api, participant);
    const prog = await programme(em, inSystem);
    const co = await cohort(em, prog);
    const pool = em.create(TalentPool, { system: inSystem, name: 'Future system leaders', purpose: 'Succession', createdAt: new Date() });
    await em.flush();
    const session = await as
      .post(`/cohorts/${co.id}/sessions`, 'admin', { title: 'Opening day', kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' })
      .expect(201);
    ids = { person: participant.person.id, cohort: co.id, programme: prog.id, session: session.body.id, pool: pool.id, organisation: org.id };
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('deeply nested JSON', () => {
    it.each(['/api/v1/auth/login', '/api/v1/auth/register'])('answers 5,000 levels on %s with 400 problem+json, not 500', async (path) => {
      const body = `{"email":"deep@nhs.example","password":"a long enough password","givenName":${nestedJson(5_000)}}`;
      expect(body.length).toBeLessThan(1_048_576);

      const response = await api.http().post(path).set('Content-Type', 'application/json').send(body);

      expectProblem(response, 400, ['body']);
      expect(await rows(`select 1 from person where email = 'deep@nhs.example'`)).toHaveLength(0);
    });

    it.each([
      ['a constructor key', '{"email":"a@nhs.example","password":{"constructor":"x"}}', 'password'],
      ['a NUL', '{"email":"a@nhs.example","password":"pass\\u0000word long enough"}', 'password'],
    ])('refuses %s in the sign-in body with 400 naming the field, not 500', async (_what, body, field) => {
      const response = await api.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send(body);

      expectProblem(response, 400, [field]);
    });

    it('refuses deep nesting on an authenticated PATCH too, leaving the cohort as it was', async () => {
      const response = await api.http().patch(`/api/v1/cohorts/${ids.cohort}`).auth(token.admin, { type: 'bearer' }).set('Content-Type', 'application/json').send(`{"name":${nestedJson(40, '"x"')}}`);

      expectProblem(response, 400, ['body']);
    });

    it('still accepts the shallow nesting the DTOs use (control)', async () => {
      await as.patch(`/programmes/${ids.programme}`, 'admin', { eligibility: { staffGroups: ['administrative_clerical'] } }).expect(200);
    });
  });

  describe('control characters', () => {
    it('refuses a NUL in givenName at registration, per field, creating nobody', async () => {
      const response = await api.http().post('/api/v1/auth/register').send({ email: 'nul.name@nhs.example', password: TEST_PASSWORD, givenName: 'Gr\u0000ace', familyName: 'Mensah' });

      expectProblem(response, 400, ['givenName']);
      expect(response.body.errors).toEqual([{ field: 'givenName', message: 'givenName must not contain control or bidirectional formatting characters' }]);
      expect(await rows(`select 1 from person where email = 'nul.name@nhs.example'`)).toHaveLength(0);
    });

    it('refuses a NUL in jobTitle on PATCH /people/:id and leaves it unchanged', async () => {
      const response = await as.patch(`/people/${ids.person}`, 'admin', { jobTitle: 'Matron\u0000' });

      expectProblem(response, 400, ['jobTitle']);
      const [row] = await rows<{ job_title: string | null }>(`select job_title from person where id = ?`, [ids.person]);
      expect(row!.job_title).toBeNull();
    });

    it('refuses a NUL in a new cohort name', async () => {
      const response = await as.post(`/programmes/${ids.programme}/cohorts`, 'admin', {
        name: 'Spring\u0000 2027',
        capacity: 20,
        enrolmentOpensAt: '2027-01-01T09:00:00Z',
        enrolmentClosesAt: '2027-02-01T09:00:00Z',
        startsAt: '2027-03-01T09:00:00Z',
        endsAt: '2027-09-01T09:00:00Z',
        requiresApproval: false,
        waitlistEnabled: true,
      });

      expectProblem(response, 400, ['name']);
      expect(await rows(`select 1 from cohort where name like 'Spring%'`)).toHaveLength(0);
    });

    it('refuses a NUL in a nomination rationale, creating no nomination', async () => {
      const response = await as.post('/nominations', 'admin', {
        nominee: { personId: ids.person },
        talentPoolId: ids.pool,
        readiness: 'ready_now',
        performance: 2,
        potential: 3,
        rationale: 'Led the frailty work\u0000',
      });

      expectProblem(response, 400, ['rationale']);
      expect(await rows(`select 1 from nomination`)).toHaveLength(0);
    });

    it.each([
      ['a right-to-left override', 'Evil\u202Egpj.exe'],
      ['a first-strong isolate', 'Name\u2068'],
      ['an escape', 'Bold\u001B[1m'],
      ['a line break', 'Two\nlines'],
      ['a tab', 'Tab\there'],
    ])('refuses %s in a cohort name (400, name), leaving it unchanged', async (_what, name) => {
      const response = await as.patch(`/cohorts/${ids.cohort}`, 'admin', { name });

      expectProblem(response, 400, ['name']);
      const [row] = await rows<{ name: string }>(`select name from cohort where id = ?`, [ids.cohort]);
      expect(row!.name).toMatch(/^Cohort /);
    });

    it('keeps line breaks in multi-line text (a programme description) but not a NUL', async () => {
      await as.patch(`/programmes/${ids.programme}`, 'admin', { description: 'Line one.\n\nLine two,\tindented.' }).expect(200);
      expectProblem(await as.patch(`/programmes/${ids.programme}`, 'admin', { description: 'Line one.\u0000' }), 400, ['description']);
      const [row] = await rows<{ description: string }>(`select description from programme where id = ?`, [ids.programme]);
      expect(row!.description).toBe('Line one.\n\nLine two,\tindented.');
    });

    it('refuses a NUL in a query string filter, per field', async () => {
      expectProblem(await as.get('/notifications?kind=ab%00cd', 'admin'), 400, ['kind']);
      await as.get('/notifications?kind=abcd', 'admin').expect(200);
    });
  });

  describe('required nested objects', () => {
    it('refuses a nomination without a nominee with 400 naming it, not 500', async () => {
      const response = await as.post('/nominations', 'admin', { talentPoolId: ids.pool, readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' });

      expectProblem(response, 400, ['nominee']);
      expect(response.body.errors).toContainEqual({ field: 'nominee', message: 'nominee is required' });
      expect(await rows(`select 1 from nomination`)).toHaveLength(0);
    });
  });

  describe('dates PostgreSQL cannot hold', () => {
    it.each(['-177993-10-25T05:54:25Z', '+275760-09-13T00:00:00Z', '1899-12-31T23:59:59Z'])('refuses cohort enrolmentOpensAt %s with 400, not 500', async (value) => {
      const response = await as.patch(`/cohorts/${ids.cohort}`, 'admin', { enrolmentOpensAt: value });

      expectProblem(response, 400, ['enrolmentOpensAt']);
      expect(response.body.errors).toContainEqual({ field: 'enrolmentOpensAt', message: expect.stringMatching(/^enrolmentOpensAt must be (between the years 1900 and 9999|an ISO 8601 date-time)$/) });
    });

    it('refuses an appointment dated year 0000 with 400, recording nothing', async () => {
      const response = await as.post(`/people/${ids.person}/appointments`, 'admin', { post: 'Director of Nursing', organisationId: ids.organisation, appointedOn: '0000-01-01' });

      expectProblem(response, 400, ['appointedOn']);
      expect(await rows(`select 1 from appointment`)).toHaveLength(0);
    });
  });

  describe('null for fields that cannot be empty', () => {
    it.each([['capacity'], ['name'], ['enrolmentOpensAt'], ['enrolmentClosesAt'], ['startsAt'], ['endsAt'], ['requiresApproval'], ['waitlistEnabled'], ['offerWindowHours']])(
      'PATCH /cohorts/:id with %s null is 400 naming it, and changes nothing',
      async (field) => {
        const before = await rows(`select * from cohort where id = ?`, [ids.cohort]);

        const response = await as.patch(`/cohorts/${ids.cohort}`, 'admin', { [field]: null });

        expectProblem(response, 400, [field]);
        expect(response.body.errors).toContainEqual({ field, message: `${field} must not be null` });
        expect(await rows(`select * from cohort where id = ?`, [ids.cohort])).toEqual(before);
      },
    );

    it.each([['title'], ['kind'], ['startsAt'], ['endsAt']])('PATCH /sessions/:id with %s null is 400 naming it', async (field) => {
      const before = await rows(`select * from session where id = ?`, [ids.session]);

      expectProblem(await as.patch(`/sessions/${ids.session}`, 'admin', { [field]: null }), 400, [field]);
      expect(await rows(`select * from session where id = ?`, [ids.session])).toEqual(before);
    });

    it.each([['title'], ['description'], ['level'], ['eligibility']])('PATCH /programmes/:id with %s null is 400 naming it', async (field) => {
      const before = await rows(`select * from programme where id = ?`, [ids.programme]);

      expectProblem(await as.patch(`/programmes/${ids.programme}`, 'admin', { [field]: null }), 400, [field]);
      expect(await rows(`select * from programme where id = ?`, [ids.programme])).toEqual(before);
    });

    it('still lets a nullable field be cleared with null (session location, with an online link left)', async () => {
      await as.patch(`/sessions/${ids.session}`, 'admin', { onlineUrl: 'https://meet.example/opening' }).expect(200);
      const response = await as.patch(`/sessions/${ids.session}`, 'admin', { location: null }).expect(200);
      expect(response.body.location).toBeNull();
    });

    it('still lets a person field be cleared with null (jobTitle)', async () => {
      await as.patch(`/people/${ids.person}`, 'admin', { jobTitle: 'Ward manager' }).expect(200);
      await as.patch(`/people/${ids.person}`, 'admin', { jobTitle: null }).expect(200);
      const [row] = await rows<{ job_title: string | null }>(`select job_title from person where id = ?`, [ids.person]);
      expect(row!.job_title).toBeNull();
    });

    it('names a null inside a nested object (eligibility.staffGroups)', async () => {
      const response = await as.patch(`/programmes/${ids.programme}`, 'admin', { eligibility: { staffGroups: null } });
      expectProblem(response, 400);
      expect(fieldsOf(response)).toContain('eligibility.staffGroups');
    });

    it('still lets nullable programme fields be cleared (fundingPence, eligibility.minGrade)', async () => {
      await as.patch(`/programmes/${ids.programme}`, 'admin', { fundingPence: 100, eligibility: { minGrade: 'band_8a' } }).expect(200);
      const response = await as.patch(`/programmes/${ids.programme}`, 'admin', { fundingPence: null, eligibility: { minGrade: null } }).expect(200);
      expect(response.body).toMatchObject({ fundingPence: null, eligibility: { minGrade: null } });
    });
  });
});
