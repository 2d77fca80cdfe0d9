#!/usr/bin/env node
/**
 * Imports through the one engine, against the bare limit measured in the same run (prints figures).
 *
 *   npm run bench:imports                    # builds, then measures 100,000 ESR rows and ~7,000 GP practices
 *   BENCH_ESR_ROWS=20000 node bench/imports.bench.mjs
 *   BENCH_KEEP_DB=1 npm run bench:imports    # keep the database (its name is printed)
 *
 * 1. Creates slp_bench_imports_<timestamp> and migrates it; loads generated ODS files through the
 *    engine: 42 ICBs, BENCH_TRUSTS trusts, then BENCH_GP_ROWS GP practices (timed: target < 10 s).
 * 2. Writes an ESR extract of BENCH_ESR_ROWS people (every one new, primary assignments, mapped
 *    staff groups and grades) to a temporary file.
 * 3. The limit: the same file streamed with COPY (csv, header) into a temporary table of the same
 *    shape, then one INSERT … SELECT … ON CONFLICT (email) DO UPDATE into person (joined to the
 *    organisation by code), in one transaction that is rolled back so the engine meets the same
 *    empty table.
 * 4. The engine: the same file through ImportEngine.run (the built code, in this process, as the
 *    CLI and the worker run it): streamed, staged with COPY, checked in SQL, merged and audited in
 *    one transaction. RSS is sampled every 20 ms throughout.
 * Targets: engine ≥ 0.5 × the bare rows/s and ≥ 5,000 rows/s; RSS growth < 100 MB.
 *
 *   BENCH_PROFILE=1 …                        # also prints each engine statement slower than 20 ms
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { count, intEnv, log, note, runBenchmark } from './lib.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/apps/cli/src/main.js');
const PG_BASE = (process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const ESR_ROWS = intEnv('BENCH_ESR_ROWS', 100_000);
const GP_ROWS = intEnv('BENCH_GP_ROWS', 7_000);
const TRUSTS = intEnv('BENCH_TRUSTS', 200);
const DB = `slp_bench_imports_${Date.now()}`;
const DB_URL = `${PG_BASE}/${DB}`;
const REGIONS = ['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63'];
const STAFF_GROUPS = ['Nursing and Midwifery Registered', 'Administrative and Clerical', 'Add Prof Scientific and Technic', 'Allied Health Professionals', 'Medical and Dental', 'Estates and Ancillary'];
const GRADES = ['Band 3', 'Band 5', 'Band 6', 'Band 7', 'Band 8 - Range A', 'Band 8 - Range C', 'Consultant', 'Very Senior Manager'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'slp-bench-imports-'));
let app;

const icbCode = (i) => `QB${String(i).padStart(2, '0')}`;
const trustCode = (i) => `RB${String(i).padStart(3, '0')}`;

/** A headerless 27-column ODS row, CRLF-terminated, as NHS Digital publishes them. */
function odsLine(cells) {
  const row = new Array(27).fill('');
  for (const [index, value] of Object.entries(cells)) row[index] = value;
  return row.map((cell) => `"${cell}"`).join(',') + '\r\n';
}

async function writeFile(name, lines) {
  const file = path.join(dir, name);
  await pipeline(lines, createWriteStream(file));
  return file;
}

function* icbLines() {
  for (let i = 0; i < 42; i++) yield odsLine({ 0: icbCode(i), 1: `NHS BENCHSHIRE ${i} INTEGRATED CARE BOARD`, 2: REGIONS[i % REGIONS.length], 4: '1 BENCH STREET', 9: 'ZZ1 1ZZ', 10: '20220701' });
}

function* trustLines() {
  for (let i = 0; i < TRUSTS; i++) yield odsLine({ 0: trustCode(i), 1: `BENCHSHIRE ${i} ${i % 7 === 0 ? 'COMMUNITY' : 'HOSPITALS'} NHS TRUST`, 2: REGIONS[i % REGIONS.length], 3: icbCode(i % 42), 4: `${i} HOSPITAL ROAD`, 9: 'ZZ2 2ZZ', 10: '19940401' });
}

function* gpLines() {
  for (let i = 0; i < GP_ROWS; i++) {
    const closed = i % 50 === 0;
    yield odsLine({ 0: `Z${String(i).padStart(5, '0')}`, 1: `BENCH SURGERY ${i}`, 2: REGIONS[i % REGIONS.length], 3: icbCode(i % 42), 4: `${i} SURGERY LANE`, 9: 'ZZ3 3ZZ', 10: '19740401', 11: closed ? '20240331' : '', 12: closed ? 'C' : 'A', 14: icbCode((i * 7) % 42) });
  }
}

function* esrLines() {
  yield 'Employee Number,First Name,Last Name,Email Address,Staff Group,Job Role,Position Title,Grade,Organisation Code,Primary Assignment,Ethnic Origin,Disability\n';
  for (let i = 0; i < ESR_ROWS; i++) {
    yield `${String(10_000_000 + i)},Given${i},Family${i},bench.person.${i}@nhs.example,${STAFF_GROUPS[i % STAFF_GROUPS.length]},Role ${i % 40},"Post ${i % 300}, Ward ${i % 12}",${GRADES[i % GRADES.length]},${trustCode(i % TRUSTS)},Y,A,No\n`;
  }
}

function rssMb() {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** Samples this process's RSS every 20 ms until stopped; returns the peak. */
function rssSampler() {
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb());
  };
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** With BENCH_PROFILE, times every statement the engine's connections run (the first line of each). */
function profileStatements() {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : config?.text;
    const started = performance.now();
    const result = query.call(this, config, ...rest);
    if (text && result && typeof result.then === 'function') {
      result.then(() => {
        const ms = performance.now() - started;
        if (ms > 20) note(`${ms.toFixed(0).padStart(6)} ms  ${text.replace(/\s+/g, ' ').slice(0, 140)}`);
      }, () => undefined);
    }
    return result;
  };
}

/** The engine, built and wired as the CLI wires it (national scope, no account). */
async function startEngine() {
  if (process.env.BENCH_PROFILE) profileStatements();
  require('reflect-metadata');
  const { NestFactory } = require('@nestjs/core');
  const { Module } = require('@nestjs/common');
  const platform = require(path.join(ROOT, 'dist/libs/platform/src'));
  const imports = require(path.join(ROOT, 'dist/libs/imports/src'));
  const config = platform.loadConfig({ NODE_ENV: 'test', DATABASE_URL: DB_URL, LOG_LEVEL: 'warn' });
  class BenchModule {}
  Module({})(BenchModule);
  app = await NestFactory.createApplicationContext(
    { module: BenchModule, imports: [platform.ConfigModule.forRoot(config), platform.DatabaseModule.forRoot(config), platform.AuditModule, imports.ImportEngineModule] },
    { logger: ['error', 'warn'] },
  );
  const repository = app.get(imports.ImportRepository);
  const engine = app.get(imports.ImportEngine);
  const pool = app.get(imports.IMPORTS_POOL);
  return async (kind, file) => {
    const id = randomUUID();
    await repository.create(pool, { id, kind, dryRun: false, actorAccountId: null, scopeSystemIds: null }, 'queued');
    await repository.markRunning(id, statSync(file).size);
    const started = performance.now();
    const outcome = await engine.run(kind, { importId: id, dryRun: false, actorAccountId: null, scopeSystemIds: null, esrColumns: config.imports.esrColumns }, createReadStream(file));
    const seconds = (performance.now() - started) / 1000;
    if (outcome.status !== 'succeeded') throw new Error(`${kind} import failed: ${outcome.reason}`);
    return { seconds, counts: outcome.counts, errors: outcome.errorCount };
  };
}

/** COPY of the raw file into a table of its shape, then one merge into person: the least any import of it can cost. */
async function barePath(file) {
  const { from: copyFrom } = require('pg-copy-streams');
  return withClient(DB_URL, async (client) => {
    const started = performance.now();
    await client.query('begin');
    await client.query(`create temp table bare_stage (employee_number text, given_name text, family_name text, email text, staff_group text, job_role text, position_title text, grade text, organisation_code text, primary_assignment text, ethnic_origin text, disability text) on commit drop`);
    await pipeline(createReadStream(file), client.query(copyFrom(`copy bare_stage from stdin with (format csv, header true)`)));
    const copied = performance.now();
    const { rowCount } = await client.query(
      `insert into person (id, email, given_name, family_name, organisation_id, profession, job_title, grade, esr_employee_number, created_at, updated_at)
       select gen_random_uuid(), s.email, s.given_name, s.family_name, o.id, s.job_role, s.position_title, 'band_5', s.employee_number, now(), now()
         from bare_stage s join organisation o on o.ods_code = s.organisation_code
       on conflict (email) do update set given_name = excluded.given_name, family_name = excluded.family_name, organisation_id = excluded.organisation_id,
         profession = excluded.profession, job_title = excluded.job_title, esr_employee_number = excluded.esr_employee_number, updated_at = now()`,
    );
    const merged = performance.now();
    await client.query('rollback');
    return { seconds: (merged - started) / 1000, copySeconds: (copied - started) / 1000, rows: rowCount };
  });
}

async function main() {
  note(`creating ${DB}`);
  execFileSync('psql', [`${PG_BASE}/postgres`, '-qc', `create database ${DB}`]);
  execFileSync(process.execPath, [CLI, 'db:migrate'], { env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: DB_URL }, stdio: ['ignore', 'ignore', 'inherit'] });
  const run = await startEngine();

  note('loading ODS reference data through the engine');
  const icbs = await run('ods_icb', await writeFile('eccg.csv', icbLines()));
  const trusts = await run('ods_trust', await writeFile('etr.csv', trustLines()));
  const gpFile = await writeFile('epraccur.csv', gpLines());
  const gp = await run('ods_gp_practice', gpFile);
  const gpAgain = await run('ods_gp_practice', gpFile);

  note(`writing an ESR extract of ${count(ESR_ROWS)} rows`);
  const esrFile = await writeFile('esr.csv', esrLines());
  const bytes = statSync(esrFile).size;
  // Warm both paths' caches on the same tables once, then measure.
  await barePath(esrFile);
  note('bare path: COPY + one INSERT … ON CONFLICT');
  const bare = await barePath(esrFile);

  note('engine: ImportEngine.run');
  global.gc?.();
  const rssBefore = rssMb();
  const stopSampling = rssSampler();
  const esr = await run('esr_people', esrFile);
  const rssPeak = stopSampling();
  const [{ people }] = await withClient(DB_URL, async (client) => (await client.query(`select count(*)::int as people from person where esr_employee_number is not null`)).rows);
  if (esr.counts.created !== ESR_ROWS || people !== ESR_ROWS) throw new Error(`expected ${ESR_ROWS} people created, got ${esr.counts.created} (${people} in person)`);

  const engineRate = ESR_ROWS / esr.seconds;
  const bareRate = ESR_ROWS / bare.seconds;
  const ratio = engineRate / bareRate;
  const growth = rssPeak - rssBefore;
  const ok = (pass) => (pass ? 'ok' : 'MISSED');
  log(`Imports benchmark (${DB}; ${os.cpus().length} CPUs; PostgreSQL ${PG_BASE.replace(/\/\/[^@]*@/, '//')})`);
  log(`ODS: ${icbs.counts.created} ICBs in ${icbs.seconds.toFixed(2)} s; ${trusts.counts.created} trusts in ${trusts.seconds.toFixed(2)} s`);
  log(`ODS GP practices: ${count(GP_ROWS)} rows (${count(gp.counts.created)} created, ${gp.counts.skipped} closed and skipped) in ${gp.seconds.toFixed(2)} s  [target < 10 s: ${ok(gp.seconds < 10)}]; re-import (all unchanged: ${gpAgain.counts.unchanged}) in ${gpAgain.seconds.toFixed(2)} s`);
  log(`ESR extract: ${count(ESR_ROWS)} rows, ${(bytes / 1_048_576).toFixed(1)} MB`);
  log(`  bare COPY + INSERT … ON CONFLICT: ${bare.seconds.toFixed(2)} s (COPY ${bare.copySeconds.toFixed(2)} s) = ${count(Math.round(bareRate))} rows/s`);
  log(`  engine (stream, COPY, checks, merge, audit): ${esr.seconds.toFixed(2)} s = ${count(Math.round(engineRate))} rows/s  [target ≥ 5,000: ${ok(engineRate >= 5000)}]`);
  log(`  ratio engine / bare: ${ratio.toFixed(2)}  [target ≥ 0.5: ${ok(ratio >= 0.5)}]`);
  log(`  RSS: ${rssBefore.toFixed(0)} MB before, ${rssPeak.toFixed(0)} MB peak: growth ${growth.toFixed(1)} MB  [target < 100 MB: ${ok(growth < 100)}]`);
}

async function cleanup() {
  await app?.close().catch(() => undefined);
  app = undefined;
  rmSync(dir, { recursive: true, force: true });
  if (process.env.BENCH_KEEP_DB) {
    note(`kept database ${DB}`);
    return;
  }
  try {
    execFileSync('psql', [`${PG_BASE}/postgres`, '-qc', `drop database if exists ${DB} with (force)`]);
  } catch {
    // already gone
  }
}

await runBenchmark(main, cleanup);
