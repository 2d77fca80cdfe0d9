#!/usr/bin/env node
/**
 * Read benchmark (prints figures, asserts nothing): the API's two most-read routes against a bare
 * Fastify + pg server returning the same JSON, in the same run.
 *
 *   npm run bench:read                               # builds, then runs this file
 *   BENCH_CLIENTS=50 BENCH_REQUESTS=5000 node bench/read.bench.mjs
 *
 * 1. Creates a fresh database slp_bench_read_<timestamp> with the built CLI (db:migrate) and seeds
 *    it: two systems, a participant of one of them, 100 programmes (national, of their system and
 *    of the other system, with assorted eligibility rules) and an open cohort with a waiting list.
 * 2. Starts the built API and bench/read-bare.mjs (Fastify + pg + ioredis: the same token, session
 *    and account checks and visibility rules, one Redis and one SQL round trip per request), each
 *    its own process with the same pool size, and checks that both answer with the same JSON.
 * 3. For each route: warm-up (not measured), then BENCH_ROUNDS rounds, each N/rounds requests from
 *    C closed-loop clients against the API and then the bare server (the order alternating), as the
 *    participant: on a shared machine both sides see the same background load.
 * 4. Prints requests/s, p50/p95/p99, CPU per process and the ratio API/bare per route (target ≥ 0.6);
 *    stops both servers and drops the database (also on errors and Ctrl-C).
 *
 * Environment: BENCH_CLIENTS (50), BENCH_REQUESTS (5000 per route and server), BENCH_WARMUP (500), BENCH_ROUNDS (5),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (redis://127.0.0.1:6379),
 * DATABASE_POOL_MAX (10, both servers), BENCH_KEEP_DB=1, BENCH_API_NODE_OPTIONS (e.g. --cpu-prof).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, intEnv, keepLastLines, log, machineCores, machineTicks, note, percentile, procCpuSeconds, runBenchmark, serviceCpuSeconds, sleep } from './lib.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/src/main.js');
const BARE_MAIN = path.join(ROOT, 'bench/read-bare.mjs');

const CLIENTS = intEnv('BENCH_CLIENTS', 50);
const REQUESTS = intEnv('BENCH_REQUESTS', 5000);
const WARMUP = intEnv('BENCH_WARMUP', 500, 0);
const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const POOL_MAX = intEnv('DATABASE_POOL_MAX', 10);
const PG_BASE = (process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const TARGET_RATIO = 0.6;

const DB_NAME = `slp_bench_read_${Date.now()}`;
const DB_URL = `${PG_BASE}/${DB_NAME}`;
const JWT_SECRET = randomBytes(36).toString('base64url');
const REQUEST_TIMEOUT_MS = 30_000;

const children = []; // { name, child, exited, log }
let dbCreated = false;
let cleaningUp = null;
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS, maxFreeSockets: CLIENTS });

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

function request(port, urlPath, token) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: '127.0.0.1', port, method: 'GET', path: urlPath, headers: { accept: 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Starts a server process and waits until GET /health/ready answers 200. */
async function startServer(name, main, port, extraEnv) {
  note(`starting ${name} on port ${port}`);
  const child = spawn(process.execPath, [main], { cwd: ROOT, env: { ...process.env, ...extraEnv, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { name, child, log: [], exited: null };
  entry.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  keepLastLines(child, entry.log);
  children.push(entry);
  let gone = null;
  void entry.exited.then((result) => (gone = result));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${name} exited during start-up (${gone.code ?? gone.signal}):\n${entry.log.slice(-30).join('\n')}`);
    try {
      if ((await request(port, '/health/ready', 'none')).status === 200) return entry;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${name} was not ready within 60 s:\n${entry.log.slice(-30).join('\n')}`);
}

async function stopServer(entry) {
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) return;
  entry.child.kill('SIGTERM');
  if (await Promise.race([entry.exited, sleep(15_000).then(() => null)])) return;
  entry.child.kill('SIGKILL');
  await entry.exited;
}

async function seed() {
  const client = new pg.Client({ connectionString: DB_URL, application_name: 'slp-bench' });
  await client.connect();
  const now = new Date();
  const day = 86_400_000;
  const ids = { system: randomUUID(), other: randomUUID(), organisation: randomUUID(), person: randomUUID(), account: randomUUID(), cohort: randomUUID() };
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO region (code, name) VALUES ('BNCH', 'Bench Region')`);
    await client.query(`INSERT INTO system (id, name, ods_code, kind, region_code, created_at) VALUES ($1, 'Bench ICS', 'QBNCH', 'ICS', 'BNCH', $3), ($2, 'Other ICS', 'QOTHR', 'ICS', 'BNCH', $3)`, [ids.system, ids.other, now]);
    await client.query(`INSERT INTO organisation (id, name, ods_code, type, system_id, created_at) VALUES ($1, 'Bench Hospitals NHS Trust', 'RBNCH', 'acute_trust', $2, $3)`, [ids.organisation, ids.system, now]);
    await client.query(`INSERT INTO person (id, email, given_name, family_name, organisation_id, staff_group, grade, created_at, updated_at) VALUES ($1, 'bench.reader@bench.example', 'Bench', 'Reader', $2, 'nursing_midwifery_registered', 'band_7', $3, $3)`, [ids.person, ids.organisation, now]);
    await client.query(`INSERT INTO account (id, person_id, password_hash, roles, system_ids, status, email_verified_at, created_at) VALUES ($1, $2, NULL, ARRAY['participant'], '{}', 'active', $3, $3)`, [ids.account, ids.person, now]);
    // 100 programmes: 35 national, 35 of the reader's system, 30 of another (not visible to them); assorted eligibility.
    const rules = [
      [[], null, null, []],
      [['nursing_midwifery_registered', 'allied_health_professionals'], null, null, []],
      [[], 'band_7', 'band_9', ['medical_consultant']],
      [['medical_dental'], null, null, ['gp', 'medical_consultant']],
      [[], 'band_8a', null, []],
    ];
    const programmes = Array.from({ length: 100 }, (_, i) => {
      const [groups, min, max, grades] = rules[i % rules.length];
      return { id: randomUUID(), title: `Bench programme ${String(i + 1).padStart(3, '0')}`, system: i < 35 ? null : i < 70 ? ids.system : ids.other, groups, min, max, grades, funding: i % 3 ? 150_000 * i : null };
    });
    for (const p of programmes) {
      await client.query(
        `INSERT INTO programme (id, title, description, level, system_id, eligible_staff_groups, min_grade, max_grade, eligible_grades, funding_pence, created_at, updated_at)
         VALUES ($1, $2, 'A leadership programme for the benchmark.', 'senior', $3, $4, $5, $6, $7, $8, $9, $9)`,
        [p.id, p.title, p.system, p.groups, p.min, p.max, p.grades, p.funding, now],
      );
    }
    // The cohort read: open, of a programme of the reader's system, full (20 seats) with 7 waiting.
    const programme = programmes[40];
    await client.query(
      `INSERT INTO cohort (id, programme_id, name, capacity, seats_taken, waitlist_tickets, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, status, requires_approval, waitlist_enabled, offer_window_hours, created_at, updated_at)
       VALUES ($1, $2, 'Bench cohort', 20, 20, 7, $3, $4, $5, $6, 'open', false, true, 48, $7, $7)`,
      [ids.cohort, programme.id, new Date(now.getTime() - day), new Date(now.getTime() + 7 * day), new Date(now.getTime() + 30 * day), new Date(now.getTime() + 90 * day), now],
    );
    for (let i = 0; i < 27; i += 1) {
      const person = randomUUID();
      await client.query(`INSERT INTO person (id, email, given_name, family_name, organisation_id, created_at, updated_at) VALUES ($1, $2, 'Bench', $3, $4, $5, $5)`, [person, `bench.${i}@bench.example`, `Person ${i}`, ids.organisation, now]);
      const waiting = i >= 20;
      await client.query(
        `INSERT INTO enrolment (id, cohort_id, person_id, status, source, waitlist_ticket, enrolled_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 'self', $5, $6, $7, $7)`,
        [randomUUID(), ids.cohort, person, waiting ? 'waitlisted' : 'enrolled', waiting ? i - 19 : null, waiting ? null : now, now],
      );
    }
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return ids;
}

async function closedLoop(total, job, latencies = new Float64Array(total), statuses = new Map()) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CLIENTS, total) }, async () => {
      for (;;) {
        const index = next++;
        if (index >= total) return;
        const t0 = performance.now();
        let status;
        try {
          status = String((await job()).status);
        } catch (error) {
          status = `error: ${error.message.slice(0, 40)}`;
        }
        latencies[index] = performance.now() - t0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return { latencies, statuses, wallMs: performance.now() - started };
}

function summarise(latencies, wallMs, statuses, cpu) {
  const sorted = Float64Array.from(latencies).sort();
  const count = sorted.length;
  return { count, wallMs, rps: count / (wallMs / 1000), p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[count - 1], statuses, cpu };
}

function cpuSnapshot(pid) {
  const { postgres, redis } = serviceCpuSeconds(DB_NAME);
  return { at: performance.now(), server: procCpuSeconds(pid), postgres, redis, machine: machineTicks() };
}

function cpuDelta(before, after) {
  const wall = (after.at - before.at) / 1000;
  const cores = (a, b) => (a === null || b === null ? null : (b - a) / wall);
  return { server: cores(before.server, after.server), postgres: cores(before.postgres, after.postgres), redis: cores(before.redis, after.redis), machine: machineCores(before.machine, after.machine, os.cpus().length) };
}

const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const statusText = (statuses) => [...statuses.entries()].map(([k, v]) => `${k}×${v}`).join(' ');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  const cpus = os.cpus();
  log('Read benchmark: API (HTTP → Nest/Fastify → MikroORM → PostgreSQL) vs bare Fastify + pg, the same JSON');
  log(`machine   node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model?.trim() ?? 'unknown'}), load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.platform()} ${os.release()}`);
  log(`params    clients=${CLIENTS} requests/route/server=${REQUESTS} warm-up=${WARMUP} DATABASE_POOL_MAX=${POOL_MAX} (both) database=${DB_NAME}`);

  note(`creating ${DB_NAME} with the CLI (db:migrate)`);
  dbCreated = true;
  await run([CLI_MAIN, 'db:migrate'], { ...process.env, DATABASE_URL: DB_URL, REDIS_URL, JWT_SECRET, LOG_LEVEL: 'warn' });
  const ids = await seed();

  const common = { DATABASE_URL: DB_URL, DATABASE_POOL_MAX: String(POOL_MAX), REDIS_URL, REDIS_PREFIX: DB_NAME, JWT_SECRET, NODE_ENV: 'production', LOG_LEVEL: 'warn' };
  const apiPort = await freePort();
  const api = await startServer('API', API_MAIN, apiPort, { ...common, PUBLIC_URL: `http://127.0.0.1:${apiPort}`, NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS ?? '' });
  const barePort = await freePort();
  const bare = await startServer('bare server', BARE_MAIN, barePort, { ...common, NODE_OPTIONS: '' });
  // As AuthService.issue signs them: HS256, { sub, sid }, issuer and audience.
  const token = jwt.sign({ sub: ids.account, sid: randomUUID() }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600, issuer: 'system-leadership-platform', audience: 'slp-api' });

  const routes = [
    { label: 'GET /api/v1/cohorts/:id', path: `/api/v1/cohorts/${ids.cohort}` },
    { label: 'GET /api/v1/programmes', path: '/api/v1/programmes' },
  ];
  for (const route of routes) {
    const [a, b] = await Promise.all([request(apiPort, route.path, token), request(barePort, route.path, token)]);
    if (a.status !== 200 || b.status !== 200) throw new Error(`${route.label}: API ${a.status} ${a.body.slice(0, 300)}; bare ${b.status} ${b.body.slice(0, 300)}`);
    if (!isDeepStrictEqual(JSON.parse(a.body), JSON.parse(b.body))) throw new Error(`${route.label}: the bare server's JSON differs from the API's\nAPI:  ${a.body.slice(0, 1500)}\nbare: ${b.body.slice(0, 1500)}`);
    note(`${route.label}: same JSON from both (${a.body.length} bytes)`);
  }

  const results = [];
  for (const route of routes) {
    for (const port of [apiPort, barePort]) if (WARMUP) await closedLoop(WARMUP, () => request(port, route.path, token));
    const sides = { API: { port: apiPort, entry: api }, bare: { port: barePort, entry: bare } };
    for (const side of Object.values(sides)) Object.assign(side, { latencies: [], statuses: new Map(), wallMs: 0, cpu: { server: 0, postgres: 0, redis: 0, machine: 0 } });
    const perRound = Math.ceil(REQUESTS / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      const count = Math.min(perRound, REQUESTS - round * perRound);
      if (count <= 0) break;
      for (const name of round % 2 ? ['bare', 'API'] : ['API', 'bare']) {
        const side = sides[name];
        note(`${route.label}: round ${round + 1}/${ROUNDS}, ${name}, ${count} requests, ${CLIENTS} clients`);
        const before = cpuSnapshot(side.entry.child.pid);
        const run = await closedLoop(count, () => request(side.port, route.path, token), new Float64Array(count), side.statuses);
        const cpu = cpuDelta(before, cpuSnapshot(side.entry.child.pid));
        side.latencies.push(...run.latencies);
        side.wallMs += run.wallMs;
        // Core-seconds, averaged over the side's whole measured time below.
        for (const key of Object.keys(side.cpu)) side.cpu[key] += (cpu[key] ?? 0) * run.wallMs;
      }
    }
    const measured = {};
    for (const [name, side] of Object.entries(sides)) {
      const cpu = Object.fromEntries(Object.entries(side.cpu).map(([key, value]) => [key, value / side.wallMs]));
      measured[name] = summarise(side.latencies, side.wallMs, side.statuses, cpu);
    }
    results.push({ route, ...measured });
  }

  log('');
  log(
    table(
      ['route', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server cores', 'server CPU ms/req', 'PostgreSQL cores', 'Redis cores', 'machine cores', 'outcomes'],
      results.flatMap(({ route, API, bare }) =>
        [['API', API], ['bare', bare]].map(([name, s]) => [route.label, name, fmt(s.rps), fmt(s.p50), fmt(s.p95), fmt(s.p99), fmt(s.max), fmt(s.cpu.server, 2), fmt((s.cpu.server * 1000) / s.rps, 2), fmt(s.cpu.postgres, 2), fmt(s.cpu.redis, 2), fmt(s.cpu.machine, 2), statusText(s.statuses)]),
      ),
    ),
  );
  log('');
  let met = true;
  for (const { route, API, bare } of results) {
    const ratio = API.rps / bare.rps;
    const ok = ratio >= TARGET_RATIO && API.statuses.get('200') === REQUESTS;
    met &&= ok;
    log(`${route.label}: ratio API/bare (req/s) = ${fmt(ratio, 2)} (target ≥ ${TARGET_RATIO}) ${ok ? 'MET' : 'NOT MET'}; API p99 ${Math.round(API.p99)} ms, bare p99 ${Math.round(bare.p99)} ms; server CPU per request bare/API ${fmt(bare.cpu.server / bare.rps / (API.cpu.server / API.rps), 2)}`);
  }
  log(`targets: ${met ? 'all met' : 'not all met'}`);
}

async function cleanup() {
  if (cleaningUp) return cleaningUp;
  cleaningUp = (async () => {
    agent.destroy();
    for (const entry of children) await stopServer(entry).catch((error) => note(`stopping ${entry.name}: ${error.message}`));
    if (dbCreated && !KEEP_DB) {
      const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres`, application_name: 'slp-bench' });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`).then(
        () => note(`dropped ${DB_NAME}`),
        (error) => note(`could not drop ${DB_NAME}: ${error.message} (drop it by hand)`),
      );
      await admin.end();
    } else if (dbCreated) note(`kept ${DB_NAME} (BENCH_KEEP_DB=1)`);
  })();
  return cleaningUp;
}

await runBenchmark(main, cleanup, () => children.map((c) => (c.log.length ? `last ${c.name} output:\n${c.log.slice(-20).join('\n')}\n` : '')).join(''));
