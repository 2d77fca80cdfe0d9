#!/usr/bin/env node
/**
 * Portal page benchmark (prints figures, asserts nothing).
 *
 *   npm run bench:web                                  # builds, then runs this file
 *   BENCH_CLIENTS=50 BENCH_REQUESTS=4000 node bench/web.bench.mjs
 *
 * 1. Creates a fresh database slp_bench_web_<timestamp> (the built CLI's db:migrate) and seeds it
 *    through the libraries: one system, organisation and programme, BENCH_COHORTS cohorts of three
 *    sessions each, and BENCH_CLIENTS participants, each enrolled in every cohort.
 * 2. Starts the built portal (dist/apps/web) on a free port; every participant signs in through
 *    /sign-in as a browser does (CSRF token, session cookie).
 * 3. Starts bench/web-bare.mjs, the honest limit: bare Fastify + pg decrypting the same cookie,
 *    checking the same session row, reading each page's data in one raw SQL statement and
 *    rendering the same templates (two SQL round trips per page, no Nest, no ORM). Checks that
 *    both servers answer both pages with the same HTML (CSP nonce and CSRF token aside).
 * 4. The participants, all at once, in closed loops, load "Your learning" and the first cohort's
 *    page in turn: a warm-up on each server, then BENCH_ROUNDS rounds of BENCH_REQUESTS/rounds
 *    pages on the portal and on the bare server, the order alternating, so that on a shared
 *    machine both see the same background load.
 * 5. Prints pages/second, p50/p95/p99 and CPU per page of each (server process, PostgreSQL), the
 *    ratio portal/bare (target ≥ 0.6) and the portal's p99 (target < 150 ms); stops both servers
 *    and drops the database.
 *
 * Environment: BENCH_CLIENTS (50), BENCH_REQUESTS (4000 per server), BENCH_WARMUP (400), BENCH_ROUNDS (4), BENCH_COHORTS (3),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (redis://127.0.0.1:6379),
 * BENCH_KEEP_DB=1 (keep the database), BENCH_WEB_NODE_OPTIONS (NODE_OPTIONS for the portal, e.g. --cpu-prof).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, intEnv, keepLastLines, log, note, percentile, procCpuSeconds, runBenchmark, serviceCpuSeconds, sleep } from './lib.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => path.join(ROOT, 'dist', p);

const CLIENTS = intEnv('BENCH_CLIENTS', 50);
const REQUESTS = intEnv('BENCH_REQUESTS', 4000);
const WARMUP = intEnv('BENCH_WARMUP', 400, 0);
const COHORTS = intEnv('BENCH_COHORTS', 3);
const ROUNDS = intEnv('BENCH_ROUNDS', 4);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = `slp_bench_web_${Date.now()}`;
const DATABASE_URL = `${PG_URL}/${DB}`;
const PASSWORD = 'bench password for participants';

const children = [];
const output = [];

async function main() {
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  await admin.query(`create database "${DB}"`);
  await admin.end();
  const env = { ...process.env, NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex'), DATABASE_URL, REDIS_URL, REDIS_PREFIX: `bench-web-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'warn' };
  execFileSync(process.execPath, [dist('apps/cli/src/main.js'), 'db:migrate'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  note('database migrated');
  const { cohortId, emails } = await seed(env);
  note(`seeded ${emails.length} participants in ${COHORTS} cohorts`);

  const webPort = await freePort();
  const barePort = await freePort();
  const web = spawn(process.execPath, [dist('apps/web/src/main.js')], { env: { ...env, ...(process.env.BENCH_WEB_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WEB_NODE_OPTIONS } : {}), WEB_PORT: String(webPort), PUBLIC_URL: `http://127.0.0.1:${webPort}`, DATABASE_POOL_MAX: '20' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(web);
  keepLastLines(web, output);
  const bare = spawn(process.execPath, [path.join(ROOT, 'bench/web-bare.mjs')], { env: { ...env, NODE_OPTIONS: '', BENCH_BARE_PORT: String(barePort), DATABASE_POOL_MAX: '20' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(bare);
  keepLastLines(bare, output);
  await waitFor(`http://127.0.0.1:${webPort}/sign-in`);
  await waitFor(`http://127.0.0.1:${barePort}/health`);
  const sessions = await Promise.all(emails.map((email) => signIn(webPort, email)));
  note(`${sessions.length} participants signed in`);

  const paths = ['/learning', `/cohorts/${cohortId}`];
  // The same page from both, for the same participant (same cookie): only the nonce and the CSRF token may differ.
  const normalise = (html) => html.replace(/nonce="[^"]*"/g, 'nonce=""').replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
  for (const pathName of paths) {
    const [a, b] = await Promise.all([request(webPort, 'GET', pathName, { cookie: sessions[0] }), request(barePort, 'GET', pathName, { cookie: sessions[0] })]);
    if (a.status !== 200 || b.status !== 200) throw new Error(`${pathName}: portal ${a.status}, bare ${b.status}`);
    if (normalise(a.body) !== normalise(b.body)) {
      const [x, y] = [normalise(a.body), normalise(b.body)];
      let i = 0;
      while (x[i] === y[i]) i++;
      throw new Error(`${pathName}: the bare server's HTML differs from the portal's at ${i}\nportal: ${x.slice(Math.max(0, i - 200), i + 300)}\nbare:   ${y.slice(Math.max(0, i - 200), i + 300)}`);
    }
    note(`${pathName}: same HTML from both (${a.body.length} bytes)`);
  }

  const sides = { portal: { port: webPort, child: web }, bare: { port: barePort, child: bare } };
  for (const side of Object.values(sides)) {
    Object.assign(side, { latencies: [], seconds: 0, cpu: 0, postgres: 0, bytes: 0 });
    if (WARMUP) await run(side.port, paths, sessions, WARMUP);
  }
  const perRound = Math.ceil(REQUESTS / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const count = Math.min(perRound, REQUESTS - round * perRound);
    if (count <= 0) break;
    for (const name of round % 2 ? ['bare', 'portal'] : ['portal', 'bare']) {
      const side = sides[name];
      const before = { server: procCpuSeconds(side.child.pid), postgres: serviceCpuSeconds(DB).postgres };
      const result = await run(side.port, paths, sessions, count);
      const after = { server: procCpuSeconds(side.child.pid), postgres: serviceCpuSeconds(DB).postgres };
      side.latencies.push(...result.latencies);
      side.seconds += result.seconds;
      side.bytes = result.bytes;
      side.cpu += before.server === null || after.server === null ? NaN : after.server - before.server;
      side.postgres += before.postgres === null || after.postgres === null ? NaN : after.postgres - before.postgres;
      note(`round ${round + 1}/${ROUNDS}: ${name} ${count} pages in ${result.seconds.toFixed(1)} s`);
    }
  }
  const results = Object.entries(sides).map(([name, side]) => {
    const sorted = side.latencies.sort((a, b) => a - b);
    return { name, rps: sorted.length / side.seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1), bytes: side.bytes, cpuMs: (side.cpu * 1000) / sorted.length, pgMs: (side.postgres * 1000) / sorted.length };
  });
  const [portal, baseline] = results;
  const ratio = portal.rps / baseline.rps;
  const ms = (value) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
  log('');
  log(`Portal pages: ${CLIENTS} signed-in participants at once, "Your learning" and a cohort page in turn, ${REQUESTS} pages per server in ${ROUNDS} alternating rounds (Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  for (const result of results) {
    log(`  ${result.name.padEnd(7)} ${result.rps.toFixed(0).padStart(6)} pages/s   p50 ${result.p50.toFixed(1)} ms   p95 ${result.p95.toFixed(1)} ms   p99 ${result.p99.toFixed(1)} ms   max ${result.max.toFixed(1)} ms   server CPU ${ms(result.cpuMs)} ms/page   PostgreSQL CPU ${ms(result.pgMs)} ms/page`);
  }
  log(`  ratio portal/bare ${ratio.toFixed(2)} (target ≥ 0.6: ${ratio >= 0.6 ? 'met' : 'NOT met'});  portal p99 ${portal.p99.toFixed(1)} ms (target < 150 ms: ${portal.p99 < 150 ? 'met' : 'NOT met'})`);
}

/** Seeds through the built libraries, in a Nest context of the portal that never listens. */
async function seed(env) {
  Object.assign(process.env, { NODE_ENV: 'production', JWT_SECRET: env.JWT_SECRET, DATABASE_URL, REDIS_URL, REDIS_PREFIX: env.REDIS_PREFIX, LOG_LEVEL: 'warn' });
  const { loadConfig } = require(dist('libs/platform/src/index.js'));
  const { createWebApp } = require(dist('apps/web/src/web.app.js'));
  const { Region, System, Organisation } = require(dist('libs/directory/src/index.js'));
  const { Person, Account } = require(dist('libs/identity/src/index.js'));
  const { Programme, Cohort, Session, EnrolmentService } = require(dist('libs/learning/src/index.js'));
  const { MikroORM } = require('@mikro-orm/postgresql');
  const argon2 = require('argon2');

  const app = await createWebApp(loadConfig());
  try {
    const orm = app.get(MikroORM);
    const em = orm.em.fork();
    const now = Date.now();
    const day = 86_400_000;
    await em.upsert(Region, { code: 'Y62', name: 'North West' });
    const region = await em.findOneOrFail(Region, { code: 'Y62' });
    const system = em.create(System, { name: 'Bench ICS', odsCode: 'QB1', kind: 'ICS', region, population: 1_000_000, createdAt: new Date() });
    const organisation = em.create(Organisation, { name: 'Bench Teaching Hospitals NHS Foundation Trust', odsCode: 'RB1', type: 'acute_trust', system, createdAt: new Date() });
    const programme = em.create(Programme, { title: 'Leading Across Systems', description: 'A system leadership programme', level: 'system', system, eligibleStaffGroups: [], minGrade: null, maxGrade: null, eligibleGrades: [], fundingPence: 5_000_000, createdAt: new Date(), updatedAt: new Date() });
    const cohorts = [];
    for (let c = 0; c < COHORTS; c++) {
      const cohort = em.create(Cohort, { programme, name: `Cohort ${c + 1} 2027`, capacity: CLIENTS + 10, seatsTaken: 0, waitlistTickets: 0, enrolmentOpensAt: new Date(now - day), enrolmentClosesAt: new Date(now + 30 * day), startsAt: new Date(now + 40 * day), endsAt: new Date(now + 200 * day), status: 'open', requiresApproval: false, waitlistEnabled: true, offerWindowHours: 0, createdAt: new Date(), updatedAt: new Date() });
      cohorts.push(cohort);
      for (let s = 0; s < 3; s++) {
        const startsAt = new Date(now + (40 + s * 30) * day);
        em.create(Session, { cohort, title: `Workshop ${s + 1}`, kind: 'workshop', startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000), location: 'Preston Conference Centre', onlineUrl: null, status: 'scheduled', sequence: 0, createdAt: new Date(), updatedAt: new Date() });
      }
    }
    const passwordHash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
    const people = [];
    for (let i = 0; i < CLIENTS; i++) {
      const person = em.create(Person, { email: `bench.participant.${i}@nhs.example`, givenName: 'Bench', familyName: `Participant ${i}`, organisation, createdAt: new Date(), updatedAt: new Date() });
      em.create(Account, { person, passwordHash, roles: ['participant'], systemIds: [], status: 'active', createdAt: new Date(), emailVerifiedAt: new Date() });
      people.push(person);
    }
    await em.flush();
    const enrolments = app.get(EnrolmentService);
    for (const person of people) {
      for (const cohort of cohorts) {
        await em.fork().transactional((tx) => enrolments.place(tx, { cohortId: cohort.id, personId: person.id, source: 'lead', access: 'trusted', preApproved: true, scope: null, actorAccountId: null }));
      }
    }

    return { cohortId: cohorts[0].id, emails: people.map((p) => p.email) };
  } finally {
    await app.close();
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });

function request(port, method, pathName, { cookie, body } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) };
    const req = http.request({ host: '127.0.0.1', port, method, path: pathName, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const cookieOf = (headers, previous = '') => {
  const set = headers['set-cookie']?.find((c) => c.startsWith('slp_session='));
  return set ? set.split(';')[0] : previous;
};

/** Signs in as a browser does: the page's CSRF token and cookie, then the form post. */
async function signIn(port, email) {
  const page = await request(port, 'GET', '/sign-in');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)[1];
  const form = new URLSearchParams({ _csrf: token, email, password: PASSWORD, returnTo: '/learning' }).toString();
  const answer = await request(port, 'POST', '/sign-in', { cookie: cookieOf(page.headers), body: form });
  if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}`);
  return cookieOf(answer.headers);
}

/** CLIENTS closed loops share `total` pages, each client alternating between the paths. */
async function run(port, paths, cookies, total) {
  const latencies = [];
  let next = 0;
  let bytes = 0;
  const client = async (index) => {
    let cookie = cookies[index];
    for (let turn = 0; ; turn++) {
      if (next >= total) return;
      next++;
      const pathName = paths[(index + turn) % paths.length];
      const started = performance.now();
      const answer = await request(port, 'GET', pathName, { cookie });
      latencies.push(performance.now() - started);
      if (answer.status !== 200) throw new Error(`${pathName} answered ${answer.status}`);
      bytes = answer.body.length;
      cookie = cookieOf(answer.headers, cookie);
      cookies[index] = cookie;
    }
  };
  const started = performance.now();
  await Promise.all(cookies.map((_, index) => client(index)));
  const seconds = (performance.now() - started) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), seconds, bytes };
}

async function phase(name, port, paths, cookies) {
  if (WARMUP) await run(port, paths, cookies, WARMUP);
  const { latencies, seconds, bytes } = await run(port, paths, cookies, REQUESTS);
  note(`${name}: ${latencies.length} pages in ${seconds.toFixed(1)} s`);
  return { name, rps: latencies.length / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1), bytes };
}

async function waitFor(url) {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const answer = await fetch(url);
      if (answer.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} never answered`);
}

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  agent.destroy();
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  if (process.env.BENCH_KEEP_DB === '1') return note(`kept database ${DB}`);
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  await admin.query(`drop database if exists "${DB}" with (force)`).catch(() => undefined);
  await admin.end();
}

await runBenchmark(main, cleanup, () => output.join('\n'));
