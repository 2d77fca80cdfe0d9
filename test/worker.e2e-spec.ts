import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from './support/test-database';

const DIST = join(__dirname, '..', 'dist', 'apps');
const WORKER = join(DIST, 'worker', 'src', 'main.js');
const API = join(DIST, 'api', 'src', 'main.js');
const PRODUCTION_SECRET = 'a-production-secret-that-is-long-enough-0123456789';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A built entry point running as its own process, with its output collected. */
class Running {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** JSON log lines written so far. */
  get logs(): { level: number; msg: string; context?: string }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; context?: string });
  }

  /** Resolves when a log line's message matches `pattern`; fails if the process exits first or time runs out. */
  async waitForLog(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exit: Exit | undefined;
    void this.exited.then((e) => (exit = e));
    while (!this.logs.some((entry) => pattern.test(entry.msg))) {
      if (exit) throw new Error(`exited (${JSON.stringify(exit)}) before logging ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no log matching ${pattern} within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the process to exit, killing it (and failing) if it takes longer than `timeoutMs`. */
  async exit(timeoutMs: number): Promise<Exit & { elapsedMs: number }> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`still running ${timeoutMs} ms later\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
    }
    return { ...result, elapsedMs: Date.now() - started };
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

const running: Running[] = [];

/** Starts a built entry point with exactly `env` (plus PATH): nothing leaks in from the test runner's environment. */
function start(script: string, env: Record<string, string>): Running {
  const process_ = new Running(spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  running.push(process_);
  return process_;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** TCP ports a process listens on (Linux: its socket fds matched against /proc/net/tcp{,6} in LISTEN state). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || columns[3] !== '0A') continue;
      if (inodes.has(columns[9]!)) ports.push(parseInt(columns[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

describe('worker and API processes (e2e)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    for (const script of [WORKER, API]) if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm test does).`);
    database = await createTestDatabase();
    baseEnv = { NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: database.url, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
  });

  afterEach(() => {
    for (const process_ of running.splice(0)) process_.kill();
  });

  afterAll(async () => {
    await database?.drop();
  });

  describe('the worker', () => {
    it('logs that it is ready, listens on no port, and exits 0 soon after SIGTERM', async () => {
      const worker = start(WORKER, baseEnv);

      await worker.waitForLog(/^Worker ready/);
      const ready = worker.logs.find((entry) => /^Worker ready/.test(entry.msg))!;
      const postgres = new URL(database.url);
      expect(ready.msg).toContain(`database ${postgres.hostname}:${postgres.port || 5432}/${database.name}`);
      expect(ready.msg).toContain('redis 127.0.0.1:6379');
      expect(listeningPorts(worker.child.pid!)).toEqual([]);

      worker.child.kill('SIGTERM');
      const exit = await worker.exit(20_000);

      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.elapsedMs).toBeLessThan(5_000);
      expect(worker.logs.some((entry) => entry.msg === 'Worker stopping on SIGTERM')).toBe(true);
    });

    it('becomes ready without warning about dependencies when PostgreSQL and Redis are up', async () => {
      const worker = start(WORKER, baseEnv);

      await worker.waitForLog(/^Worker ready/);

      expect(worker.logs.filter((entry) => /Waiting for dependencies/.test(entry.msg)).map((entry) => entry.msg)).toEqual([]);
    });

    it('reads an unset NODE_ENV as the API does: production, so JWT_SECRET is required', async () => {
      const { NODE_ENV: _unset, ...bare } = baseEnv;
      const worker = start(WORKER, bare);

      const exit = await worker.exit(20_000);

      expect(exit.code).toBe(1);
      expect(worker.stderr).toContain('The worker cannot start.');
      expect(worker.stderr).toMatch(/JWT_SECRET is required unless NODE_ENV is development or test/);
    });

    it('refuses to start with invalid configuration, naming the variable', async () => {
      const worker = start(WORKER, { ...baseEnv, REDIS_URL: 'nope' });

      const exit = await worker.exit(20_000);

      expect(exit.code).toBe(1);
      expect(worker.stderr).toContain('The worker cannot start.');
      expect(worker.stderr).toMatch(/REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//);
      expect(worker.stderr).not.toMatch(/\n\s+at /);
    });
  });

  describe('the API', () => {
    it('refuses to start with PORT=abc, exiting 1 and naming PORT', async () => {
      const api = start(API, { ...baseEnv, PORT: 'abc' });

      const exit = await api.exit(20_000);

      expect(exit.code).toBe(1);
      expect(api.stderr).toContain('The API cannot start.');
      expect(api.stderr).toMatch(/PORT must be a whole number/);
      expect(api.stderr).not.toMatch(/\n\s+at /);
    });

    it('refuses to start in production without JWT_SECRET, naming JWT_SECRET', async () => {
      const api = start(API, { ...baseEnv, NODE_ENV: 'production', PORT: String(await freePort()) });

      const exit = await api.exit(20_000);

      expect(exit.code).toBe(1);
      expect(api.stderr).toMatch(/JWT_SECRET is required unless NODE_ENV is development or test/);
    });

    it('counts an unset NODE_ENV as production: without JWT_SECRET it refuses to start rather than sign with the public development secret', async () => {
      const { NODE_ENV: _unset, ...bare } = baseEnv;
      const api = start(API, { ...bare, PORT: String(await freePort()) });

      const exit = await api.exit(20_000);

      expect(exit.code).toBe(1);
      expect(api.stderr).toContain('The API cannot start.');
      expect(api.stderr).toMatch(/JWT_SECRET is required unless NODE_ENV is development or test/);
      expect(api.stderr).not.toMatch(/\n\s+at /);
    });

    it('serves requests, then shuts down gracefully on SIGTERM with exit code 0', async () => {
      const port = await freePort();
      const api = start(API, { ...baseEnv, NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET, PORT: String(port) });

      await api.waitForLog(/^API listening on/);
      expect(listeningPorts(api.child.pid!)).toContain(port);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });

      api.child.kill('SIGTERM');
      const exit = await api.exit(20_000);

      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.elapsedMs).toBeLessThan(5_000);
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    });
  });
});
