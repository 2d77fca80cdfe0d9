#!/usr/bin/env node
/**
 * Enrolment throughput and latency benchmark (prints figures, asserts nothing).
 *
 *   npm run bench:enrolment                         # builds, then runs this file
 *   BENCH_CLIENTS=50 BENCH_REQUESTS=3000 node bench/enrolment.bench.mjs
 *   DATABASE_POOL_MAX=20 npm run bench:enrolment    # the API's pool size (default 10)
 *
 * 1. Creates a fresh database slp_bench_<timestamp> with the built CLI (db:migrate) and seeds it
 *    with SQL: one region, system, organisation, programme, programme lead, four sets of open
 *    cohorts of the same shape (API warm-up, API, raw warm-up, raw) and one distinct person per
 *    request.
 * 2. Starts the built API on a free port and warms it up (not measured).
 * 3. API phase: N closed-loop clients POST /api/v1/cohorts/:id/enrolments { personId } as the lead.
 * 4. Raw phase: the same seat-grab as SQL transactions over a pg Pool of N connections, N loops.
 * 5. Opening morning of a national programme, enrolled by a national admin: BENCH_OPENING_COHORTS
 *    popular cohorts, BENCH_OPENING_CLIENTS clients spread over them (several per cohort at once),
 *    BENCH_OPENING_REQUESTS enrolments, each cohort's capacity a third of its requests, so its
 *    waiting list grows to twice its capacity. API, then the same as raw SQL.
 * 6. Rush: BENCH_RUSH people arrive at one cohort at once (every request in flight together;
 *    capacity a third of them, the rest waitlisted), through the API, then as raw SQL with
 *    BENCH_CLIENTS connections.
 * 7. Prints the figures, the ratio API/raw and whether the targets are met; stops the API and
 *    drops the database (also on errors and Ctrl-C).
 *
 * Environment: BENCH_CLIENTS (50), BENCH_REQUESTS (3000), BENCH_WARMUP (200), BENCH_COHORTS (50),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (redis://127.0.0.1:6379),
 * BENCH_KEEP_DB=1 (keep the database for inspection), DATABASE_POOL_MAX (passed to the API),
 * BENCH_API_NODE_OPTIONS (NODE_OPTIONS for the API process, e.g. --cpu-prof),
 * BENCH_OPENING_COHORTS (5), BENCH_OPENING_CLIENTS (BENCH_CLIENTS), BENCH_OPENING_REQUESTS (3000),
 * BENCH_RUSH (500), BENCH_SHAPES (standard,opening,rush: which shapes to run).
 */
import { spawn } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, intEnv, keepLastLines, log, machineCores, machineTicks, note, percentile, procCpuSeconds, runBenchmark, serviceCpuSeconds, sleep } from './lib.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/src/main.js');

// ---------------------------------------------------------------- parameters

const CLIENTS = intEnv('BENCH_CLIENTS', 50);
const REQUESTS = intEnv('BENCH_REQUESTS', 3000);
const WARMUP = intEnv('BENCH_WARMUP', 200, 0);
const COHORTS = intEnv('BENCH_COHORTS', 50);
const API_POOL_MAX = intEnv('DATABASE_POOL_MAX', 10);
const PG_BASE = (process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const OPENING_COHORTS = intEnv('BENCH_OPENING_COHORTS', 5);
const OPENING_CLIENTS = intEnv('BENCH_OPENING_CLIENTS', CLIENTS);
const OPENING_REQUESTS = intEnv('BENCH_OPENING_REQUESTS', 3000);
const RUSH = intEnv('BENCH_RUSH', 500);
const SHAPES = new Set((process.env.BENCH_SHAPES || 'standard,opening,rush').split(',').map((s) => s.trim()).filter(Boolean));
for (const shape of SHAPES) if (!['standard', 'opening', 'rush'].includes(shape)) throw new Error(`BENCH_SHAPES: unknown shape "${shape}" (standard, opening, rush)`);

const TARGET_RATIO = 0.4;
const TARGET_P99_MS = 150;
/** Opening morning and the rush: the API against the raw-SQL limit in the same shape. */
const TARGET_OPENING_RATIO = 0.5;

const DB_NAME = `slp_bench_${Date.now()}`;
const DB_URL = `${PG_BASE}/${DB_NAME}`;
const ADMIN_URL = `${PG_BASE}/postgres`;
const JWT_SECRET = randomBytes(36).toString('base64url'); // 48 characters
const JWT_ISSUER = 'system-leadership-platform';
const JWT_AUDIENCE = 'slp-api';
const REQUEST_TIMEOUT_MS = 30_000;

const ACTIVE_STATUSES = ['pending_approval', 'enrolled', 'waitlisted', 'offered'];

// ---------------------------------------------------------------- state for clean-up

let apiChild = null;
let apiExited = null; // promise resolved when the child exits
const apiLog = []; // last lines of the API's output, shown on failure
let dbCreated = false;
const openPools = new Set();
let cleaningUp = null;

// ---------------------------------------------------------------- helpers

function newPool(connectionString, max) {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 60_000, application_name: 'slp-bench' });
  pool.on('error', (error) => note(`idle pg client error: ${error.message}`));
  openPools.add(pool);
  return pool;
}

async function endPool(pool) {
  if (!openPools.delete(pool)) return;
  await pool.end().catch(() => {});
}

function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(args[0] ?? command)} ${args.slice(1).join(' ')} exited with ${code ?? signal}:\n${out}`))));
  });
}

function summarise(latencies, wallMs) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    wallMs,
    rps: sorted.length / (wallMs / 1000),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/**
 * Runs `total` jobs with `concurrency` closed-loop workers: each worker takes the next index and
 * awaits `job(index)` before taking another. Returns per-job latencies (ms) and the wall time.
 */
async function closedLoop(total, concurrency, job) {
  const latencies = new Float64Array(total);
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= total) return;
      const t0 = performance.now();
      await job(index);
      latencies[index] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latencies, wallMs: performance.now() - started };
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

function cpuSnapshot() {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    api: apiChild ? procCpuSeconds(apiChild.pid) : null,
    postgres: serviceCpuSeconds(DB_NAME).postgres,
    bench: (usage.user + usage.system) / 1e6,
    machine: machineTicks(),
  };
}

function cpuDelta(before, after) {
  const wall = (after.at - before.at) / 1000;
  const cores = (a, b) => (a === null || b === null ? null : (b - a) / wall);
  const machine = machineCores(before.machine, after.machine, os.cpus().length);
  const result = { api: cores(before.api, after.api), postgres: cores(before.postgres, after.postgres), bench: cores(before.bench, after.bench), machine };
  // Other people's builds and tests on the same machine (and the kernel): what the three above do not explain.
  result.others = machine === null ? null : Math.max(0, machine - (result.api ?? 0) - (result.postgres ?? 0) - (result.bench ?? 0));
  return result;
}

// ---------------------------------------------------------------- database

async function createAndMigrate() {
  note(`creating ${DB_NAME} with the CLI (db:migrate)`);
  dbCreated = true; // from here on, clean-up tries to drop it
  const out = await run(process.execPath, [CLI_MAIN, 'db:migrate'], {
    ...process.env,
    DATABASE_URL: DB_URL,
    REDIS_URL,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
  });
  note(out.trim().split('\n').pop());
}

async function dropDatabase() {
  const admin = new pg.Client({ connectionString: ADMIN_URL, application_name: 'slp-bench' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** London display strings, the same shape the app writes into notification data. */
const LONDON_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true });
const londonText = (date) => LONDON_DATE.format(date);

/** Capacities: four cohorts in five never fill; every fifth fills at half its share and then waitlists. */
function cohortShape(count, perCohort) {
  return Array.from({ length: count }, (_, i) => (i % 5 === 4 ? Math.max(1, Math.floor(perCohort / 2)) : perCohort * 2));
}

async function seed(pool) {
  note('seeding');
  const now = new Date();
  const day = 86_400_000;
  const ids = {
    region: 'BNCH',
    system: randomUUID(),
    organisation: randomUUID(),
    programme: randomUUID(),
    leadPerson: randomUUID(),
    account: randomUUID(),
    nationalProgramme: randomUUID(),
    adminPerson: randomUUID(),
    adminAccount: randomUUID(),
  };
  const programmeTitle = 'Bench Leadership Programme';
  const nationalTitle = 'Bench National Programme';

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO region (code, name) VALUES ($1, $2)`, [ids.region, 'Bench Region']);
    await client.query(`INSERT INTO system (id, name, ods_code, kind, region_code, created_at) VALUES ($1, $2, $3, 'ICS', $4, $5)`, [ids.system, 'Bench ICS', 'QBNCH', ids.region, now]);
    await client.query(`INSERT INTO organisation (id, name, ods_code, type, system_id, created_at) VALUES ($1, $2, $3, 'acute_trust', $4, $5)`, [ids.organisation, 'Bench Hospitals NHS Trust', 'RBNCH', ids.system, now]);
    await client.query(
      `INSERT INTO person (id, email, given_name, family_name, organisation_id, created_at, updated_at) VALUES ($1, 'bench.lead@bench.example', 'Bench', 'Lead', $2, $3, $3)`,
      [ids.leadPerson, ids.organisation, now],
    );
    await client.query(
      `INSERT INTO account (id, person_id, password_hash, roles, system_ids, status, created_at) VALUES ($1, $2, NULL, ARRAY['programme_lead'], ARRAY[$3::text], 'active', $4)`,
      [ids.account, ids.leadPerson, ids.system, now],
    );
    await client.query(
      `INSERT INTO programme (id, title, description, level, system_id, eligible_staff_groups, eligible_grades, created_at, updated_at) VALUES ($1, $2, 'Benchmark programme', 'senior', $3, '{}', '{}', $4, $4)`,
      [ids.programme, programmeTitle, ids.system, now],
    );
    // Opening morning: a national programme (no owning system), enrolled by a national admin (an admin of no system).
    await client.query(
      `INSERT INTO person (id, email, given_name, family_name, organisation_id, created_at, updated_at) VALUES ($1, 'bench.admin@bench.example', 'Bench', 'Admin', $2, $3, $3)`,
      [ids.adminPerson, ids.organisation, now],
    );
    await client.query(
      `INSERT INTO account (id, person_id, password_hash, roles, system_ids, status, created_at) VALUES ($1, $2, NULL, ARRAY['admin'], '{}', 'active', $3)`,
      [ids.adminAccount, ids.adminPerson, now],
    );
    await client.query(
      `INSERT INTO programme (id, title, description, level, system_id, eligible_staff_groups, eligible_grades, created_at, updated_at) VALUES ($1, $2, 'Benchmark national programme', 'senior', NULL, '{}', '{}', $3, $3)`,
      [ids.nationalProgramme, nationalTitle, now],
    );

    // Four cohort sets of the same shape, so both measured phases start equal.
    const perCohort = Math.ceil(REQUESTS / COHORTS);
    const warmCohorts = Math.max(1, Math.min(COHORTS, 10));
    const perWarm = Math.ceil(Math.max(1, WARMUP) / warmCohorts);
    const sets = {
      apiWarm: cohortShape(warmCohorts, perWarm),
      api: cohortShape(COHORTS, perCohort),
      rawWarm: cohortShape(warmCohorts, perWarm),
      raw: cohortShape(COHORTS, perCohort),
    };
    // Popular cohorts: a third of the requests get seats, the waiting list grows to twice the capacity.
    const openingCapacity = Math.max(1, Math.floor(Math.ceil(OPENING_REQUESTS / OPENING_COHORTS) / 3));
    const rushCapacity = Math.max(1, Math.floor(RUSH / 3));
    const national = {
      openingApi: Array.from({ length: OPENING_COHORTS }, () => openingCapacity),
      openingRaw: Array.from({ length: OPENING_COHORTS }, () => openingCapacity),
      rushApi: [rushCapacity],
      rushRaw: [rushCapacity],
    };
    const cohorts = {};
    const cohortMeta = new Map();
    const startsAt = new Date(now.getTime() + 30 * day);
    const endsAt = new Date(now.getTime() + 90 * day);
    const allSets = [
      ...Object.entries(sets).map(([label, capacities]) => [label, capacities, ids.programme, programmeTitle]),
      ...Object.entries(national).map(([label, capacities]) => [label, capacities, ids.nationalProgramme, nationalTitle]),
    ];
    for (const [label, capacities, programmeId, title] of allSets) {
      const rows = capacities.map((capacity, i) => ({ id: randomUUID(), name: `Bench ${label} cohort ${i + 1}`, capacity }));
      await client.query(
        `INSERT INTO cohort (id, programme_id, name, capacity, seats_taken, waitlist_tickets, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, status, requires_approval, waitlist_enabled, offer_window_hours, created_at, updated_at)
         SELECT id, $1, name, capacity, 0, 0, $2, $3, $4, $5, 'open', false, true, 0, $6, $6
           FROM unnest($7::uuid[], $8::text[], $9::int[]) AS t(id, name, capacity)`,
        [programmeId, new Date(now.getTime() - day), new Date(now.getTime() + 7 * day), startsAt, endsAt, now, rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.capacity)],
      );
      cohorts[label] = rows.map((r) => r.id);
      for (const r of rows) {
        cohortMeta.set(r.id, {
          programmeTitle: title,
          cohortId: r.id,
          cohortName: r.name,
          cohortStartsAt: startsAt.toISOString(),
          cohortStartsAtLondon: londonText(startsAt),
          cohortEndsAtLondon: londonText(endsAt),
        });
      }
    }

    // One distinct person per request of every phase.
    const counts = { apiWarm: WARMUP, api: REQUESTS, rawWarm: WARMUP, raw: REQUESTS, openingApi: OPENING_REQUESTS, openingRaw: OPENING_REQUESTS, rushApi: RUSH, rushRaw: RUSH };
    const people = {};
    let n = 0;
    for (const [label, count] of Object.entries(counts)) {
      const list = Array.from({ length: count }, () => {
        n += 1;
        return { id: randomUUID(), email: `bench.person.${n}@bench.example`, givenName: 'Bench', familyName: `Person ${n}` };
      });
      for (let offset = 0; offset < list.length; offset += 5000) {
        const chunk = list.slice(offset, offset + 5000);
        await client.query(
          `INSERT INTO person (id, email, given_name, family_name, organisation_id, staff_group, grade, created_at, updated_at)
           SELECT id, email, given_name, family_name, $1, NULL, NULL, $2, $2 FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) AS t(id, email, given_name, family_name)`,
          [ids.organisation, now, chunk.map((p) => p.id), chunk.map((p) => p.email), chunk.map((p) => p.givenName), chunk.map((p) => p.familyName)],
        );
      }
      people[label] = list;
    }
    await client.query('COMMIT');
    await client.query('ANALYZE');
    return { ids, cohorts, cohortMeta, people, perCohort, sets, openingCapacity, rushCapacity };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** What a phase left in its cohorts: a check that both phases did the same work. */
async function phaseOutcome(pool, cohortIds) {
  const { rows } = await pool.query(
    `SELECT
       (SELECT count(*)::int FROM enrolment WHERE cohort_id = ANY($1) AND status = 'enrolled') AS enrolled,
       (SELECT count(*)::int FROM enrolment WHERE cohort_id = ANY($1) AND status = 'waitlisted') AS waitlisted,
       (SELECT coalesce(sum(seats_taken), 0)::int FROM cohort WHERE id = ANY($1)) AS seats,
       (SELECT count(*)::int FROM cohort WHERE id = ANY($1) AND seats_taken = capacity) AS full_cohorts,
       (SELECT count(*)::int FROM notification WHERE (data->>'cohortId')::uuid = ANY($1)) AS notifications,
       (SELECT count(*)::int FROM audit_log WHERE action = 'enrolment.create' AND (details->>'cohortId')::uuid = ANY($1)) AS audits,
       -- Nobody leaves these waiting lists, so the positions emailed must be 1, 2, 3, … in each cohort, once each.
       (SELECT count(DISTINCT (data->>'cohortId', data->>'waitlistPosition'))::int FROM notification
         WHERE kind = 'waitlisted' AND (data->>'cohortId')::uuid = ANY($1) AND (data->>'waitlistPosition')::int BETWEEN 1 AND
               (SELECT count(*) FROM enrolment e WHERE e.cohort_id = (data->>'cohortId')::uuid AND e.status = 'waitlisted')) AS positions`,
    [cohortIds],
  );
  return rows[0];
}

// ---------------------------------------------------------------- API

async function startApi(port) {
  note(`starting the API on port ${port} (DATABASE_POOL_MAX=${API_POOL_MAX})`);
  apiChild = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: DB_URL,
      DATABASE_POOL_MAX: String(API_POOL_MAX),
      REDIS_URL,
      REDIS_PREFIX: `${DB_NAME}`,
      JWT_SECRET,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // e.g. BENCH_API_NODE_OPTIONS=--cpu-prof to profile the API process.
      NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  keepLastLines(apiChild, apiLog);
  apiExited = new Promise((resolve) => apiChild.once('exit', (code, signal) => resolve({ code, signal })));

  const deadline = Date.now() + 60_000;
  let exited = null;
  void apiExited.then((result) => (exited = result));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the API exited during start-up (${exited.code ?? exited.signal}):\n${apiLog.slice(-30).join('\n')}`);
    try {
      const res = await request(port, 'GET', '/health/ready');
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the API was not ready within 60 s:\n${apiLog.slice(-30).join('\n')}`);
}

async function stopApi() {
  if (!apiChild || apiChild.exitCode !== null || apiChild.signalCode !== null) return null;
  apiChild.kill('SIGTERM');
  const result = await Promise.race([apiExited, sleep(15_000).then(() => null)]);
  if (result) return result;
  note('the API did not stop within 15 s of SIGTERM; sending SIGKILL');
  apiChild.kill('SIGKILL');
  return apiExited;
}

const MAX_CONCURRENCY = Math.max(CLIENTS, OPENING_CLIENTS, RUSH, 1);
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY, maxFreeSockets: MAX_CONCURRENCY });

function request(port, method, urlPath, body, token) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request({ agent, host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function accessToken(accountId) {
  // As AuthService.issue does: HS256, { sub }, issuer and audience; 1 h is plenty for one run.
  return jwt.sign({ sub: accountId, sid: randomUUID() }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600, issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
}

async function apiPhase(port, token, cohortIds, people, count, concurrency = CLIENTS) {
  const statuses = new Map();
  const samples = [];
  const result = await closedLoop(count, concurrency, async (i) => {
    let status;
    try {
      const res = await request(port, 'POST', `/api/v1/cohorts/${cohortIds[i % cohortIds.length]}/enrolments`, { personId: people[i].id }, token);
      status = String(res.status);
      if (res.status !== 201 && samples.length < 5) samples.push(`${res.status} ${res.body.slice(0, 300)}`);
    } catch (error) {
      status = 'network error';
      if (samples.length < 5) samples.push(`network error: ${error.message}`);
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  return { ...result, statuses, samples };
}

// ---------------------------------------------------------------- raw SQL

const SQL_LOCK = `SELECT id, capacity, seats_taken, waitlist_tickets, status, enrolment_opens_at, enrolment_closes_at, requires_approval, waitlist_enabled FROM cohort WHERE id = $1 FOR UPDATE`;
const SQL_DUPLICATE = `SELECT count(*)::int AS n FROM enrolment WHERE cohort_id = $1 AND person_id = $2 AND status = ANY($3::text[])`;
const SQL_TAKE_SEAT = `UPDATE cohort SET seats_taken = seats_taken + 1, updated_at = $2 WHERE id = $1`;
const SQL_TAKE_TICKET = `UPDATE cohort SET waitlist_tickets = waitlist_tickets + 1, updated_at = $2 WHERE id = $1 RETURNING waitlist_tickets`;
const SQL_WAITLIST_POSITION = `SELECT count(*)::int AS n FROM enrolment WHERE cohort_id = $1 AND status = 'waitlisted'`;
const SQL_INSERT_ENROLMENT = `INSERT INTO enrolment (id, cohort_id, person_id, status, source, waitlist_ticket, enrolled_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'lead', $5, $6, $7, $7)`;
const SQL_INSERT_NOTIFICATION = `INSERT INTO notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at)
  VALUES ($1, $2, $3, $4, $5, 'enrolment', $6, $7, $8, 'pending', 0, $9) ON CONFLICT (dedupe_key) DO NOTHING`;
const SQL_INSERT_AUDIT = `INSERT INTO audit_log (at, actor_account_id, action, object_type, object_id, request_id, details) VALUES ($1, $2, 'enrolment.create', 'enrolment', $3, $4, $5)`;

/**
 * The seat-grab of EnrolmentService.place + SeatAllocator, as plain SQL in one transaction: lock
 * the cohort, check it is open, check for an active duplicate, take a seat (or a waitlist ticket
 * and position), insert the enrolment, the outbox notification and the audit entry, commit.
 */
async function rawEnrol(pool, cohortId, person, accountId, cohortMeta) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const now = new Date();
    const { rows: [cohort] } = await client.query(SQL_LOCK, [cohortId]);
    if (!cohort) throw new Error(`no cohort ${cohortId}`);
    if (cohort.status !== 'open' || now < cohort.enrolment_opens_at || now >= cohort.enrolment_closes_at) throw new Error('enrolment closed');
    const { rows: [duplicate] } = await client.query(SQL_DUPLICATE, [cohortId, person.id, ACTIVE_STATUSES]);
    if (duplicate.n) throw new Error('already enrolled');

    const enrolmentId = randomUUID();
    let status;
    let ticket = null;
    let waitlistPosition = null;
    if (cohort.seats_taken < cohort.capacity) {
      await client.query(SQL_TAKE_SEAT, [cohortId, now]);
      status = 'enrolled';
    } else {
      if (!cohort.waitlist_enabled) throw new Error('cohort full');
      const { rows: [updated] } = await client.query(SQL_TAKE_TICKET, [cohortId, now]);
      ticket = updated.waitlist_tickets;
      status = 'waitlisted';
      waitlistPosition = (await client.query(SQL_WAITLIST_POSITION, [cohortId])).rows[0].n + 1;
    }
    await client.query(SQL_INSERT_ENROLMENT, [enrolmentId, cohortId, person.id, status, ticket, status === 'enrolled' ? now : null, now]);
    const kind = status === 'enrolled' ? 'enrolment_confirmed' : 'waitlisted';
    const data = { ...cohortMeta.get(cohortId), givenName: person.givenName, enrolmentId, ...(waitlistPosition !== null ? { waitlistPosition } : {}) };
    await client.query(SQL_INSERT_NOTIFICATION, [
      randomUUID(),
      kind,
      person.id,
      person.email,
      `${person.givenName} ${person.familyName}`,
      enrolmentId,
      data,
      `${kind}:enrolment:${enrolmentId}:${person.id}`,
      now,
    ]);
    await client.query(SQL_INSERT_AUDIT, [now, accountId, enrolmentId, randomUUID(), { cohortId, status, source: 'lead' }]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function rawPhase(pool, cohortIds, people, count, accountId, cohortMeta, concurrency = CLIENTS) {
  const statuses = new Map();
  const samples = [];
  const result = await closedLoop(count, concurrency, async (i) => {
    let status = 'ok';
    try {
      await rawEnrol(pool, cohortIds[i % cohortIds.length], people[i], accountId, cohortMeta);
    } catch (error) {
      status = `error: ${error.message.slice(0, 60)}`;
      if (samples.length < 5) samples.push(error.message);
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  return { ...result, statuses, samples };
}

// ---------------------------------------------------------------- report

const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function statusText(statuses) {
  return [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}×${v}`).join(' ');
}

// ---------------------------------------------------------------- main

async function main() {
  const cpus = os.cpus();
  log('Enrolment benchmark: API (HTTP → Nest/Fastify → MikroORM → PostgreSQL) vs raw SQL transactions');
  log(`machine   node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model?.trim() ?? 'unknown'}), load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.platform()} ${os.release()}`);
  log(`params    clients=${CLIENTS} requests/phase=${REQUESTS} warm-up=${WARMUP} cohorts/phase=${COHORTS} API DATABASE_POOL_MAX=${API_POOL_MAX} raw pool=${CLIENTS} database=${DB_NAME} shapes=${[...SHAPES].join(',')}`);

  await createAndMigrate();
  const pool = newPool(DB_URL, 2);
  const world = await seed(pool);
  world.sampler = new pg.Pool({ connectionString: DB_URL, max: 1, application_name: 'slp-bench-sampler' });
  openPools.add(world.sampler);
  const fills = world.sets.api.filter((capacity) => capacity < world.perCohort).length;
  if (SHAPES.has('standard')) {
    log(`seed      ${COHORTS} cohorts/phase (${fills} of them fill at ${Math.max(1, Math.floor(world.perCohort / 2))} seats and waitlist, the rest have ${world.perCohort * 2}), ~${world.perCohort} requests/cohort round-robin, ${REQUESTS * 2 + WARMUP * 2} distinct people`);
  }

  const port = await freePort();
  await startApi(port);
  const token = accessToken(world.ids.account);

  // Warm-up: JIT, pool connections, the ORM's metadata caches. Not measured.
  if (WARMUP > 0) {
    note(`API warm-up: ${WARMUP} requests`);
    const warm = await apiPhase(port, token, world.cohorts.apiWarm, world.people.apiWarm, WARMUP);
    if (warm.statuses.get('201') !== WARMUP) throw new Error(`API warm-up did not get ${WARMUP}×201: ${statusText(warm.statuses)}\n${warm.samples.join('\n')}`);
  }
  const rawPool = newPool(DB_URL, CLIENTS);
  if (WARMUP > 0) {
    note(`raw warm-up: ${WARMUP} transactions`);
    const warm = await rawPhase(rawPool, world.cohorts.rawWarm, world.people.rawWarm, WARMUP, world.ids.account, world.cohortMeta);
    if (warm.statuses.get('ok') !== WARMUP) throw new Error(`raw warm-up failed: ${statusText(warm.statuses)}\n${warm.samples.join('\n')}`);
  }

  if (SHAPES.has('standard')) {
    const result = await measureShape(pool, rawPool, port, token, world, { api: 'api', raw: 'raw', requests: REQUESTS, concurrency: CLIENTS, accountId: world.ids.account });
    report(result, cpus.length);
    const { apiStats } = result;
    const ratio = result.ratio;
    const ratioMet = ratio >= TARGET_RATIO;
    const p99Met = apiStats.p99 < TARGET_P99_MS;
    log('');
    log(`ratio API/raw (req/s) = ${fmt(ratio, 2)} (target ≥ ${TARGET_RATIO}) ${ratioMet ? 'MET' : 'NOT MET'}`);
    log(`API p99 = ${Math.round(apiStats.p99)} ms (target < ${TARGET_P99_MS} ms at ${CLIENTS} clients) ${p99Met ? 'MET' : 'NOT MET'}`);
    log(`targets: ${ratioMet && p99Met && !result.non201 ? 'all met' : 'not all met'}`);
  }

  if (SHAPES.has('opening')) {
    // The programme's opening morning: a national admin enrols people into a few popular cohorts, several clients per cohort.
    const adminToken = accessToken(world.ids.adminAccount);
    log('');
    log(`== opening morning: ${OPENING_COHORTS} popular cohorts of a national programme, capacity ${world.openingCapacity} each, ${OPENING_REQUESTS} enrolments by a national admin, ${OPENING_CLIENTS} clients (${fmt(OPENING_CLIENTS / OPENING_COHORTS, 0)} per cohort at once); waiting lists grow to twice the capacity`);
    const result = await measureShape(pool, rawPool, port, adminToken, world, { api: 'openingApi', raw: 'openingRaw', requests: OPENING_REQUESTS, concurrency: OPENING_CLIENTS, accountId: world.ids.adminAccount });
    report(result, cpus.length);
    const ratioMet = result.ratio >= TARGET_OPENING_RATIO;
    const p99Met = result.apiStats.p99 < TARGET_P99_MS;
    log('');
    log(`opening ratio API/raw (req/s) = ${fmt(result.ratio, 2)} (target ≥ ${TARGET_OPENING_RATIO}) ${ratioMet ? 'MET' : 'NOT MET'}`);
    log(`opening API p99 = ${Math.round(result.apiStats.p99)} ms (target < ${TARGET_P99_MS} ms at ${OPENING_CLIENTS} clients) ${p99Met ? 'MET' : 'NOT MET'}`);
    log(`opening targets: ${ratioMet && p99Met && !result.non201 ? 'all met' : 'not all met'}`);
  }

  if (SHAPES.has('rush')) {
    // Everyone at once: every request in flight together, all queueing on one cohort's row lock.
    const adminToken = accessToken(world.ids.adminAccount);
    log('');
    log(`== rush: ${RUSH} people arrive at one cohort at once (capacity ${world.rushCapacity}, the rest waitlisted), by a national admin; raw SQL over ${CLIENTS} connections`);
    const result = await measureShape(pool, rawPool, port, adminToken, world, { api: 'rushApi', raw: 'rushRaw', requests: RUSH, concurrency: RUSH, accountId: world.ids.adminAccount });
    report(result, cpus.length);
    const ratioMet = result.ratio >= TARGET_OPENING_RATIO;
    log('');
    log(`rush ratio API/raw (req/s) = ${fmt(result.ratio, 2)} (target ≥ ${TARGET_OPENING_RATIO}) ${ratioMet ? 'MET' : 'NOT MET'}; the last of ${RUSH} answered after ${Math.round(result.apiStats.max)} ms (raw ${Math.round(result.rawStats.max)} ms)`);
  }
  await endPool(rawPool);
}

/**
 * Samples pg_stat_activity every 50 ms while a phase runs: how many of the database's backends are
 * busy, and how many of those wait for a lock (the cohort's row lock: the time a popular cohort's
 * enrolments spend queueing). Returns stop() → the means.
 */
function sampleLockWaits(pool) {
  let samples = 0;
  let active = 0;
  let waiting = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows: [row] } = await pool.query(
        `SELECT count(*) FILTER (WHERE state = 'active')::int AS active, count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> 'slp-bench-sampler'`,
        [DB_NAME],
      );
      samples += 1;
      active += row.active;
      waiting += row.waiting;
      await sleep(50);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return { active: samples ? active / samples : null, waiting: samples ? waiting / samples : null };
  };
}

/** One shape: its API phase, then the same through raw SQL, with CPU and what each left in the database. */
async function measureShape(pool, rawPool, port, token, world, { api: apiSet, raw: rawSet, requests, concurrency, accountId }) {
  note(`API phase (${apiSet}): ${requests} requests, ${concurrency} clients`);
  const apiBefore = cpuSnapshot();
  const apiSampler = sampleLockWaits(world.sampler);
  const api = await apiPhase(port, token, world.cohorts[apiSet], world.people[apiSet], requests, concurrency);
  const apiCpu = cpuDelta(apiBefore, cpuSnapshot());
  const apiLocks = await apiSampler();
  const apiStats = summarise(api.latencies, api.wallMs);
  const apiOutcome = await phaseOutcome(pool, world.cohorts[apiSet]);

  note(`raw phase (${rawSet}): ${requests} transactions, ${concurrency} clients over ${CLIENTS} connections`);
  const rawBefore = cpuSnapshot();
  const rawSampler = sampleLockWaits(world.sampler);
  const raw = await rawPhase(rawPool, world.cohorts[rawSet], world.people[rawSet], requests, accountId, world.cohortMeta, concurrency);
  const rawCpu = cpuDelta(rawBefore, cpuSnapshot());
  const rawLocks = await rawSampler();
  const rawStats = summarise(raw.latencies, raw.wallMs);
  const rawOutcome = await phaseOutcome(pool, world.cohorts[rawSet]);
  const non201 = requests - (api.statuses.get('201') ?? 0);
  const rawFailed = requests - (raw.statuses.get('ok') ?? 0);
  return { api, apiCpu, apiStats, apiOutcome, apiLocks, raw, rawCpu, rawStats, rawOutcome, rawLocks, non201, rawFailed, requests, ratio: apiStats.rps / rawStats.rps };
}

function report({ api, apiCpu, apiStats, apiOutcome, apiLocks, raw, rawCpu, rawStats, rawOutcome, rawLocks, non201, rawFailed }, cores) {
  log('');
  log(
    table(
      ['phase', 'requests', 'wall s', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'enrolled', 'waitlisted', 'full cohorts', 'outcomes'],
      [
        ['API', apiStats.count, fmt(apiStats.wallMs / 1000, 2), fmt(apiStats.rps), fmt(apiStats.p50), fmt(apiStats.p95), fmt(apiStats.p99), fmt(apiStats.max), apiOutcome.enrolled, apiOutcome.waitlisted, apiOutcome.full_cohorts, statusText(api.statuses)],
        ['raw SQL', rawStats.count, fmt(rawStats.wallMs / 1000, 2), fmt(rawStats.rps), fmt(rawStats.p50), fmt(rawStats.p95), fmt(rawStats.p99), fmt(rawStats.max), rawOutcome.enrolled, rawOutcome.waitlisted, rawOutcome.full_cohorts, statusText(raw.statuses)],
      ],
    ),
  );
  log('');
  log('CPU used during each measured phase, in cores (of ' + cores + '):');
  log(
    table(
      ['phase', 'API process', 'PostgreSQL (bench db)', 'bench client', 'everything else', 'whole machine'],
      [apiCpu, rawCpu].map((cpu, i) => [i ? 'raw SQL' : 'API', fmt(cpu.api, 2), fmt(cpu.postgres, 2), fmt(cpu.bench, 2), fmt(cpu.others, 2), fmt(cpu.machine, 2)]),
    ),
  );
  log(`PostgreSQL backends of the bench database, mean of 50 ms samples: API phase ${fmt(apiLocks.active)} busy, ${fmt(apiLocks.waiting)} waiting for a lock; raw phase ${fmt(rawLocks.active)} busy, ${fmt(rawLocks.waiting)} waiting for a lock`);
  for (const [label, outcome] of [['API', apiOutcome], ['raw SQL', rawOutcome]]) {
    if (outcome.seats !== outcome.enrolled || outcome.notifications !== outcome.enrolled + outcome.waitlisted || outcome.audits !== outcome.enrolled + outcome.waitlisted || outcome.positions !== outcome.waitlisted) {
      log(`WARNING ${label}: seats_taken=${outcome.seats} enrolled=${outcome.enrolled} waitlisted=${outcome.waitlisted} notifications=${outcome.notifications} audit entries=${outcome.audits} distinct waitlist positions=${outcome.positions} do not add up`);
    }
  }
  if (non201) log(`WARNING API: ${non201} request(s) did not answer 201: ${statusText(api.statuses)}\n  ${api.samples.join('\n  ')}`);
  if (rawFailed) log(`WARNING raw: ${rawFailed} transaction(s) failed: ${statusText(raw.statuses)}\n  ${raw.samples.join('\n  ')}`);
}

async function cleanup() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    agent.destroy();
    const stopped = await stopApi().catch((error) => note(`stopping the API: ${error.message}`));
    if (stopped && stopped.code !== 0 && stopped.code !== null) note(`the API exited with code ${stopped.code}`);
    for (const pool of [...openPools]) await endPool(pool);
    if (dbCreated && !KEEP_DB) {
      await dropDatabase().then(
        () => note(`dropped ${DB_NAME}`),
        (error) => note(`could not drop ${DB_NAME}: ${error.message} (drop it by hand)`),
      );
    } else if (dbCreated) {
      note(`kept ${DB_NAME} (BENCH_KEEP_DB=1)`);
    }
  })();
  return cleaningUp;
}

await runBenchmark(main, cleanup, () => (apiLog.length ? `last API output:\n${apiLog.slice(-20).join('\n')}\n` : ''));
