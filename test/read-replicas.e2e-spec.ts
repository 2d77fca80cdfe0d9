import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { REPLICA_CHECK_INTERVAL_MS, ReplicaReads } from '@slp/platform';
import { accessTokenFor, account, cohort, forkEm, organisation, people, programme, system, TEST_PASSWORD } from './support/factories';
import { StreamingReplica } from './support/streaming-replica';
import { startTestApi, TestApi } from './support/test-api';
import { createTestDatabase } from './support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough that a second measurement of the replica's lag is taken. */
const NEXT_CHECK_MS = REPLICA_CHECK_INTERVAL_MS + 500;
const MAX_LAG_SECONDS = 8;

interface Freshness {
  source: 'primary' | 'replica';
  replicaLagSeconds: number;
  asOf: string;
  ageSeconds: number;
}

/**
 * The API against a real streaming replica (`DATABASE_REPLICA_URLS`): nothing but the report reads
 * may go there, those that do say how fresh they are, and a replica lagging or down changes
 * nothing but where reports are read.
 */
describe('read replicas (e2e)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let replica: StreamingReplica;
  let api: TestApi;
  let admin: string;
  let fixture: { systemId: string; organisationId: string; programmeId: string; cohortId: string; people: string[] };

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const get = (path: string) => api.http().get(`/api/v1${path}`).set(auth());
  const post = (path: string, body: object = {}) => api.http().post(`/api/v1${path}`).set(auth()).send(body);
  /** A 2xx, or the response itself in the failure message. */
  const ok = (response: Response, status = 200) => {
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    return response.body;
  };
  const onReplica = async (sql: string, params: unknown[]) => Number((await replica.query<{ n: string }>(database.name, sql, params))[0]!.n);

  beforeAll(async () => {
    // The database exists before the base backup, so the replica starts with it.
    database = await createTestDatabase();
    replica = await StreamingReplica.start();
    api = await startTestApi({ DATABASE_REPLICA_URLS: replica.urlFor(database.name), REPLICA_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS) }, database.url);
    const em = forkEm(api);
    const inSystem = await system(em);
    const org = await organisation(em, inSystem);
    const prog = await programme(em, inSystem);
    const co = await cohort(em, prog, { capacity: 100 });
    fixture = { systemId: inSystem.id, organisationId: org.id, programmeId: prog.id, cohortId: co.id, people: (await people(em, 3, org)).map((p) => p.id) };
    admin = accessTokenFor(api, await account(em, { roles: ['admin'] }));
    await replica.caughtUp(database.name);
  }, 120_000);

  afterAll(async () => {
    await replica?.resumeReplay(database.name).catch(() => undefined);
    await api?.close();
    await replica?.destroy();
    await database?.drop();
  });

  /** Creates one of every kind of object through the API and reads each straight back. */
  async function createAndReadEverything(n: string): Promise<string[]> {
    const created: string[] = [];
    const systemBody = ok(await post('/systems', { name: `Replica ICS ${n}`, odsCode: `Q${n.slice(0, 4).toUpperCase()}`, kind: 'ICS', region: 'Y62', population: 1_000_000 }), 201);
    expect(ok(await get(`/systems/${systemBody.id}`))).toMatchObject({ id: systemBody.id });
    const place = ok(await post(`/systems/${systemBody.id}/places`, { name: `Place ${n}`, wave: 1, maturityLevel: 2 }), 201);
    expect(ok(await get(`/systems/${systemBody.id}/places`)).items).toEqual([expect.objectContaining({ id: place.id })]);
    const org = ok(await post('/organisations', { name: `Trust ${n}`, odsCode: `R${n.slice(0, 4).toUpperCase()}`, type: 'acute_trust', systemId: systemBody.id, placeId: place.id }), 201);
    expect(ok(await get(`/organisations/${org.id}`))).toMatchObject({ id: org.id, placeId: place.id });
    const prog = ok(await post('/programmes', { title: `Programme ${n}`, description: 'About it', level: 'system', systemId: systemBody.id, fundingPence: 100 }), 201);
    expect(ok(await get(`/programmes/${prog.id}`))).toMatchObject({ id: prog.id });
    const co = ok(await post(`/programmes/${prog.id}/cohorts`, { name: `Cohort ${n}`, capacity: 20, enrolmentOpensAt: '2026-01-04T09:00:00Z', enrolmentClosesAt: '2027-02-26T17:00:00Z', startsAt: '2027-03-15T09:00:00Z', endsAt: '2027-09-30T17:00:00Z', requiresApproval: false, waitlistEnabled: true }), 201);
    expect(ok(await get(`/cohorts/${co.id}`))).toMatchObject({ id: co.id, status: 'draft' });
    ok(await post(`/cohorts/${co.id}/open`));
    expect(ok(await get(`/cohorts/${co.id}`))).toMatchObject({ status: 'open' });
    const session = ok(await post(`/cohorts/${co.id}/sessions`, { title: `Session ${n}`, kind: 'workshop', startsAt: '2027-03-16T09:00:00Z', endsAt: '2027-03-16T12:00:00Z', location: 'Preston' }), 201);
    expect(ok(await get(`/sessions/${session.id}`))).toMatchObject({ id: session.id });
    const email = `replica.${n}@nhs.example`;
    const created_account = ok(await post('/accounts', { email, givenName: 'Ada', familyName: `Okafor ${n}`, roles: ['participant'], systemIds: [], organisationId: org.id, password: TEST_PASSWORD }), 201);
    expect(ok(await get(`/people/${created_account.personId}`))).toMatchObject({ id: created_account.personId });
    ok(await api.http().post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD }));
    const enrolment = ok(await post(`/cohorts/${co.id}/enrolments`, { personId: created_account.personId }), 201);
    expect(ok(await get(`/enrolments/${enrolment.id}`))).toMatchObject({ id: enrolment.id, status: 'enrolled' });
    expect(ok(await get(`/cohorts/${co.id}`))).toMatchObject({ seatsTaken: 1 });
    const pool = ok(await post('/talent-pools', { systemId: systemBody.id, name: `Pool ${n}`, purpose: 'Succession' }), 201);
    expect(ok(await get(`/talent-pools/${pool.id}`))).toMatchObject({ id: pool.id });
    const nomination = ok(await post('/nominations', { nominee: { email: `nominee.${n}@nhs.example`, givenName: 'Sam', familyName: `Patel ${n}`, organisationId: org.id }, talentPoolId: pool.id, readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' }), 201);
    const readBack = ok(await get(`/nominations/${nomination.id}`));
    expect(readBack).toMatchObject({ id: nomination.id, status: 'awaiting_consent' });
    const nomineeId = nomination.nomineeId ?? readBack.nomineeId ?? readBack.nominee?.id;
    expect(ok(await get(`/people/${nomineeId}`))).toMatchObject({ id: nomineeId });
    ok(await post(`/people/${created_account.personId}/appointments`, { post: 'Director of Nursing', organisationId: org.id, appointedOn: '2026-11-02' }), 201);
    expect(ok(await get(`/people/${created_account.personId}/pipeline`))).toMatchObject({ stage: 'appointed' });
    created.push(prog.id, co.id);
    return created;
  }

  it('reads every kind of object back the moment it is written, even while the replica replays nothing', async () => {
    await replica.pauseReplay(database.name);
    try {
      for (let i = 0; i < 3; i++) {
        const [programmeId] = await createAndReadEverything(randomUUID().slice(0, 6));
        // The replica really was behind: had any of those reads gone there, it would have found nothing.
        expect(await onReplica('select count(*) as n from programme where id = $1', [programmeId])).toBe(0);
      }
    } finally {
      await replica.resumeReplay(database.name);
    }
  });

  it('never answers 404 for a programme created a moment ago, however many are created', async () => {
    for (let i = 0; i < 40; i++) {
      const created = ok(await post('/programmes', { title: `Quick ${i} ${randomUUID().slice(0, 6)}`, description: 'About it', level: 'system', systemId: fixture.systemId }), 201);
      expect(ok(await get(`/programmes/${created.id}`))).toMatchObject({ id: created.id });
    }
  });

  it('reads reports from the replica, saying how fresh they are, and from the primary once the replica lags too far', async () => {
    await replica.caughtUp(database.name);
    const report = () => get(`/reports/cohorts/${fixture.cohortId}`);
    const caughtUp = ok(await report());
    // Other test files write to the same server all the while, so "caught up" is a fraction of a second, not always 0.
    expect(caughtUp.freshness).toMatchObject({ source: 'replica' });
    expect(caughtUp.freshness.replicaLagSeconds).toBeLessThan(MAX_LAG_SECONDS);
    expect(ok(await get('/reports/pipeline')).freshness).toMatchObject({ source: 'replica' });
    expect(ok(await get('/reports/equality')).freshness).toMatchObject({ source: 'replica' });
    expect(ok(await get('/reports/pipeline/people')).freshness).toMatchObject({ source: 'replica' });
    const csv = await get('/reports/pipeline/people?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['x-report-source']).toBe('replica');
    expect(ok(await api.http().get('/health/ready')).replicas).toEqual([{ name: 'replica-1', status: 'up', lagSeconds: expect.any(Number) }]);
    const seatsBefore = caughtUp.seatsTaken as number;

    // A write the replica replays just before it stops replaying, so its last replayed commit is recent.
    ok(await post('/programmes', { title: `Marker ${randomUUID().slice(0, 6)}`, description: 'About it', level: 'system', systemId: fixture.systemId }), 201);
    await replica.caughtUp(database.name);
    await replica.pauseReplay(database.name);
    try {
      ok(await post(`/cohorts/${fixture.cohortId}/enrolments`, { personId: fixture.people[0] }), 201);
      // A cohort the replica has not seen yet: the replica's "not found" is confirmed on the primary.
      const newCohort = ok(await post(`/programmes/${fixture.programmeId}/cohorts`, { name: 'Late cohort', capacity: 5, enrolmentOpensAt: '2026-01-04T09:00:00Z', enrolmentClosesAt: '2027-02-26T17:00:00Z', startsAt: '2027-03-15T09:00:00Z', endsAt: '2027-09-30T17:00:00Z', requiresApproval: false, waitlistEnabled: false }), 201);
      expect(ok(await get(`/reports/cohorts/${newCohort.id}`))).toMatchObject({ cohortId: newCohort.id, freshness: { source: 'primary', replicaLagSeconds: 0 } });

      await sleep(NEXT_CHECK_MS);
      const behind = ok(await report());
      // Read from the replica: the new enrolment is not in it, and the report says it is behind.
      expect(behind).toMatchObject({ seatsTaken: seatsBefore, freshness: { source: 'replica' } });
      expect(behind.freshness.replicaLagSeconds).toBeGreaterThan(0);
      expect(behind.freshness.replicaLagSeconds).toBeLessThanOrEqual(MAX_LAG_SECONDS);
      expect(behind.freshness.ageSeconds).toBeGreaterThanOrEqual(behind.freshness.replicaLagSeconds);

      await sleep(NEXT_CHECK_MS);
      const further = ok(await report());
      const freshness = further.freshness as Freshness;
      if (freshness.source === 'replica') {
        expect(further.seatsTaken).toBe(seatsBefore);
        expect(freshness.replicaLagSeconds).toBeGreaterThan(behind.freshness.replicaLagSeconds);
      }

      // Beyond REPLICA_MAX_LAG_SECONDS the primary answers, with the enrolment.
      let fromPrimary: { seatsTaken: number; freshness: Freshness } | undefined;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(500)) {
        const body = ok(await report());
        if (body.freshness.source === 'primary') {
          fromPrimary = body;
          break;
        }
        expect(body.seatsTaken).toBe(seatsBefore);
      }
      expect(fromPrimary).toMatchObject({ seatsTaken: seatsBefore + 1, freshness: { source: 'primary', replicaLagSeconds: 0 } });
      const ready = await api.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', replicas: [{ name: 'replica-1', status: 'lagging' }] });
      expect(ready.body.replicas[0].lagSeconds).toBeGreaterThan(MAX_LAG_SECONDS);
    } finally {
      await replica.resumeReplay(database.name);
    }

    // Caught up again, the replica answers, now with the enrolment.
    await replica.caughtUp(database.name);
    await sleep(NEXT_CHECK_MS);
    const again = ok(await report());
    expect(again).toMatchObject({ seatsTaken: seatsBefore + 1, freshness: { source: 'replica' } });
    expect(again.freshness.replicaLagSeconds).toBeLessThan(MAX_LAG_SECONDS);
  });

  it('sends a replica read to the replica itself, but to the primary inside a transaction', async () => {
    const reads = api.app.get(ReplicaReads);
    const onStandby = async () => (await reads.read('report.cohort', (db) => db.execute<{ standby: boolean }>('select pg_is_in_recovery() as standby'))).result[0]!.standby;

    expect(await onStandby()).toBe(true);
    expect(await forkEm(api).transactional(() => onStandby())).toBe(false);
  });

  it('keeps reports, exports and readiness working when the replica stops', async () => {
    await replica.stop();
    const started = Date.now();
    // The first read may still pick the replica (its last check said up): it fails over to the primary.
    expect(ok(await get(`/reports/cohorts/${fixture.cohortId}`)).freshness).toMatchObject({ source: 'primary' });
    expect(ok(await get('/reports/pipeline')).freshness).toMatchObject({ source: 'primary' });
    expect(ok(await get('/reports/equality')).freshness).toMatchObject({ source: 'primary' });
    const csv = await get('/reports/pipeline/people?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['x-report-source']).toBe('primary');
    expect(csv.text.split('\n')[0]).toContain('personId');
    await sleep(NEXT_CHECK_MS);
    expect(ok(await get('/reports/pipeline/people')).freshness).toMatchObject({ source: 'primary' });
    const ready = await api.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' }, replicas: [{ name: 'replica-1', status: 'down', lagSeconds: null }] });
    // Nobody waited on the dead replica for long.
    expect(Date.now() - started).toBeLessThan(NEXT_CHECK_MS + 5_000);
    // Everything else was never on the replica to begin with.
    const created = ok(await post('/programmes', { title: `After ${randomUUID().slice(0, 6)}`, description: 'About it', level: 'system', systemId: fixture.systemId }), 201);
    ok(await get(`/programmes/${created.id}`));
  });
});
