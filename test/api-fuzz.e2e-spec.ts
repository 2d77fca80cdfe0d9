import fc from 'fast-check';
import { randomInt } from 'node:crypto';
import request, { type Response } from 'supertest';
import { TalentPool } from '@slp/talent';
import { PROBLEM_JSON } from './support/assertions';
import { ApiProcess } from './support/api-process';
import { DatabaseFingerprint } from './support/database-fingerprint';
import { account, cohort, forkEm, organisation, programme, system, TEST_PASSWORD, unusedTotpCode } from './support/factories';
import { badObject, badQueryValue, badRawBody, hostileJson, KnownIds, OpenApiDocument, Operation, operationsOf, pathValue, plausible, RawBody } from './support/openapi-fuzz';
import { startTestApi, TestApi } from './support/test-api';

/**
 * Property-based fuzzing of every operation in the API's own OpenAPI document (the one served at
 * /api/docs-json): path ids that are not UUIDs (or are UUIDs of nothing), query parameters of the
 * wrong type, out of range, repeated or unknown, bad cursors, bodies with fields of the wrong type,
 * null, missing, extra, too long or full of control characters, and bodies that are not JSON at
 * all, sent by a signed-in national admin (who may call nearly everything) or, one case in four,
 * by a participant (whose own enrolments, nominations and profile take other paths). Each answer must be
 * below 500, problem+json whenever it is an error, and a 4xx must leave every table as it was.
 *
 * Seeded: the seed is printed; `FUZZ_SEED=<n>` replays a run, `FUZZ_RUNS=<n>` sets cases per
 * operation (default 40, so about 3,600 cases in all).
 */

const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31 - 1));
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 40);

/**
 * Writes a refusal is meant to make: a failed sign-in is recorded in the audit log (and, after
 * several, a sign-in alert is queued to the account's owner). Only these audit actions, only in
 * these tables; any other write on a 4xx fails the run.
 */
const SECURITY_EVENTS_ON_REFUSAL = new Set(['account.login_failed', 'account.sign_in_alert']);
const SECURITY_EVENT_TABLES = new Set(['audit_log', 'notification']);

interface FuzzCase {
  readonly path: string;
  readonly query: [string, string][];
  readonly body: { json: unknown } | RawBody;
  readonly accept: string;
  /** True when the path names real objects (so the call may legitimately succeed). */
  readonly realIds: boolean;
  /** Sent by the participant rather than the national admin. */
  readonly asParticipant: boolean;
}

interface Failure {
  readonly operation: string;
  readonly problem: string;
  readonly request: string;
  readonly response: string;
}

function operationName(op: Operation): string {
  return `${op.method.toUpperCase()} ${op.path}`;
}

/** Cases for one operation: bad path ids, query parameters and body, from the document's schemas. */
function casesFor(op: Operation, ids: KnownIds): fc.Arbitrary<FuzzCase> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  // Real ids for reads, and for writes whose body or query can be wrong too: a body-less POST to
  // a real id would just do its job (and change the objects later operations are fuzzed against).
  const allowReal = op.method === 'get' || Boolean(op.body) || queryParams.length > 0;
  const path = fc.tuple(...pathParams.map((p) => pathValue(p, ids, allowReal).map((v) => [p.name, v] as const))).map((values) => {
    let url = op.path;
    for (const [name, v] of values) url = url.replace(`{${name}}`, encodeSegment(v.value));
    return { url, real: values.every(([, v]) => v.real) };
  });
  const query = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.oneof(
          { weight: 2, arbitrary: fc.constant<[string, string][]>([]) },
          { weight: 1, arbitrary: fc.constant<[string, string][]>([[p.name, String(plausible(p.schema, p.name, ids))]]) },
          { weight: 3, arbitrary: badQueryValue(p).map((v): [string, string][] => (Array.isArray(v) ? v.map((x) => [p.name, x]) : [[p.name, v]])) },
        ),
      ),
      fc.option(fc.tuple(fc.constantFrom('unknown', 'limit[$gt]', '__proto__', 'systemId[]', 'where', 'sort', ''), fc.string({ maxLength: 20 })), { freq: 4 }),
    )
    .map(([...parts]) => {
      const extra = parts.pop() as [string, string] | null;
      return [...(parts as [string, string][][]).flat(), ...(extra ? [extra] : [])];
    });
  const writes = op.method !== 'get';
  let body: fc.Arbitrary<FuzzCase['body']>;
  if (op.body?.type === 'object') body = fc.oneof({ weight: 4, arbitrary: badObject(op.body, ids).map((json) => ({ json })) }, { weight: 1, arbitrary: badRawBody });
  else if (op.body) body = fc.oneof(hostileJson.map((json) => ({ json })), badRawBody);
  else if (op.consumes.includes('text/csv')) body = fc.oneof(fc.string({ maxLength: 400 }).map((s): RawBody => ({ contentType: 'text/csv', payload: s })), badRawBody);
  else if (writes) body = fc.oneof(fc.constant(undefined), hostileJson.map((json) => ({ json })), badRawBody);
  else body = fc.constant(undefined);
  const accept = fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json', 'text/csv', '*/*', 'application/xml', 'text/html;q=0.9, */*;q=0.1');
  const asParticipant = fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  return fc.record({ path, query, body, accept, asParticipant }).map(({ path: p, query: q, body: b, accept: a, asParticipant: mine }) => ({ path: p.url, realIds: p.real, query: q, body: b, accept: a, asParticipant: mine }));
}

/** Percent-encoded, lone surrogates included (as U+FFFD, which is what UTF-8 can carry). */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

function describeRequest(op: Operation, c: FuzzCase): string {
  const qs = new URLSearchParams(c.query).toString();
  const body = c.body === undefined ? '' : 'json' in c.body ? ` json=${JSON.stringify(c.body.json)}` : ` ${c.body.contentType}=${JSON.stringify(String(c.body.payload))}`;
  return `${c.asParticipant ? 'participant ' : ''}${op.method.toUpperCase()} ${c.path}${qs ? `?${qs}` : ''} accept=${c.accept}${body}`.replace(/(.{1,12}?)\1{4,}/g, (_, unit: string) => `${unit}…`).slice(0, 500);
}

describe('OpenAPI fuzzer: bad input to every operation (property-based, e2e)', () => {
  let api: TestApi;
  /** The built API on the same database: the document it serves and the requests fuzzed go to it. */
  let built: ApiProcess;
  let token: string;
  let adminEmail: string;
  /** A participant of the same system: one case in four is theirs, so self-service paths get bad input too. */
  const participantCaller = { email: '', token: '' };
  let fingerprint: DatabaseFingerprint;
  let operations: Operation[];
  const ids: KnownIds = {};

  /**
   * Signs in at the built API as a person would: the password, then (the admin has MFA, as admins
   * must) an unused code from their authenticator. The answer's status, and the token when signed in.
   */
  async function signInAt(email: string): Promise<{ status: number; token?: string }> {
    const first = await request(built.url).post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
    if (first.status !== 200) return { status: first.status };
    if (!first.body.mfaRequired) return { status: 200, token: first.body.accessToken };
    const [row] = await forkEm(api).getConnection().execute<{ id: string }[]>('select a.id from account a join person p on p.id = a.person_id where p.email = ?', [email]);
    const second = await request(built.url).post('/api/v1/auth/login/mfa').send({ challengeToken: first.body.challengeToken, code: await unusedTotpCode(api, row!.id) });
    return second.status === 200 ? { status: 200, token: second.body.accessToken } : { status: second.status };
  }
  async function mustSignInAt(email: string): Promise<string> {
    const signedIn = await signInAt(email);
    if (!signedIn.token) throw new Error(`could not sign in for the fuzzer: ${signedIn.status}`);
    return signedIn.token;
  }

  beforeAll(async () => {
    api = await startTestApi();
    fingerprint = await DatabaseFingerprint.open(api.config.database.url);
    const em = forkEm(api);
    const inSystem = await system(em);
    const org = await organisation(em, inSystem);
    const admin = await account(em, { roles: ['admin'] });
    const participant = await account(em, { roles: ['participant'], organisation: org });
    adminEmail = admin.email;
    participantCaller.email = participant.email;
    built = await ApiProcess.start({ NODE_ENV: 'test', DATABASE_URL: api.config.database.url, REDIS_PREFIX: api.config.redis.prefix, LOG_LEVEL: 'warn' });
    token = await mustSignInAt(admin.email);
    participantCaller.token = await mustSignInAt(participant.email);
    const prog = await programme(em, inSystem);
    const co = await cohort(em, prog);
    const pool = em.create(TalentPool, { system: inSystem, name: 'Future system leaders', purpose: 'Succession', createdAt: new Date() });
    await em.flush();
    Object.assign(ids, { systemId: inSystem.id, organisationId: org.id, programmeId: prog.id, cohortId: co.id, personId: participant.person.id, talentPoolId: pool.id });
    const auth = { Authorization: `Bearer ${token}` };
    const http = () => request(built.url);
    const session = await http().post(`/api/v1/cohorts/${co.id}/sessions`).set(auth).send({ title: 'Opening day', kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' }).expect(201);
    const enrolment = await http().post(`/api/v1/cohorts/${co.id}/enrolments`).set(auth).send({ personId: participant.person.id }).expect(201);
    const nomination = await http().post('/api/v1/nominations').set(auth).send({ nominee: { personId: participant.person.id }, talentPoolId: pool.id, readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' }).expect(201);
    const imported = await http().post('/api/v1/imports?kind=esr_people&dryRun=true').set(auth).set('Content-Type', 'text/csv').send('Employee Number,Email\n1,a@nhs.example\n').expect(202);
    const [notification] = await forkEm(api).getConnection().execute<{ id: string }[]>('select id from notification order by created_at limit 1');
    Object.assign(ids, { sessionId: session.body.id, enrolmentId: enrolment.body.id, nominationId: nomination.body.id, importId: imported.body.id, notificationId: notification?.id });
    // The neighbourhood programme: two Places of the system in it (one at level 1 in population health
    // management, one at level 3 that can mentor it), a mentoring proposal between them, an indicator.
    const programmePlace = async (name: string, level: number) => {
      const place = await http().post(`/api/v1/systems/${inSystem.id}/places`).set(auth).send({ name }).expect(201);
      await http().post('/api/v1/neighbourhood/places').set(auth).send({ placeId: place.body.id, wave: 1, joinedOn: '2026-04-01', population: 52_000 }).expect(201);
      await http().post(`/api/v1/neighbourhood/places/${place.body.id}/assessments`).set(auth).send({ assessedOn: '2026-10-01', components: { population_health_management: { level, evidence: 'Self-assessment workshop' } } }).expect(201);
      return place.body.id as string;
    };
    const placeId = await programmePlace('Fuzz neighbourhood', 1);
    const mentorPlaceId = await programmePlace('Fuzz mentor neighbourhood', 3);
    const mentoring = await http().post('/api/v1/neighbourhood/mentoring').set(auth).send({ menteePlaceId: placeId, mentorPlaceId, component: 'population_health_management', goal: 'Risk stratification' }).expect(201);
    await http().post('/api/v1/neighbourhood/indicators').set(auth).send({ code: 'fuzz_indicator', name: 'Fuzz indicator', unit: 'rate_per_1000', betterWhen: 'lower' }).expect(201);
    Object.assign(ids, { placeId, mentoringId: mentoring.body.id, code: 'fuzz_indicator' });
    const document = (await request(built.url).get('/api/docs-json').expect(200)).body as OpenApiDocument;
    operations = operationsOf(document);
    // eslint-disable-next-line no-console
    console.log(`API fuzzer: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${RUNS_PER_OPERATION} cases for each of ${operations.length} operations`);
  }, 120_000);

  afterAll(async () => {
    await built?.stop();
    await fingerprint?.close();
    await api?.close();
  });

  it('reads every operation from the OpenAPI document (the sweep below is not vacuous)', () => {
    expect(operations.length).toBeGreaterThan(80);
    expect(operations.filter((op) => op.body).length).toBeGreaterThan(25);
    expect(operations.filter((op) => op.parameters.some((p) => p.name === 'cursor')).length).toBeGreaterThan(10);
    // Every id the document's paths name has a real object to aim at.
    const named = new Set(operations.flatMap((op) => op.parameters.filter((p) => p.in === 'path').map((p) => p.name)));
    expect([...named].filter((name) => !ids[name])).toEqual([]);
  });

  it('fingerprints writes: a created row, an update and a delete each change it (control for "changes no table")', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const start = await fingerprint.take();
    await request(built.url).put('/api/v1/me/equality').set(auth).send({ consent: true, ageBand: '35_44' }).expect(200);
    const created = await fingerprint.take();
    expect(DatabaseFingerprint.changed(start, created)).toContain('equality_monitoring');
    await request(built.url).put('/api/v1/me/equality').set(auth).send({ consent: true, ageBand: '45_54' }).expect(200);
    const updated = await fingerprint.take();
    expect(DatabaseFingerprint.changed(created, updated)).toContain('equality_monitoring');
    await request(built.url).delete('/api/v1/me/equality').set(auth).expect(204);
    expect(DatabaseFingerprint.changed(updated, await fingerprint.take())).toContain('equality_monitoring');
    const idle = await fingerprint.take();
    expect(DatabaseFingerprint.changed(idle, await fingerprint.take())).toEqual([]);
  });

  it('answers every bad input below 500, as problem+json, and changes no table when it refuses', async () => {
    const failures: Failure[] = [];
    const statuses = new Map<string, Map<number, number>>();
    let cases = 0;

    async function send(op: Operation, c: FuzzCase): Promise<Response> {
      const qs = new URLSearchParams(c.query).toString();
      let call = request(built.url)[op.method](`${c.path}${qs ? `?${qs}` : ''}`).set('Authorization', `Bearer ${c.asParticipant ? participantCaller.token : token}`).set('Accept', c.accept);
      if (c.body && 'json' in c.body) call = call.set('Content-Type', 'application/json').send(JSON.stringify(c.body.json) ?? 'null');
      else if (c.body) call = call.set('Content-Type', c.body.contentType).send(c.body.payload);
      return call;
    }

    /** Fuzzing POST /auth/logout (or an erasure) may end the caller's session: sign in again before the next operation. */
    async function ensureSignedIn(): Promise<void> {
      const me = await request(built.url).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      if (me.status === 401) token = await mustSignInAt(adminEmail);
      const mine = await request(built.url).get('/api/v1/me').set('Authorization', `Bearer ${participantCaller.token}`);
      // An erasure fuzzed with the real person id may have erased the participant: then the admin makes all the calls.
      if (mine.status === 401) {
        const again = await signInAt(participantCaller.email);
        participantCaller.token = again.token ?? token;
      }
    }

    let before = await fingerprint.take();
    for (const [index, op] of operations.entries()) {
      await ensureSignedIn();
      before = await fingerprint.take();
      const name = operationName(op);
      const counts = new Map<number, number>();
      statuses.set(name, counts);
      await fc.assert(
        fc.asyncProperty(casesFor(op, ids), async (c) => {
          cases++;
          const response = await send(op, c);
          const after = await fingerprint.take();
          const changed = DatabaseFingerprint.changed(before, after);
          before = after;
          counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
          const problems: string[] = [];
          if (response.status >= 500) problems.push(`answered ${response.status}`);
          if (response.status >= 400) {
            const type = String(response.headers['content-type'] ?? '');
            if (!PROBLEM_JSON.test(type)) problems.push(`error without problem+json (content-type ${type || 'none'})`);
            else if ((response.body as { status?: number }).status !== response.status) problems.push('problem document whose status differs from the response');
          }
          if (response.status >= 400 && response.status < 500 && changed.length) {
            const requestId = String(response.headers['x-request-id'] ?? '');
            const actions = (await fingerprint.rows<{ action: string }>('select action from audit_log where request_id = $1', [requestId])).map((row) => row.action);
            const securityEventOnly = changed.every((table) => SECURITY_EVENT_TABLES.has(table)) && actions.length > 0 && actions.every((action) => SECURITY_EVENTS_ON_REFUSAL.has(action));
            if (!securityEventOnly) problems.push(`refused (${response.status}) yet changed ${changed.join(', ')}${actions.length ? ` (audit: ${actions.join(', ')})` : ''}`);
          }
          if (problems.length) {
            failures.push({ operation: name, problem: problems.join('; '), request: describeRequest(op, c), response: `${response.status} ${String(response.headers['content-type'] ?? '')} ${(response.text ?? '').slice(0, 300)}` });
          }
          // Failures are collected rather than thrown, so one run finds every broken operation
          // (the seed replays the exact cases).
          return true;
        }),
        // One seed per operation, derived from the run's: an operation's cases do not depend on how many operations come before it.
        { numRuns: RUNS_PER_OPERATION, seed: (SEED + index * 7919) % 2 ** 31 },
      );
    }

    const summary = [...statuses].map(([name, counts]) => `${name}: ${[...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    // eslint-disable-next-line no-console
    console.log(`API fuzzer: ${cases} cases, seed ${SEED}\n${summary.join('\n')}`);
    // One failure per operation and problem is enough to act on.
    const distinct = [...new Map(failures.map((f) => [`${f.operation} ${f.problem}`, f])).values()];
    expect(distinct).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(operations.length * RUNS_PER_OPERATION);
  }, 600_000);
});
