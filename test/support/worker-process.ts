import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built worker (`npm test` builds first). */
export const BUILT_WORKER = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'main.js');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A built worker running as its own process, with its output collected. */
export class WorkerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** Starts the built worker with exactly `env` (plus PATH): nothing leaks in from the test runner's environment. */
  static start(env: Record<string, string>): WorkerProcess {
    if (!existsSync(BUILT_WORKER)) throw new Error(`${BUILT_WORKER} is missing: run \`npm run build\` first (npm test does).`);
    const worker = new WorkerProcess(spawn(process.execPath, [BUILT_WORKER], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    running.add(worker);
    void worker.exited.then(() => running.delete(worker));
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** JSON log lines written so far. */
  get logs(): { level: number; msg: string; context?: string }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { level: number; msg: string; context?: string }];
        } catch {
          return [];
        }
      });
  }

  /** Resolves when a log line's message matches `pattern`; fails if the process exits first or time runs out. */
  async waitForLog(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.logs.some((entry) => pattern.test(entry.msg))) {
      if (this.exit) throw new Error(`worker exited (${JSON.stringify(this.exit)}) before logging ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no log matching ${pattern} within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: the process dies at once, mid-whatever, running no shutdown code. */
  async kill9(): Promise<Exit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<Exit> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.alive && this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

const running = new Set<WorkerProcess>();

/** Kills (SIGKILL) every worker this test file started that is still running: for afterAll, and after a failure. */
export async function killAllStartedWorkers(): Promise<void> {
  await Promise.all([...running].map((worker) => worker.kill9()));
}

// If the test process itself goes away (a crash, a timeout), take the workers it started with it.
process.once('exit', () => {
  for (const worker of running) if (worker.alive) worker.child.kill('SIGKILL');
});
