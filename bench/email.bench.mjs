#!/usr/bin/env node
/**
 * Email worker throughput benchmark (prints figures, asserts nothing).
 *
 *   npm run bench:email                               # builds, then runs this file
 *   BENCH_EMAILS=2000 node bench/email.bench.mjs      # fewer emails per batch
 *   BENCH_WORKER_NODE_OPTIONS=--cpu-prof npm run bench:email   # profile the worker processes
 *
 * Measures emails per second from the outbox (`notification` rows, status 'pending') to a local
 * SMTP sink through the built worker (outbox relay → BullMQ → EmailProcessor/EmailSender →
 * nodemailer pooled SMTP), with 1 and with 2 worker processes, against the limit measured in the
 * same run: a bare nodemailer loop that sends the same, already rendered, messages to the same sink.
 *
 * 1. Starts an SMTP sink in this process (smtp-server, no auth needed, no STARTTLS) that counts
 *    messages and records every Message-ID, so duplicates and losses can be counted.
 * 2. Bare loop (the limit), in a child process of its own, as the worker is (this process is
 *    busy being the sink): builds N reminder rows like the seeded ones, composes every message
 *    as EmailSender does (built TemplateRenderer, unsubscribe link, List-Unsubscribe headers,
 *    calendar invitation), then, after a short warm-up, sends the N messages through nodemailer
 *    pooled SMTP (the same URL and pool defaults the worker uses) with MAIL_CONCURRENCY in flight.
 * 3. For 1, then 2, worker processes: a fresh database migrated with the built CLI (db:migrate),
 *    a fresh Redis prefix, N pending 'session_reminder_24h' rows (data shaped as EMAIL_EXAMPLES /
 *    SessionRemindersService writes it, recipient_person_id set).
 *      cold batch: the rows are in the outbox before the workers start; timed from spawning the
 *                  worker(s) until every row is 'sent' (includes start-up and JIT warm-up).
 *      warm batch: with the same workers running (warmed by the cold batch), another N rows are
 *                  committed in one transaction; timed from the commit until every row is 'sent'.
 *    Then the workers are stopped (SIGTERM) and every row and every Message-ID the sink saw is
 *    checked: duplicates (a Message-ID received more than once) and losses (a row not 'sent', or
 *    an id the sink never received).
 * 4. Prints the figures, worker/bare ratios against the target (≥ 0.7) and the duplicate/loss
 *    counts; drops the databases and deletes the Redis keys of its prefixes (also on errors and
 *    Ctrl-C). Exits 0 whether or not the targets are met.
 *
 * Environment: BENCH_EMAILS (10000 per batch), BENCH_BARE_WARMUP (500), MAIL_CONCURRENCY (16, as the worker's default, for
 * the worker and the bare loop), DATABASE_POOL_MAX (12, passed to the worker), BENCH_SMTP_QUERY
 * (query added to the SMTP URL of both, e.g. maxConnections=8: nodemailer's pool options), BENCH_WORKERS
 * ("1,2"), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL
 * (redis://127.0.0.1:6379), BENCH_TIMEOUT_S (per batch; default max(120, N/25)), BENCH_KEEP_DB=1,
 * BENCH_WORKER_NODE_OPTIONS / BENCH_BARE_NODE_OPTIONS (NODE_OPTIONS for the worker processes / the
 * bare loop; with --cpu-prof and no --cpu-prof-dir, profiles go to $TMPDIR/slp-email-bench-profiles).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { count, intEnv, keepLastLines, log, machineCores, machineTicks, note, procCpuSeconds, runBenchmark, serviceCpuSeconds, sleep } from './lib.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/src/main.js');
const DIST_NOTIFICATIONS = path.join(ROOT, 'dist/libs/notifications/src');

const KIND = 'session_reminder_24h';
const PUBLIC_URL = 'https://leadership.example.nhs.uk';
// The platform's default MAIL_FROM (libs/platform/src/config/app-config.ts); the worker gets it explicitly too.
const MAIL_FROM = 'System Leadership Platform <no-reply@leadership.localhost>';
const TARGET_RATIO = 0.7;


// ---------------------------------------------------------------- rows and messages (shared by both modes)

/** Reminder data as SessionRemindersService writes it: EMAIL_EXAMPLES' shape, without the links EmailSender adds. */
function reminderData(sessionId) {
  const { EMAIL_EXAMPLES } = require(path.join(DIST_NOTIFICATIONS, 'email-examples.js'));
  const { unsubscribeUrl, preferencesUrl, ...data } = structuredClone(EMAIL_EXAMPLES[KIND]);
  void unsubscribeUrl;
  void preferencesUrl;
  data.session.id = sessionId;
  return data;
}

/** N outbox rows for one session: one reminder per (distinct) person; every batch gets rows of the same sizes. */
function reminderRows(n, sessionId) {
  const data = reminderData(sessionId);
  return Array.from({ length: n }, (_, i) => {
    const personId = randomUUID();
    return {
      id: randomUUID(),
      kind: KIND,
      recipient_person_id: personId,
      recipient_email: `bench.person.${i + 1}@bench.example`,
      recipient_name: `Bench Person ${i + 1}`,
      subject_id: sessionId,
      data,
      dedupe_key: `${KIND}:session:${sessionId}:${personId}`,
    };
  });
}

// ---------------------------------------------------------------- bare loop (child process mode)

/**
 * The limit: the messages EmailSender would send for these rows, composed up front, then sent
 * through nodemailer pooled SMTP with `concurrency` sends in flight. Reports over IPC.
 */
async function bareLoopChild() {
  const spec = JSON.parse(process.env.BENCH_BARE_SPEC);
  const nodemailer = require('nodemailer'); // the CommonJS build, as the worker loads it
  const { TemplateRenderer } = require(path.join(DIST_NOTIFICATIONS, 'template-renderer.js'));
  const { sessionInvitation, addressOf } = require(path.join(DIST_NOTIFICATIONS, 'calendar-invitation.js'));
  const renderer = TemplateRenderer.fromDirectory();

  // The built NotificationPreferencesService signs the links; they need only the worker's configuration.
  const { NotificationPreferencesService } = require(path.join(DIST_NOTIFICATIONS, 'notification-preferences.service.js'));
  const preferences = new NotificationPreferencesService(null, null, { auth: { jwtSecret: spec.jwtSecret }, publicUrl: spec.publicUrl });
  const unsubscribeUrl = (personId) => preferences.unsubscribeUrl(personId);

  // EmailSender.compose + MailTransport.send's message, for a reminder row.
  const compose = (row) => {
    const link = unsubscribeUrl(row.recipient_person_id);
    const data = { ...row.data, unsubscribeUrl: link, preferencesUrl: `${spec.publicUrl}/api/v1/me/notification-preferences` };
    const rendered = renderer.render(row.kind, data);
    const calendar = sessionInvitation(row.data.session, {
      programmeTitle: String(row.data.programmeTitle),
      cohortName: String(row.data.cohortName),
      organiserEmail: addressOf(spec.from),
      cancelled: false,
      attendee: { name: row.recipient_name, email: row.recipient_email },
    });
    return {
      from: spec.from,
      to: { name: row.recipient_name, address: row.recipient_email },
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: `<${row.id}@system-leadership-platform>`,
      headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      icalEvent: { method: calendar.method, filename: 'invite.ics', content: calendar.content },
    };
  };

  const warmRows = reminderRows(spec.warmup, randomUUID());
  const rows = reminderRows(spec.count, randomUUID());
  const renderStarted = performance.now();
  const warmMessages = warmRows.map(compose);
  const messages = rows.map(compose);
  const renderMs = performance.now() - renderStarted;

  // As MailTransport does: the SMTP URL with pool=true, nodemailer's pool defaults otherwise.
  const url = new URL(spec.smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  const transport = nodemailer.createTransport(url.toString());

  const sendAll = async (list) => {
    let next = 0;
    let errors = 0;
    let firstError = null;
    const loop = async () => {
      for (;;) {
        const index = next++;
        if (index >= list.length) return;
        try {
          await transport.sendMail(list[index]);
        } catch (error) {
          errors += 1;
          firstError ??= error.message;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(spec.concurrency, list.length) }, loop));
    return { errors, firstError };
  };

  if (warmMessages.length) await sendAll(warmMessages);
  process.send({ type: 'start', ids: rows.map((r) => r.id) });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await sendAll(messages);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  process.send({ type: 'done', sent: messages.length - result.errors, errors: result.errors, firstError: result.firstError, wallMs, renderMs, rendered: warmMessages.length + messages.length, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  transport.close();
  process.disconnect();
}

if (process.argv.includes('--bare-loop')) {
  try {
    await bareLoopChild();
  } catch (error) {
    process.stderr.write(`bare loop failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  }
} else {
  await runMain();
}

// ---------------------------------------------------------------- main process

async function runMain() {
  const pg = (await import('pg')).default;
  const { Redis } = require('ioredis');
  const { SMTPServer } = require('smtp-server');

  const EMAILS = intEnv('BENCH_EMAILS', 10_000);
  const BARE_WARMUP = intEnv('BENCH_BARE_WARMUP', Math.min(500, EMAILS), 0);
  const CONCURRENCY = intEnv('MAIL_CONCURRENCY', 16);
  const POOL_MAX = intEnv('DATABASE_POOL_MAX', 12);
  const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_S', Math.max(120, Math.ceil(EMAILS / 25))) * 1000;
  const WORKER_COUNTS = (process.env.BENCH_WORKERS || '1,2').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  const PG_BASE = (process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
  const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
  const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
  const SMTP_QUERY = (process.env.BENCH_SMTP_QUERY ?? '').replace(/^\?/, '');
  const RUN = `slp_bench_email_${Date.now()}`;
  const JWT_SECRET = randomBytes(36).toString('base64url'); // 48 characters
  const PROFILE_DIR = path.join(os.tmpdir(), 'slp-email-bench-profiles', RUN);

  // ---------------------------------------------------------------- clean-up state

  const children = new Set(); // { child, exited, label }
  const databases = new Set();
  const prefixes = new Set();
  const pools = new Set();
  let sinkServer = null;
  let cleaningUp = null;

  // ---------------------------------------------------------------- CPU accounting (Linux /proc)

  function cpuSnapshot(pids, dbName) {
    const usage = process.cpuUsage();
    const sendersList = pids.map(procCpuSeconds);
    return {
      at: performance.now(),
      senders: sendersList.some((s) => s === null) ? null : sendersList.reduce((a, b) => a + b, 0),
      ...serviceCpuSeconds(dbName),
      sink: (usage.user + usage.system) / 1e6,
      machine: machineTicks(),
    };
  }

  function cpuDelta(before, after) {
    const wall = (after.at - before.at) / 1000;
    const cores = (a, b) => (a === null || b === null || a === undefined || b === undefined ? null : (b - a) / wall);
    const machine = machineCores(before.machine, after.machine, os.cpus().length);
    const result = { senders: cores(before.senders, after.senders), sink: cores(before.sink, after.sink), postgres: cores(before.postgres, after.postgres), redis: cores(before.redis, after.redis), machine };
    result.others = machine === null ? null : Math.max(0, machine - ['senders', 'sink', 'postgres', 'redis'].reduce((a, k) => a + (result[k] ?? 0), 0));
    return result;
  }

  // ---------------------------------------------------------------- SMTP sink

  /** Every Message-ID the sink received, with how often; plus running totals. */
  const sink = { received: 0, bytes: 0, withoutId: 0, ids: new Map(), firstAt: null, lastAt: null };

  function resetSinkClock() {
    sink.firstAt = null;
    sink.lastAt = null;
  }

  function startSink() {
    return new Promise((resolve, reject) => {
      sinkServer = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        banner: 'slp email bench sink',
        onData(stream, session, callback) {
          let head = null;
          let headers = '';
          let id = null;
          let bytes = 0;
          stream.on('data', (chunk) => {
            bytes += chunk.length;
            if (head === false) return;
            head = head ? Buffer.concat([head, chunk]) : chunk;
            const end = head.indexOf('\r\n\r\n');
            if (end !== -1 || head.length > 256 * 1024) {
              headers = head.subarray(0, end === -1 ? head.length : end).toString('latin1');
              // The header may be folded onto the next line (nodemailer folds long ones).
              id = /^message-id:\s*(<[^>\r\n]*>)/im.exec(headers)?.[1] ?? null;
              head = false;
            }
          });
          stream.on('error', (error) => callback(error));
          stream.on('end', () => {
            const now = performance.now();
            sink.received += 1;
            sink.bytes += bytes;
            sink.firstAt ??= now;
            sink.lastAt = now;
            if (id) sink.ids.set(id, (sink.ids.get(id) ?? 0) + 1);
            else {
              sink.withoutId += 1;
              sink.sampleWithoutId ??= headers;
            }
            callback(null, 'queued by the bench sink');
          });
        },
      });
      sinkServer.on('error', (error) => note(`sink error: ${error.message}`));
      sinkServer.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(sinkServer.server.address().port)));
    });
  }

  const messageIdOf = (rowId) => `<${rowId}@system-leadership-platform>`;

  /**
   * For a set of row ids: how many the sink never received, how many it received more than once
   * (and the extra copies), and how many are lost (never received, or in `notSent`).
   */
  function sinkCheck(rowIds, notSent = new Set()) {
    let missing = 0;
    let duplicated = 0;
    let extraCopies = 0;
    let lost = 0;
    for (const id of rowIds) {
      const seen = sink.ids.get(messageIdOf(id)) ?? 0;
      if (seen === 0) missing += 1;
      else if (seen > 1) {
        duplicated += 1;
        extraCopies += seen - 1;
      }
      if (seen === 0 || notSent.has(id)) lost += 1;
    }
    return { missing, duplicated, extraCopies, lost };
  }

  // ---------------------------------------------------------------- processes

  function run(args, env) {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      child.on('error', reject);
      child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code ?? signal}:\n${out}`))));
    });
  }

  function nodeOptions(raw) {
    let options = raw ?? '';
    if (/--cpu-prof\b/.test(options) && !/--cpu-prof-dir/.test(options)) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      options += ` --cpu-prof-dir=${PROFILE_DIR}`;
    }
    return options.trim();
  }

  /** Starts a child; keeps the last lines of its output; `exited` resolves with { code, signal }. */
  function startChild(label, args, env, withIpc = false) {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: withIpc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
    const lines = keepLastLines(child, []);
    const entry = { label, child, lines, exitInfo: null };
    entry.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((entry.exitInfo = { code, signal }))));
    children.add(entry);
    return entry;
  }

  async function stopChild(entry, timeoutMs = 20_000) {
    if (entry.exitInfo) return entry.exitInfo;
    entry.child.kill('SIGTERM');
    const result = await Promise.race([entry.exited, sleep(timeoutMs).then(() => null)]);
    if (result) return result;
    note(`${entry.label} did not stop within ${timeoutMs / 1000} s of SIGTERM; sending SIGKILL`);
    entry.child.kill('SIGKILL');
    return entry.exited;
  }

  // ---------------------------------------------------------------- database and redis

  function newPool(connectionString, max) {
    const pool = new pg.Pool({ connectionString, max, application_name: 'slp-email-bench' });
    pool.on('error', (error) => note(`idle pg client error: ${error.message}`));
    pools.add(pool);
    return pool;
  }

  async function endPool(pool) {
    if (!pools.delete(pool)) return;
    await pool.end().catch(() => {});
  }

  async function adminQuery(sql) {
    const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres`, application_name: 'slp-email-bench' });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  }

  async function createAndMigrate(dbName) {
    note(`creating ${dbName} with the CLI (db:migrate)`);
    databases.add(dbName);
    const out = await run([CLI_MAIN, 'db:migrate'], { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `${PG_BASE}/${dbName}`, REDIS_URL, JWT_SECRET, LOG_LEVEL: 'warn' });
    const last = out.trim().split('\n').pop();
    if (last) note(last);
  }

  async function dropDatabase(dbName) {
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    databases.delete(dbName);
  }

  async function deleteRedisKeys(prefix) {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) deleted += await redis.del(...keys);
      } while (cursor !== '0');
      prefixes.delete(prefix);
      return deleted;
    } finally {
      redis.disconnect();
    }
  }

  async function bullCounts(prefix) {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      const base = `${prefix}:bull:email`;
      const [failed, completed, wait, active, delayed] = await Promise.all([redis.zcard(`${base}:failed`), redis.zcard(`${base}:completed`), redis.llen(`${base}:wait`), redis.llen(`${base}:active`), redis.zcard(`${base}:delayed`)]);
      return { failed, completed, wait, active, delayed };
    } catch {
      return null;
    } finally {
      redis.disconnect();
    }
  }

  /** Inserts the rows, in one transaction (as one INSERT … SELECT of the reminders service would). */
  async function insertRows(pool, rows) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const now = new Date();
      for (let offset = 0; offset < rows.length; offset += 5000) {
        const chunk = rows.slice(offset, offset + 5000);
        await client.query(
          `INSERT INTO notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at)
           SELECT id, $1, person_id, email, name, 'session', $2, $3::jsonb, dedupe_key, 'pending', 0, $4
             FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[]) AS t(id, person_id, email, name, dedupe_key)`,
          [KIND, chunk[0].subject_id, JSON.stringify(chunk[0].data), now, chunk.map((r) => r.id), chunk.map((r) => r.recipient_person_id), chunk.map((r) => r.recipient_email), chunk.map((r) => r.recipient_name), chunk.map((r) => r.dedupe_key)],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async function statusCounts(pool, sessionId) {
    const { rows } = await pool.query(`SELECT status, count(*)::int AS n FROM notification WHERE subject_id = $1 GROUP BY status`, [sessionId]);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /**
   * Polls until every row of the batch is 'sent' (or no row can progress, or the time is up, or
   * a worker died). The database is asked once a second (so the measurement barely loads the
   * PostgreSQL it measures), and every 10 ms once the sink has seen as many messages as the batch
   * has rows; worker exits and the sink's count are checked every 10 ms.
   */
  async function waitForBatch(pool, sessionId, n, workers, sinkStart) {
    const deadline = performance.now() + TIMEOUT_MS;
    let lastReport = performance.now();
    let lastQuery = 0;
    for (;;) {
      if (sink.received - sinkStart < n && performance.now() - lastQuery < 1_000 && !workers.some((w) => w.exitInfo) && performance.now() < deadline) {
        await sleep(10);
        continue;
      }
      lastQuery = performance.now();
      const counts = await statusCounts(pool, sessionId);
      const at = performance.now();
      const sent = counts.sent ?? 0;
      if (sent >= n) return { done: true, at, counts };
      if (sent + (counts.dead ?? 0) >= n) return { done: false, at, counts, reason: `${counts.dead} row(s) dead` };
      const dead = workers.find((w) => w.exitInfo);
      if (dead) return { done: false, at, counts, reason: `${dead.label} exited (${dead.exitInfo.code ?? dead.exitInfo.signal}):\n${dead.lines.slice(-20).join('\n')}` };
      if (at > deadline) return { done: false, at, counts, reason: `not all sent within ${TIMEOUT_MS / 1000} s` };
      if (at - lastReport > 5_000) {
        note(`  … ${JSON.stringify(counts)}, sink +${count(sink.received - sinkStart)}`);
        lastReport = at;
      }
      await sleep(10);
    }
  }

  // ---------------------------------------------------------------- phases

  async function barePhase(smtpUrl) {
    note(`bare loop: composing ${count(BARE_WARMUP + EMAILS)} messages, then ${count(BARE_WARMUP)} warm-up + ${count(EMAILS)} measured sends, ${CONCURRENCY} in flight`);
    const entry = startChild('bare loop', [SELF, '--bare-loop'], {
      ...process.env,
      NODE_OPTIONS: nodeOptions(process.env.BENCH_BARE_NODE_OPTIONS),
      BENCH_BARE_SPEC: JSON.stringify({ count: EMAILS, warmup: BARE_WARMUP, concurrency: CONCURRENCY, smtpUrl, jwtSecret: JWT_SECRET, publicUrl: PUBLIC_URL, from: MAIL_FROM }),
    }, true);
    let ids = null;
    let before = null;
    let sinkStart = 0;
    let bytesStart = 0;
    const done = await new Promise((resolve, reject) => {
      entry.child.on('message', (message) => {
        if (message.type === 'start') {
          ids = message.ids;
          sinkStart = sink.received;
          bytesStart = sink.bytes;
          resetSinkClock();
          before = cpuSnapshot([entry.child.pid], null);
        } else if (message.type === 'done') {
          const cpu = before ? cpuDelta(before, cpuSnapshot([entry.child.pid], null)) : null;
          resolve({ ...message, cpu });
        }
      });
      void entry.exited.then(({ code, signal }) => reject(new Error(`the bare loop exited with ${code ?? signal} before reporting:\n${entry.lines.slice(-20).join('\n')}`)));
    });
    await entry.exited;
    children.delete(entry);
    await sleep(200);
    const check = sinkCheck(ids);
    return {
      label: 'bare nodemailer loop',
      processes: 1,
      emails: EMAILS,
      wallMs: done.wallMs,
      rate: EMAILS / (done.wallMs / 1000),
      startupMs: null,
      received: sink.received - sinkStart,
      avgBytes: (sink.bytes - bytesStart) / Math.max(1, sink.received - sinkStart),
      duplicates: check.duplicated,
      losses: check.missing,
      retries: null,
      errors: done.errors,
      firstError: done.firstError,
      renderMsPerEmail: done.renderMs / done.rendered,
      cpu: done.cpu,
    };
  }

  async function workerPhase(workerCount, smtpUrl) {
    const dbName = `${RUN}_w${workerCount}`;
    const prefix = `${RUN}_w${workerCount}`;
    const dbUrl = `${PG_BASE}/${dbName}`;
    await createAndMigrate(dbName);
    prefixes.add(prefix);
    const pool = newPool(dbUrl, 2);
    const batches = [
      { name: 'cold', sessionId: randomUUID() },
      { name: 'warm', sessionId: randomUUID() },
    ];
    for (const batch of batches) batch.rows = reminderRows(EMAILS, batch.sessionId);

    note(`${workerCount} worker(s): seeding ${count(EMAILS)} pending reminders (cold batch)`);
    await insertRows(pool, batches[0].rows);
    await pool.query('ANALYZE notification');

    const env = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      DATABASE_POOL_MAX: String(POOL_MAX),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SMTP_URL: smtpUrl,
      MAIL_FROM,
      MAIL_CONCURRENCY: String(CONCURRENCY),
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      PUBLIC_URL,
      NODE_OPTIONS: nodeOptions(process.env.BENCH_WORKER_NODE_OPTIONS),
    };
    const results = [];
    const workers = [];
    try {
      // Cold batch: the rows wait in the outbox; timed from spawning the workers.
      note(`${workerCount} worker(s): cold batch, starting the worker process(es)`);
      let sinkStart = sink.received;
      let bytesStart = sink.bytes;
      resetSinkClock();
      const spawnedAt = performance.now();
      for (let i = 0; i < workerCount; i++) workers.push(startChild(`worker ${i + 1}`, [WORKER_MAIN], env));
      let before = cpuSnapshot(workers.map((w) => w.child.pid), dbName);
      let outcome = await waitForBatch(pool, batches[0].sessionId, EMAILS, workers, sinkStart);
      batches[0].timing = { startedAt: spawnedAt, outcome, startupMs: sink.firstAt === null ? null : sink.firstAt - spawnedAt, received: sink.received - sinkStart, bytes: sink.bytes - bytesStart, cpu: cpuDelta(before, cpuSnapshot(workers.map((w) => w.child.pid), dbName)) };
      if (!outcome.done) note(`cold batch incomplete: ${outcome.reason}`);

      if (!workers.some((w) => w.exitInfo)) {
        await sleep(500);
        // Warm batch: the same (running, warmed-up) workers; timed from the commit of N new rows.
        note(`${workerCount} worker(s): warm batch, committing ${count(EMAILS)} new pending reminders`);
        sinkStart = sink.received;
        bytesStart = sink.bytes;
        resetSinkClock();
        before = cpuSnapshot(workers.map((w) => w.child.pid), dbName);
        const t0 = performance.now();
        await insertRows(pool, batches[1].rows);
        const committedAt = performance.now();
        outcome = await waitForBatch(pool, batches[1].sessionId, EMAILS, workers, sinkStart);
        batches[1].timing = { startedAt: t0, insertMs: committedAt - t0, committedAt, outcome, startupMs: sink.firstAt === null ? null : sink.firstAt - committedAt, received: sink.received - sinkStart, bytes: sink.bytes - bytesStart, cpu: cpuDelta(before, cpuSnapshot(workers.map((w) => w.child.pid), dbName)) };
        if (!outcome.done) note(`warm batch incomplete: ${outcome.reason}`);
      }

      // Let anything late (a redelivered job, a retry) arrive before counting, then stop the workers.
      await sleep(1_000);
      note(`${workerCount} worker(s): stopping (SIGTERM)`);
      const exits = [];
      for (const w of workers) exits.push(await stopChild(w));
      await sleep(200);
      const bull = await bullCounts(prefix);

      for (const batch of batches) {
        if (!batch.timing) continue;
        const { rows: [db] } = await pool.query(
          `SELECT count(*)::int AS total,
                  count(*) FILTER (WHERE attempts > 1)::int AS retried,
                  count(*) FILTER (WHERE status = 'sent' AND provider_message_id IS DISTINCT FROM '<' || id || '@system-leadership-platform>')::int AS wrong_message_id,
                  coalesce(array_agg(id::text) FILTER (WHERE status <> 'sent'), '{}') AS not_sent
             FROM notification
            WHERE subject_id = $1`,
          [batch.sessionId],
        );
        const statuses = await statusCounts(pool, batch.sessionId);
        const check = sinkCheck(batch.rows.map((r) => r.id), new Set(db.not_sent));
        const { timing } = batch;
        const wallMs = timing.outcome.at - (batch.name === 'cold' ? timing.startedAt : timing.committedAt);
        results.push({
          label: `worker ×${workerCount}, ${batch.name}`,
          batch: batch.name,
          processes: workerCount,
          emails: EMAILS,
          complete: timing.outcome.done,
          reason: timing.outcome.reason,
          wallMs,
          rate: (timing.outcome.counts.sent ?? 0) / (wallMs / 1000),
          startupMs: timing.startupMs,
          insertMs: timing.insertMs ?? null,
          received: timing.received,
          avgBytes: timing.bytes / Math.max(1, timing.received),
          duplicates: check.duplicated,
          extraCopies: check.extraCopies,
          // A row not 'sent', or whose message the sink never received (or a row that is not there at all).
          losses: check.lost + Math.max(0, EMAILS - db.total),
          notSent: db.not_sent.length,
          missingAtSink: check.missing,
          retries: db.retried,
          wrongMessageId: db.wrong_message_id,
          statuses,
          cpu: timing.cpu,
        });
      }
      return { results, bull, exits, logs: workers.map((w) => ({ label: w.label, lines: w.lines })) };
    } finally {
      for (const w of workers) {
        await stopChild(w).catch(() => {});
        children.delete(w);
      }
      await endPool(pool);
      if (!KEEP_DB) {
        await dropDatabase(dbName).then(
          () => note(`dropped ${dbName}`),
          (error) => note(`could not drop ${dbName}: ${error.message} (drop it by hand)`),
        );
      }
      await deleteRedisKeys(prefix).then(
        (n) => note(`deleted ${n} Redis key(s) under ${prefix}:`),
        (error) => note(`could not delete Redis keys under ${prefix}: ${error.message}`),
      );
    }
  }

  // ---------------------------------------------------------------- report

  const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

  function table(headers, rows) {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
    return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
  }

  async function main() {
    const cpus = os.cpus();
    log('Email benchmark: outbox → worker (relay → BullMQ → render → nodemailer pooled SMTP) → local SMTP sink, vs a bare nodemailer loop');
    log(`machine   node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model?.trim() ?? 'unknown'}), load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.platform()} ${os.release()}`);
    log(`params    emails/batch=${count(EMAILS)} kind=${KIND} MAIL_CONCURRENCY=${CONCURRENCY} DATABASE_POOL_MAX=${POOL_MAX} workers=${WORKER_COUNTS.join(',')} bare warm-up=${BARE_WARMUP}${SMTP_QUERY ? ` SMTP URL query=${SMTP_QUERY}` : ''} run=${RUN}`);

    const port = await startSink();
    // BENCH_SMTP_QUERY (e.g. maxConnections=8) goes on the SMTP URL of the worker and the bare loop alike.
    const smtpUrl = `smtp://127.0.0.1:${port}${SMTP_QUERY ? `?${SMTP_QUERY}` : ''}`;
    note(`SMTP sink listening on ${smtpUrl}`);

    const bare = await barePhase(smtpUrl);
    note(`bare loop: ${fmt(bare.rate)} emails/s`);
    const phases = [];
    for (const workerCount of WORKER_COUNTS) {
      const phase = await workerPhase(workerCount, smtpUrl);
      for (const r of phase.results) note(`${r.label}: ${fmt(r.rate)} emails/s`);
      phases.push({ workerCount, ...phase });
    }

    // ---- report
    const all = [bare, ...phases.flatMap((p) => p.results)];
    log('');
    log(
      table(
        ['phase', 'emails', 'wall s', 'emails/s', 'vs bare', 'first email s', 'received', 'avg bytes', 'duplicates', 'losses', 'rows retried'],
        all.map((r) => [r.label, count(r.emails), fmt(r.wallMs / 1000, 2), fmt(r.rate), r === bare ? '1.00' : fmt(r.rate / bare.rate, 2), r.startupMs === null ? '-' : fmt(r.startupMs / 1000, 2), count(r.received), fmt(r.avgBytes, 0), r.duplicates, r.losses, r.retries ?? '-']),
      ),
    );
    log('  cold: rows in the outbox before the worker(s) start; timed from spawning them (start-up included).');
    log('  warm: the same workers, already running; timed from the commit of N new pending rows.');
    log(`  bare: composing (render + calendar + unsubscribe link) took ${fmt(bare.renderMsPerEmail, 3)} ms/email, done before the timed sends.`);
    log('');
    log(`CPU used during each timed phase, in cores (of ${cpus.length}):`);
    log(
      table(
        ['phase', 'sender(s)', 'sink (bench)', 'PostgreSQL', 'Redis', 'everything else', 'whole machine', 'sender CPU ms/email'],
        all.map((r) => [r.label, fmt(r.cpu?.senders, 2), fmt(r.cpu?.sink, 2), fmt(r.cpu?.postgres, 2), fmt(r.cpu?.redis, 2), fmt(r.cpu?.others, 2), fmt(r.cpu?.machine, 2), r.cpu?.senders == null ? 'n/a' : fmt((r.cpu.senders * (r.wallMs / 1000) * 1000) / r.emails, 3)]),
      ),
    );

    const warnings = [];
    if (bare.errors) warnings.push(`bare loop: ${bare.errors} send(s) failed, first: ${bare.firstError}`);
    for (const phase of phases) {
      for (const r of phase.results) {
        if (!r.complete) warnings.push(`${r.label}: incomplete: ${r.reason}`);
        if (r.wrongMessageId) warnings.push(`${r.label}: ${r.wrongMessageId} sent row(s) whose provider_message_id is not <id@system-leadership-platform>`);
        if (r.notSent) warnings.push(`${r.label}: rows by status ${JSON.stringify(r.statuses)}`);
      }
      if (phase.bull && (phase.bull.failed || phase.bull.wait || phase.bull.active || phase.bull.delayed)) warnings.push(`worker ×${phase.workerCount}: BullMQ email queue left ${JSON.stringify(phase.bull)}`);
      for (const exit of phase.exits) if (exit && exit.code !== 0 && exit.code !== null) warnings.push(`worker ×${phase.workerCount}: a worker exited with code ${exit.code}`);
      for (const w of phase.logs) if (w.lines.length) warnings.push(`worker ×${phase.workerCount}, ${w.label} wrote ${w.lines.length}${w.lines.length >= 200 ? '+' : ''} log line(s); last:\n    ${w.lines.slice(-5).join('\n    ')}`);
    }
    if (sink.withoutId) warnings.push(`the sink received ${sink.withoutId} message(s) without a Message-ID; the first one's header:\n    ${sink.sampleWithoutId.slice(0, 2000).replace(/\r?\n/g, '\n    ')}`);
    if (warnings.length) {
      log('');
      for (const w of warnings) log(`WARNING ${w}`);
    }

    log('');
    let allMet = true;
    for (const phase of phases) {
      for (const r of phase.results) {
        const ratio = r.rate / bare.rate;
        const met = ratio >= TARGET_RATIO && r.complete;
        allMet &&= met;
        log(`worker/bare = ${fmt(ratio, 2)} (target ≥ ${TARGET_RATIO}) ${phase.workerCount} worker process${phase.workerCount > 1 ? 'es' : ''}, ${r.batch}: ${fmt(r.rate)} vs ${fmt(bare.rate)} emails/s ${met ? 'MET' : 'NOT MET'}`);
      }
    }
    for (const phase of phases) {
      for (const r of phase.results) {
        const ok = r.duplicates === 0 && r.losses === 0 && r.complete;
        allMet &&= ok;
        log(`${count(r.emails)} reminders (${phase.workerCount} worker process${phase.workerCount > 1 ? 'es' : ''}, ${r.batch}): ${r.duplicates} duplicates, ${r.losses} losses ${ok ? 'MET' : 'NOT MET'}`);
      }
    }
    log(`targets: ${allMet ? 'all met' : 'not all met'}`);
    if (/--cpu-prof\b/.test(`${process.env.BENCH_WORKER_NODE_OPTIONS ?? ''} ${process.env.BENCH_BARE_NODE_OPTIONS ?? ''}`)) log(`CPU profiles: ${PROFILE_DIR}`);
  }

  async function cleanup() {
    if (cleaningUp) return cleaningUp;
    cleaningUp = (async () => {
      for (const entry of [...children]) await stopChild(entry, 10_000).catch(() => {});
      for (const pool of [...pools]) await endPool(pool);
      if (!KEEP_DB) {
        for (const dbName of [...databases]) {
          await dropDatabase(dbName).then(
            () => note(`dropped ${dbName}`),
            (error) => note(`could not drop ${dbName}: ${error.message} (drop it by hand)`),
          );
        }
      } else if (databases.size) {
        note(`kept ${[...databases].join(', ')} (BENCH_KEEP_DB=1)`);
      }
      for (const prefix of [...prefixes]) await deleteRedisKeys(prefix).catch((error) => note(`could not delete Redis keys under ${prefix}: ${error.message}`));
      if (sinkServer) await new Promise((resolve) => sinkServer.close(resolve));
    })();
    return cleaningUp;
  }

  await runBenchmark(main, cleanup, () => children.filter((entry) => entry.lines.length).map((entry) => `last output of ${entry.label}:\n${entry.lines.slice(-20).join('\n')}\n`).join(''));
}
