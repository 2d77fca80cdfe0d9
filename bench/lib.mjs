/**
 * Helpers the benchmarks share: parameters, output, free ports, percentiles, and CPU accounting
 * from Linux /proc (per process, for PostgreSQL and Redis, and for the whole machine).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** A whole-number environment variable, at least `min`; `fallback` when unset. */
export function intEnv(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
  return value;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Figures go to stdout; progress notes to stderr. */
export const log = (message = '') => process.stdout.write(`${message}\n`);
export const note = (message) => process.stderr.write(`[bench] ${message}\n`);
export const count = (n) => n.toLocaleString('en-GB');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The p-th percentile of an ascending array (nearest rank). */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds a process has used, or null when it is gone. */
export function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of the services a benchmark loads: PostgreSQL backends connected to `dbName` plus
 * its shared background processes (WAL writer, checkpointer, …), and redis-server. Backends of
 * other databases (other work on this machine) are left out.
 */
export function serviceCpuSeconds(dbName) {
  let postgres = 0;
  let redis = 0;
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return { postgres: null, redis: null };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (stat.includes('(redis-server)')) {
      redis += procCpuSeconds(entry) ?? 0;
      continue;
    }
    if (!stat.includes('(postgres)')) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const mine = dbName && cmdline.includes(` ${dbName} `);
    const background = /writer|checkpointer|walwriter|autovacuum|stats|logical replication/.test(cmdline);
    if (mine || background) postgres += procCpuSeconds(entry) ?? 0;
  }
  return { postgres, redis };
}

/** Whole-machine busy and total jiffies from /proc/stat. */
export function machineTicks() {
  try {
    const values = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = values[3] + (values[4] || 0);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Cores the whole machine kept busy between two `machineTicks()` readings. */
export function machineCores(before, after, cpus) {
  return before && after && after.total > before.total ? ((after.busy - before.busy) / (after.total - before.total)) * cpus : null;
}

/**
 * Runs a benchmark: `main`, then `cleanup` whatever happened (also on Ctrl-C or SIGTERM, exiting
 * 130). On failure prints the error and `lastOutput()` (e.g. a child process's last lines) and
 * exits 1; else 0. `cleanup` must tolerate being called twice.
 */
export async function runBenchmark(main, cleanup, lastOutput = () => '') {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      note(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  let exitCode = 0;
  try {
    await main();
  } catch (error) {
    exitCode = 1;
    process.stderr.write(`\nbenchmark failed: ${error?.stack ?? error}\n`);
    const output = lastOutput();
    if (output) process.stderr.write(output);
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}

/** Keeps the last `max` non-empty lines a child process writes (stdout and stderr) in `lines`. */
export function keepLastLines(child, lines, max = 200) {
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > max) lines.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return lines;
}
