import { Enrolment } from '@slp/learning';
import { accessTokenFor, account, cohort, forkEm, organisation, people, programme, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

describe('enrolment under concurrency (e2e)', () => {
  let api: TestApi;
  let replica: TestApi;
  let leadToken: string;
  let em: ReturnType<typeof forkEm>;
  let org: Awaited<ReturnType<typeof organisation>>;
  let prog: Awaited<ReturnType<typeof programme>>;

  beforeAll(async () => {
    api = await startTestApi();
    // A second API instance on the same database: a replica with its own connection pool.
    replica = await startTestApi({}, api.config.database.url);
    em = forkEm(api);
    const sys = await system(em);
    org = await organisation(em, sys);
    prog = await programme(em, sys);
    leadToken = accessTokenFor(api, await account(em, { roles: ['programme_lead'], systems: [sys] }));
  });

  afterAll(async () => {
    await replica.close();
    await api.close();
  });

  const enrol = (target: TestApi, cohortId: string, personId: string) =>
    target.http().post(`/api/v1/cohorts/${cohortId}/enrolments`).set('Authorization', `Bearer ${leadToken}`).send({ personId });

  it('seats exactly 20 of 200 concurrent enrolments and waitlists the other 180 at distinct positions 1..180', async () => {
    const target = await cohort(em, prog, { capacity: 20 });
    const members = await people(em, 200, org);

    const responses = await Promise.all(members.map((person, i) => enrol(i % 2 ? replica : api, target.id, person.id)));

    expect(responses.map((r) => r.status)).toEqual(members.map(() => 201));
    const bodies = responses.map((r) => r.body as { status: string; waitlistPosition: number | null });
    expect(bodies.filter((b) => b.status === 'enrolled')).toHaveLength(20);
    const positions = bodies.filter((b) => b.status === 'waitlisted').map((b) => b.waitlistPosition!);
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));

    const check = forkEm(api);
    expect(await check.count(Enrolment, { cohort: target.id, status: 'enrolled' })).toBe(20);
    const waiting = await check.find(Enrolment, { cohort: target.id, status: 'waitlisted' }, { orderBy: { waitlistTicket: 'asc' } });
    expect(waiting).toHaveLength(180);
    expect(new Set(waiting.map((e) => e.waitlistTicket)).size).toBe(180);
    const cohortRow = await check.getConnection().execute<{ seats_taken: number; capacity: number }[]>('select seats_taken, capacity from cohort where id = ?', [target.id]);
    expect(cohortRow[0]).toEqual({ seats_taken: 20, capacity: 20 });
  });

  it('gives each concurrent arrival on the waiting list the same position in its answer, its email and a later read, closing up when someone ahead leaves', async () => {
    const target = await cohort(em, prog, { capacity: 2 });
    const members = await people(em, 40, org);

    const responses = await Promise.all(members.map((person, i) => enrol(i % 2 ? replica : api, target.id, person.id)));

    const waitlisted = responses.map((r) => r.body as { id: string; status: string; waitlistPosition: number | null }).filter((b) => b.status === 'waitlisted');
    expect(waitlisted).toHaveLength(38);
    const check = forkEm(api);
    const emailed = await check.getConnection().execute<{ subject_id: string; position: number }[]>(
      `select subject_id, (data->>'waitlistPosition')::int as position from notification where kind = 'waitlisted' and data->>'cohortId' = ?`,
      [target.id],
    );
    const emailedPosition = new Map(emailed.map((row) => [row.subject_id, row.position]));
    for (const body of waitlisted) expect({ id: body.id, emailed: emailedPosition.get(body.id) }).toEqual({ id: body.id, emailed: body.waitlistPosition });
    const read = async (id: string) => ((await api.http().get(`/api/v1/enrolments/${id}`).set('Authorization', `Bearer ${leadToken}`).expect(200)).body as { waitlistPosition: number | null }).waitlistPosition;
    for (const body of waitlisted.slice(0, 5)) expect(await read(body.id)).toBe(body.waitlistPosition);

    // The one at position 10 withdraws: those behind move up one, those ahead stay.
    const byPosition = [...waitlisted].sort((a, b) => a.waitlistPosition! - b.waitlistPosition!);
    await api.http().post(`/api/v1/enrolments/${byPosition[9]!.id}/withdraw`).set('Authorization', `Bearer ${leadToken}`).expect(200);
    expect(await read(byPosition[8]!.id)).toBe(9);
    expect(await read(byPosition[10]!.id)).toBe(10);
    expect(await read(byPosition[37]!.id)).toBe(37);
  });
});
