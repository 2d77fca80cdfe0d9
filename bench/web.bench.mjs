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
 * 3. Portal phase: the participants, all at once, in closed loops, load "Your learning" and the
 *    first cohort's page in turn (a real session checked in PostgreSQL, the services' queries, the
 *    view models, CSRF token, CSP nonce, headers) — BENCH_REQUESTS pages in all, after a warm-up.
 * 4. Bare phase, same run: the same templates rendered by a bare Fastify route (bench/web-bare.mjs)
 *    with the same data as view models, the same number of clients and pages.
 * 5. Prints requests/second and latency percentiles of each, the ratio portal/bare (target ≥ 0.6)
 *    and the portal's p99 (target < 150 ms); stops both servers and drops the database.
 *
 * Environment: BENCH_CLIENTS (50), BENCH_REQUESTS (4000), BENCH_WARMUP (400), BENCH_COHORTS (3),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (redis://127.0.0.1:6379),
 * BENCH_KEEP_DB=1 (keep the database), BENCH_WEB_NODE_OPTIONS (NODE_OPTIONS for the portal, e.g. --cpu-prof).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, intEnv, keepLastLines, log, note, percentile, runBenchmark, sleep } from './lib.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => path.join(ROOT, 'dist', p);

const CLIENTS = intEnv('BENCH_CLIENTS', 50);
const REQUESTS = intEnv('BENCH_REQUESTS', 4000);
const WARMUP = intEnv('BENCH_WARMUP', 400, 0);
const COHORTS = intEnv('BENCH_COHORTS', 3);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = `slp_bench_web_${Date.now()}`;
const DATABASE_URL = `${PG_URL}/${DB}`;
const PASSWORD = 'bench password for participants';
const MODELS_FILE = path.join(os.tmpdir(), `${DB}-models.json`);

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
  const { cohortId, emails, models } = await seed(env);
  writeFileSync(MODELS_FILE, JSON.stringify(models));
  note(`seeded ${emails.length} participants in ${COHORTS} cohorts`);

  const webPort = await freePort();
  const barePort = await freePort();
  const web = spawn(process.execPath, [dist('apps/web/src/main.js')], { env: { ...env, ...(process.env.BENCH_WEB_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WEB_NODE_OPTIONS } : {}), WEB_PORT: String(webPort), PUBLIC_URL: `http://127.0.0.1:${webPort}`, DATABASE_POOL_MAX: '20' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(web);
  keepLastLines(web, output);
  await waitFor(`http://127.0.0.1:${webPort}/sign-in`);
  const sessions = await Promise.all(emails.map((email) => signIn(webPort, email)));
  note(`${sessions.length} participants signed in`);

  const portalPaths = ['/learning', `/cohorts/${cohortId}`];
  const portal = await phase('portal', webPort, portalPaths, sessions);

  const bare = spawn(process.execPath, [path.join(ROOT, 'bench/web-bare.mjs')], { env: { ...env, BENCH_BARE_PORT: String(barePort), BENCH_BARE_MODELS: MODELS_FILE }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(bare);
  keepLastLines(bare, output);
  await waitFor(`http://127.0.0.1:${barePort}/learning`);
  const baseline = await phase('bare', barePort, ['/learning', '/cohort'], sessions.map(() => ''));

  const ratio = portal.rps / baseline.rps;
  log('');
  log(`Portal pages: ${CLIENTS} signed-in participants at once, "Your learning" and a cohort page in turn, ${REQUESTS} pages per phase (Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`);
  for (const result of [portal, baseline]) {
    log(`  ${result.name.padEnd(7)} ${result.rps.toFixed(0).padStart(6)} pages/s   p50 ${result.p50.toFixed(1)} ms   p95 ${result.p95.toFixed(1)} ms   p99 ${result.p99.toFixed(1)} ms   max ${result.max.toFixed(1)} ms   (${result.bytes} bytes/page)`);
  }
  log(`  ratio portal/bare ${ratio.toFixed(2)} (target ≥ 0.6: ${ratio >= 0.6 ? 'met' : 'NOT met'});  portal p99 ${portal.p99.toFixed(1)} ms (target < 150 ms: ${portal.p99 < 150 ? 'met' : 'NOT met'})`);
}

/** Seeds through the built libraries, in a Nest context of the portal that never listens. */
async function seed(env) {
  Object.assign(process.env, { NODE_ENV: 'production', JWT_SECRET: env.JWT_SECRET, DATABASE_URL, REDIS_URL, REDIS_PREFIX: env.REDIS_PREFIX, LOG_LEVEL: 'warn' });
  const { loadConfig, AccessScope } = require(dist('libs/platform/src/index.js'));
  const { createWebApp } = require(dist('apps/web/src/web.app.js'));
  const { Region, System, Organisation } = require(dist('libs/directory/src/index.js'));
  const { Person, Account } = require(dist('libs/identity/src/index.js'));
  const { Programme, Cohort, Session, EnrolmentService, LearningOverviewService, toSessionRecord } = require(dist('libs/learning/src/index.js'));
  const { toItemView } = require(dist('apps/web/src/learning/learning.controller.js'));
  const { toSessionView, londonDate, LEVEL_LABELS } = require(dist('apps/web/src/learning/learning-labels.js'));
  const { MikroORM, RequestContext } = require('@mikro-orm/postgresql');
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

    // The bare route's view models: what the portal's controllers map for the first participant.
    const [first] = people;
    const account = await em.fork().findOneOrFail(Account, { person: first.id });
    const scope = AccessScope.of({ accountId: account.id, personId: first.id, roles: ['participant'], systemIds: [], emailVerified: true });
    const items = await RequestContext.create(orm.em, () => app.get(LearningOverviewService).mine(scope));
    const cohort = await em.fork().findOneOrFail(Cohort, { id: cohorts[0].id });
    const sessions = await em.fork().find(Session, { cohort: cohort.id }, { orderBy: { startsAt: 'asc', id: 'asc' } });
    const left = cohort.capacity - cohort.seatsTaken;
    const models = {
      learning: { title: 'Your learning', area: 'learning', flash: null, offers: [], current: items.map(toItemView), past: [] },
      cohort: {
        title: cohort.name,
        area: 'programmes',
        cohort: { id: cohort.id, dates: `${londonDate(cohort.startsAt)} to ${londonDate(cohort.endsAt)}`, closes: londonDate(cohort.enrolmentClosesAt), availability: `${left} places left`, needsApproval: false },
        programme: { id: programme.id, title: programme.title, level: LEVEL_LABELS[programme.level] },
        sessions: sessions.map((s) => toSessionView(toSessionRecord(s))),
        action: { kind: 'enrolled', tag: { text: 'Enrolled', classes: 'nhsuk-tag--green' } },
      },
    };
    return { cohortId: cohorts[0].id, emails: people.map((p) => p.email), models: JSON.parse(JSON.stringify(models)) };
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
  rmSync(MODELS_FILE, { force: true });
  if (process.env.BENCH_KEEP_DB === '1') return note(`kept database ${DB}`);
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  await admin.query(`drop database if exists "${DB}" with (force)`).catch(() => undefined);
  await admin.end();
}

await runBenchmark(main, cleanup, () => output.join('\n'));
