#!/usr/bin/env node
/**
 * The Intelligence Centre's national view at programme scale (prints figures, asserts nothing).
 *
 *   npm run bench:neighbourhood                       # builds, seeds 1,200 Places × 24 months × 6 indicators, measures
 *   BENCH_PLACES=300 node bench/neighbourhood.bench.mjs   # fewer Places
 *   BENCH_KEEP_DB=1 npm run bench:neighbourhood       # keep the seeded database (its name is printed)
 *   BENCH_DATABASE=slp_bench_nh_… node bench/neighbourhood.bench.mjs   # measure a kept one again
 *
 * 1. Creates slp_bench_nh_<timestamp>, migrates it, and seeds with SQL (deterministic: setseed):
 *    42 ICSs over the seven regions, BENCH_PLACES programme Places in three waves, 24 months of the
 *    six catalogue indicators each (a third of the Places improving after month 12), a baseline on
 *    60 % of Place × indicator pairs, and two maturity assessments of all six components per Place.
 * 2. Starts the built API and, as a national admin, times warm requests to
 *    GET /api/v1/neighbourhood/intelligence?indicator=… (BENCH_ITERATIONS, after warm-up), each
 *    beside the very same SQL the service runs (the indicator, the per-Place series, the latest
 *    maturity per component), run with pg in the same order.
 * Targets: p95 < 300 ms, and ≤ 1.3 × the bare SQL's p95.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, intEnv, log, note, percentile, runBenchmark } from './lib.mjs';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');
const API = path.join(ROOT, 'dist/apps/api/src/main.js');
const PG_BASE = (process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const PLACES = intEnv('BENCH_PLACES', 1200);
const ITERATIONS = intEnv('BENCH_ITERATIONS', 40);
const REUSED = Boolean(process.env.BENCH_DATABASE);
const DB = process.env.BENCH_DATABASE || `slp_bench_nh_${Date.now()}`;
const DB_URL = `${PG_BASE}/${DB}`;
const JWT_SECRET = 'bench-only-secret-0123456789abcdef0123456789';
let api;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

function get(port, urlPath, token) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

function toPg(sql, params) {
  let i = 0;
  return { text: sql.replace(/\?/g, () => `$${++i}`), values: params };
}

async function time(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Deterministic programme-scale data, all in SQL. */
async function seed(pool) {
  await pool.query(`select setseed(0.42)`);
  await pool.query(`insert into system (id, name, ods_code, kind, region_code, population, created_at)
    select gen_random_uuid(), 'Bench ICS ' || g, 'QB' || lpad(g::text, 3, '0'), 'ICS', (array['Y56','Y58','Y59','Y60','Y61','Y62','Y63'])[1 + g % 7], 1500000, now()
      from generate_series(1, 42) g`);
  await pool.query(`insert into place (id, system_id, name, wave, maturity_level, created_at)
    select gen_random_uuid(), s.id, 'Bench Place ' || lpad(g::text, 4, '0'), 1 + g % 3, null, now()
      from generate_series(1, $1::int) g join (select id, row_number() over (order by ods_code) - 1 as n from system where ods_code like 'QB%') s on s.n = g % 42`, [PLACES]);
  await pool.query(`insert into nh_place (place_id, wave, joined_on, population, demo, created_at, updated_at)
    select id, wave, '2025-09-01', 100000 + (random() * 500000)::int, false, now(), now() from place where name like 'Bench Place %'`);
  // Level per indicator (rates per 1,000 a month, a count, days, a percentage); a third improve after month 12.
  await pool.query(`with ind(code, level, unit, better) as (values
      ('emergency_admissions', 7.8, 'rate', -1), ('emergency_bed_days_65', 165, 'rate', -1), ('ae_attendances', 31, 'rate', -1),
      ('high_intensity_ae_users', 0.42, 'count', -1), ('delayed_discharges', 2.9, 'count', -1), ('gp_continuity', 44, 'percent', 1)),
    months as (select m, (date '2024-11-01' + make_interval(months => m))::date as period from generate_series(0, 23) m),
    raw as (
      select np.place_id, ind.code, months.period, ind.unit, np.population,
             ind.level * (1 + (random() - 0.5) * 0.08 + case when (hashtext(np.place_id::text) % 3) = 0 and months.m >= 12 then ind.better * 0.15 * least(1, (months.m - 11) / 6.0) else 0 end) as level
        from nh_place np cross join ind cross join months)
    insert into nh_indicator_value (place_id, indicator_code, period, numerator, denominator, value, updated_at)
    select place_id, code, period,
           case unit when 'rate' then round(level * population / 1000) when 'percent' then round(level / 100 * population * 0.3) else round(level * population / 1000) end,
           case unit when 'rate' then population when 'percent' then round(population * 0.3) else null end,
           case unit when 'rate' then round(level * population / 1000) * 1000.0 / population when 'percent' then round(level / 100 * population * 0.3) * 100.0 / round(population * 0.3) else round(level * population / 1000) end,
           now()
      from raw`);
  await pool.query(`insert into nh_baseline (place_id, indicator_code, from_period, to_period, updated_at)
    select np.place_id, i.code, '2024-11-01', '2025-10-01', now() from nh_place np cross join nh_indicator i where random() < 0.6`);
  await pool.query(`with a as (
      insert into nh_assessment (id, place_id, assessed_on, recorded_by_account_id, created_at)
      select gen_random_uuid(), np.place_id, d.day, null, now() from nh_place np cross join (values (date '2025-09-15'), (date '2026-06-15')) d(day)
      returning id)
    insert into nh_assessment_component (assessment_id, component, level, evidence)
    select a.id, c, 1 + floor(random() * 4)::int, 'Bench evidence.' from a cross join unnest(array['population_health_management','modern_general_practice','community_health_services','neighbourhood_mdts','intermediate_care','urgent_neighbourhood_services']) c`);
  // The steady state autovacuum reaches: statistics, and a visibility map for index-only scans.
  await pool.query('vacuum analyze');
}

async function main() {
  log(`machine   node ${process.version}, ${os.cpus().length} CPU(s), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`params    places=${PLACES} iterations=${ITERATIONS} database=${DB}`);
  const env = { ...process.env, DATABASE_URL: DB_URL, NODE_ENV: 'production', JWT_SECRET, LOG_LEVEL: 'warn' };
  if (!REUSED) {
    const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
    await admin.connect();
    await admin.query(`create database "${DB}"`);
    await admin.end();
  }
  execFileSync(process.execPath, [CLI, 'db:migrate'], { env, stdio: 'ignore' });
  const pool = new pg.Pool({ connectionString: DB_URL, max: 2 });
  let started = performance.now();
  if (!REUSED) await seed(pool);
  const seedSeconds = (performance.now() - started) / 1000;
  const { rows: [counts] } = await pool.query(`select (select count(*) from nh_place) as places, (select count(*) from nh_indicator_value) as "values", (select count(*) from nh_assessment) as assessments`);
  log(`seeded    ${Number(counts.places).toLocaleString('en-GB')} Places, ${Number(counts.values).toLocaleString('en-GB')} monthly values, ${Number(counts.assessments).toLocaleString('en-GB')} assessments in ${seedSeconds.toFixed(1)} s`);

  const personId = randomUUID();
  const accountId = randomUUID();
  await pool.query(`insert into person (id, email, given_name, family_name, created_at, updated_at) values ($1, $2, 'Bench', 'Admin', now(), now())`, [personId, `bench.${personId}@bench.example`]);
  await pool.query(`insert into account (id, person_id, roles, system_ids, status, created_at, email_verified_at) values ($1, $2, '{admin}', '{}', 'active', now(), now())`, [accountId, personId]);
  const token = jwt.sign({ sub: accountId, sid: randomUUID() }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600, issuer: 'system-leadership-platform', audience: 'slp-api' });

  const port = await freePort();
  api = spawn(process.execPath, [API], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await get(port, '/health/ready', '')).status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  // The service's own statements, from the built library.
  const { IntelligenceService } = require(path.join(ROOT, 'dist/libs/neighbourhood/src/index.js'));
  const nationalScope = { isNationalAdmin: true, has: (role) => role === 'admin', staffSystems: 'all', personId };
  const rows = [];
  for (const indicator of ['emergency_admissions', 'high_intensity_ae_users']) {
    const urlPath = `/api/v1/neighbourhood/intelligence?indicator=${indicator}`;
    const series = IntelligenceService.seriesStatement(nationalScope, { indicator });
    const maturity = IntelligenceService.maturityStatement(nationalScope, { indicator });
    const bareSql = async () => {
      await pool.query(toPg('select code, name, description, unit, better_when, created_at from nh_indicator where code = ? limit 1', [indicator]));
      await pool.query(toPg(series.sql, series.params));
      await pool.query(toPg(maturity.sql, maturity.params));
    };
    for (let i = 0; i < 5; i++) {
      const response = await get(port, urlPath, token);
      if (response.status !== 200) throw new Error(`${urlPath}: ${response.status} ${response.body.slice(0, 300)}`);
      await bareSql();
    }
    const view = JSON.parse((await get(port, urlPath, token)).body);
    note(`${indicator}: ${view.places.length} Places; variation ${JSON.stringify(view.variation.total.counts)}`);
    const apiTimes = [];
    const sqlTimes = [];
    for (let i = 0; i < ITERATIONS; i++) {
      apiTimes.push(await time(async () => {
        const response = await get(port, urlPath, token);
        if (response.status !== 200) throw new Error(`${urlPath}: ${response.status}`);
      }));
      sqlTimes.push(await time(bareSql));
    }
    const a = stats(apiTimes);
    const s = stats(sqlTimes);
    rows.push({ indicator, a, s });
    log(`intelligence, national, ${indicator.padEnd(24)} API p50 ${a.p50.toFixed(0).padStart(4)} ms  p95 ${a.p95.toFixed(0).padStart(4)} ms | bare SQL p50 ${s.p50.toFixed(0).padStart(4)} ms  p95 ${s.p95.toFixed(0).padStart(4)} ms | p95 ratio ${(a.p95 / s.p95).toFixed(2)}`);
  }
  log('');
  for (const r of rows) {
    log(`${r.indicator}: p95 ${r.a.p95.toFixed(0)} ms (target < 300 ms) ${r.a.p95 < 300 ? 'MET' : 'NOT MET'}; ratio ${(r.a.p95 / r.s.p95).toFixed(2)} (target ≤ 1.3) ${r.a.p95 <= 1.3 * r.s.p95 ? 'MET' : 'NOT MET'}`);
  }
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
