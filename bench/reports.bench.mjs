#!/usr/bin/env node
/**
 * Reports at national scale (prints figures, asserts nothing).
 *
 *   npm run bench:reports                    # builds, seeds ~1.5 million people, measures
 *   BENCH_SCALE=0.1 node bench/reports.bench.mjs   # a tenth of the national dataset
 *   BENCH_KEEP_DB=1 npm run bench:reports    # keep the seeded database (its name is printed)
 *   BENCH_DATABASE=slp_bench_reports_… node bench/reports.bench.mjs   # measure a kept one again
 *
 * 1. Creates slp_bench_reports_<timestamp>, migrates it and runs `seed:national` (deterministic,
 *    BENCH_SEED) at BENCH_SCALE (which builds person_pipeline once, the load having skipped its
 *    live triggers), then times a repair pass over the whole summary (`reports:rebuild`: 0 rows to correct).
 * 2. Starts the built API and, as a national admin and as one system's admin, times warm requests:
 *    the national funnel grouped by system, one system's funnel grouped by organisation, and the
 *    equality report (BENCH_ITERATIONS each, after warm-up).
 * 3. The limit: the very same SQL (captured from the built report services) run with pg.
 * 4. A full CSV export of the people behind the funnel, twice: rows/s, and the API's peak RSS
 *    growth (a second export that grew it again would mean memory grows with the rows).
 * Targets: p95 ≤ 1.3 × the bare SQL and < 1 s for the national funnel; CSV ≥ 100,000 rows/s with
 * peak RSS growth < 150 MB.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, log, percentile, runBenchmark } from './lib.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');
const API = path.join(ROOT, 'dist/apps/api/src/main.js');
const PG_BASE = (process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const SEED = Number(process.env.BENCH_SEED ?? '42');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? '30');
const REUSED = Boolean(process.env.BENCH_DATABASE);
const DB = process.env.BENCH_DATABASE || `slp_bench_reports_${Date.now()}`;
const DB_URL = `${PG_BASE}/${DB}`;
const JWT_SECRET = 'bench-only-secret-0123456789abcdef0123456789';
let api;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

function get(port, urlPath, token, onData) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      let body = '';
      res.on('data', (chunk) => {
        bytes += chunk.length;
        if (onData) onData(chunk);
        else body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, body, bytes }));
    });
    req.on('error', reject);
  });
}

function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** The SQL a report service runs, captured by calling the built service with a recording connection. */
async function capturedSql(serviceFile, className, method, scope, filter) {
  const { [className]: Service } = require(path.join(ROOT, 'dist/libs/reports/src', serviceFile));
  const statements = [];
  const connection = { execute: async (sql, params) => (statements.push({ sql, params }), []) };
  // Report services read through ReplicaReads (and some take the EntityManager first): both record.
  const replicaReads = { read: async (_purpose, work) => ({ result: await work(connection), source: { source: 'primary', lagSeconds: 0, asOf: new Date() } }) };
  const service = Service.length > 1 ? new Service({ getConnection: () => connection }, replicaReads) : new Service(replicaReads);
  try {
    await service[method](scope, filter);
  } catch {
    // Empty results may upset the mapping; the statements are what we need.
  }
  return statements[0];
}

function toPg({ sql, params }) {
  let i = 0;
  return { text: sql.replace(/\?/g, () => `$${++i}`), values: params };
}

async function time(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main() {
  log(`machine   node ${process.version}, ${os.cpus().length} CPU(s), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`params    scale=${SCALE} seed=${SEED} iterations=${ITERATIONS} database=${DB}`);
  const env = { ...process.env, DATABASE_URL: DB_URL, NODE_ENV: 'production', JWT_SECRET, LOG_LEVEL: 'warn' };
  execFileSync(process.execPath, [CLI, 'db:migrate'], { env, stdio: 'ignore' });
  let started = performance.now();
  if (!REUSED) execFileSync(process.execPath, [CLI, 'seed:national', '--seed', String(SEED), '--scale', String(SCALE)], { env, stdio: 'inherit' });
  const seedSeconds = (performance.now() - started) / 1000;
  const pool = new pg.Pool({ connectionString: DB_URL, max: 2 });
  started = performance.now();
  const repair = execFileSync(process.execPath, [CLI, 'reports:rebuild'], { env, encoding: 'utf8' }).trim();
  const refreshSeconds = (performance.now() - started) / 1000;
  const { rows: [counts] } = await pool.query(`select (select count(*) from person) as people, (select count(*) from person_pipeline where stage is not null) as in_pipeline`);
  const { rows: [busiest] } = await pool.query(`select system_id from person_pipeline where stage is not null group by 1 order by count(*) desc limit 1`);
  log(`seeded    ${Number(counts.people).toLocaleString('en-GB')} people, ${Number(counts.in_pipeline).toLocaleString('en-GB')} in the pipeline; seed ${seedSeconds.toFixed(1)} s, repair pass ${refreshSeconds.toFixed(1)} s (${repair})`);

  // Admin accounts for the API (national, and the busiest system's admin).
  const person = async (systemId) => {
    const id = randomUUID();
    await pool.query(`insert into person (id, email, given_name, family_name, created_at, updated_at) values ($1, $2, 'Bench', 'Admin', now(), now())`, [id, `bench.${id}@bench.example`]);
    const accountId = randomUUID();
    await pool.query(`insert into account (id, person_id, roles, system_ids, status, created_at) values ($1, $2, '{admin}', $3, 'active', now())`, [accountId, id, systemId ? [systemId] : []]);
    return jwt.sign({ sub: accountId, sid: randomUUID() }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600, issuer: 'system-leadership-platform', audience: 'slp-api' });
  };
  const nationalToken = await person(null);
  const systemToken = await person(busiest.system_id);

  const port = await freePort();
  api = spawn(process.execPath, [API], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await get(port, '/health/ready', '')).status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const nationalScope = { isAdmin: true, staffSystems: 'all', canSeeStaffDataOf: () => true };
  const systemScope = { isAdmin: true, staffSystems: [busiest.system_id], canSeeStaffDataOf: (id) => id === busiest.system_id };
  const cases = [
    { name: 'funnel, national, by system', path: '/api/v1/reports/pipeline?groupBy=system', token: nationalToken, sql: await capturedSql('pipeline-report.service.js', 'PipelineReportService', 'funnel', nationalScope, { groupBy: 'system' }) },
    { name: 'funnel, one system, by organisation', path: `/api/v1/reports/pipeline?groupBy=organisation`, token: systemToken, sql: await capturedSql('pipeline-report.service.js', 'PipelineReportService', 'funnel', systemScope, { groupBy: 'organisation' }) },
    { name: 'equality, national, by ethnicity', path: '/api/v1/reports/equality?measure=appointment&groupBy=ethnicity', token: nationalToken, sql: await capturedSql('equality-report.service.js', 'EqualityReportService', 'report', nationalScope, { measure: 'appointment', groupBy: 'ethnicity' }) },
  ];
  const rows = [];
  for (const c of cases) {
    for (let i = 0; i < 3; i++) await get(port, c.path, c.token);
    for (let i = 0; i < 3; i++) await pool.query(toPg(c.sql));
    const apiTimes = [];
    const sqlTimes = [];
    for (let i = 0; i < ITERATIONS; i++) {
      apiTimes.push(await time(async () => {
        const response = await get(port, c.path, c.token);
        if (response.status !== 200) throw new Error(`${c.path}: ${response.status} ${response.body.slice(0, 200)}`);
      }));
      sqlTimes.push(await time(() => pool.query(toPg(c.sql))));
    }
    const a = stats(apiTimes);
    const s = stats(sqlTimes);
    rows.push({ ...c, a, s });
    log(`${c.name.padEnd(38)} API p50 ${a.p50.toFixed(0).padStart(5)} ms  p95 ${a.p95.toFixed(0).padStart(5)} ms | bare SQL p50 ${s.p50.toFixed(0).padStart(5)} ms  p95 ${s.p95.toFixed(0).padStart(5)} ms | p95 ratio ${(a.p95 / s.p95).toFixed(2)}`);
  }

  // CSV export of everyone behind the national funnel, twice: memory that grew with the rows
  // would grow again on the second export; a flat stream's peak stays where the first left it.
  const baseline = rssMb(api.pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(api.pid))), 50);
  const exports = [];
  for (let round = 1; round <= 2; round++) {
    let lines = 0;
    const exportMs = await time(async () => {
      const response = await get(port, '/api/v1/reports/pipeline/people?format=csv', nationalToken, (chunk) => {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      });
      if (response.status !== 200) throw new Error(`export: ${response.status}`);
    });
    const exported = lines - 1;
    exports.push({ exported, rowsPerSecond: exported / (exportMs / 1000), peakGrowth: peak - baseline });
    log(`CSV export ${round}: ${exported.toLocaleString('en-GB')} rows in ${(exportMs / 1000).toFixed(1)} s = ${Math.round(exported / (exportMs / 1000)).toLocaleString('en-GB')} rows/s; API RSS ${baseline.toFixed(0)} → peak so far ${peak.toFixed(0)} MB (growth ${(peak - baseline).toFixed(0)} MB)`);
  }
  clearInterval(sampler);
  const rowsPerSecond = Math.min(...exports.map((e) => e.rowsPerSecond));

  const national = rows[0];
  log('');
  log(`national funnel p95 ${national.a.p95.toFixed(0)} ms (target < 1000 ms) ${national.a.p95 < 1000 ? 'MET' : 'NOT MET'}`);
  for (const r of rows) log(`${r.name}: p95 ratio ${(r.a.p95 / r.s.p95).toFixed(2)} (target ≤ 1.3) ${r.a.p95 <= 1.3 * r.s.p95 ? 'MET' : 'NOT MET'}`);
  log(`CSV export ${Math.round(rowsPerSecond).toLocaleString('en-GB')} rows/s, the slower of two (target ≥ 100,000) ${rowsPerSecond >= 100_000 ? 'MET' : 'NOT MET'}; peak RSS growth ${(peak - baseline).toFixed(0)} MB over both (target < 150) ${peak - baseline < 150 ? 'MET' : 'NOT MET'}`);
  await pool.end();
}

let cleaningUp = null;
function cleanup() {
  cleaningUp ??= stopAndDrop();
  return cleaningUp;
}

async function stopAndDrop() {
  if (api && api.exitCode === null) {
    api.kill('SIGTERM');
    await new Promise((resolve) => api.once('exit', resolve));
  }
  if (process.env.BENCH_KEEP_DB !== '1' && !REUSED) {
    const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
    await admin.connect();
    await admin.query(`drop database if exists "${DB}" with (force)`);
    await admin.end();
  }
}

await runBenchmark(main, cleanup);
