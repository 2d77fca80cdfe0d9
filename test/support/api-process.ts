import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built API (`npm test` builds first): what production runs, OpenAPI plugin metadata included. */
export const BUILT_API = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The built API as its own process on a free port, for black-box tests over real HTTP. */
export class ApiProcess {
  output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
  }

  /** Starts it with exactly `env` (plus PATH and a free PORT) and waits until /health/live answers. */
  static async start(env: Record<string, string>, timeoutMs = 30_000): Promise<ApiProcess> {
    if (!existsSync(BUILT_API)) throw new Error(`${BUILT_API} is missing: run \`npm run build\` first (npm test does).`);
    const port = await freePort();
    const child = spawn(process.execPath, [BUILT_API], { env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) before it was ready\n${api.output}`);
      const ready = await fetch(`${api.url}/health/live`).then((r) => r.ok, () => false);
      if (ready) return api;
      if (Date.now() > deadline) throw new Error(`the API did not answer within ${timeoutMs} ms\n${api.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM (the API drains and exits), then SIGKILL if it has not gone within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
