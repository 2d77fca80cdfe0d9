import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AppConfig } from '@slp/platform';
import { describeAuthenticators } from './demo-mfa';
import { listDemoAuthenticators, migrate, seedDemo } from './orm';
import { preflight } from './preflight';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seeders/demo-directory.data';

const DIST = join(__dirname, '..', '..');

/**
 * `npm run demo`: checks PostgreSQL and Redis, migrates, seeds demo data, then runs the portal,
 * the API and the worker together until Ctrl+C, printing where to go and how to sign in.
 */
export async function runDemo(config: AppConfig): Promise<number> {
  const problems = await preflight(config);
  if (problems.length) {
    console.error(`\nThe demo needs PostgreSQL and Redis.\n`);
    for (const problem of problems) console.error(`  ✗ ${problem.message}\n`);
    return 1;
  }
  console.log('✓ PostgreSQL and Redis are reachable');
  const applied = await migrate(config);
  console.log(`✓ Database migrated (${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'})`);
  await seedDemo(config);
  console.log('✓ Demo data seeded');

  // The apps run in the same mode as this command (development unless NODE_ENV says otherwise).
  const env = { ...process.env, NODE_ENV: config.env };
  const children: ChildProcess[] = [
    spawn(process.execPath, [join(DIST, 'web', 'src', 'main.js')], { stdio: 'inherit', env }),
    spawn(process.execPath, [join(DIST, 'api', 'src', 'main.js')], { stdio: 'inherit', env }),
    spawn(process.execPath, [join(DIST, 'worker', 'src', 'main.js')], { stdio: 'inherit', env }),
  ];
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const exited = Promise.race(children.map((child) => new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 0)))));
  const ready = (await waitForReady(`http://127.0.0.1:${config.http.port}/health/ready`, exited)) && (await waitForReady(`http://127.0.0.1:${config.web.port}/sign-in`, exited));
  if (ready) printWelcome(config, describeAuthenticators(await listDemoAuthenticators(config)));
  const code = await exited;
  stop('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  return stopping ? 0 : code || 1;
}

async function waitForReady(url: string, exited: Promise<number>): Promise<boolean> {
  let gaveUp = false;
  void exited.then(() => (gaveUp = true));
  for (let attempt = 0; attempt < 120 && !gaveUp; attempt++) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

function printWelcome(config: AppConfig, authenticators: string): void {
  // PUBLIC_URL is the portal's address; the API listens on PORT of the same host.
  const api = `${new URL(config.publicUrl).protocol}//${new URL(config.publicUrl).hostname}:${config.http.port}`;
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.email.length));
  console.log(`
Open the portal: ${config.publicUrl}
System Leadership Platform is running (demo data; Ctrl+C stops the portal, the API and the worker).

  Portal         ${config.publicUrl}
  API            ${api}/api/v1
  OpenAPI docs   ${api}/api/docs
  Health         ${api}/health/ready
  Emails         ${config.mail.smtpUrl ? `sent through ${new URL(config.mail.smtpUrl).host}` : `written as .eml files to ${config.mail.sinkDir}/`}

Demo sign-ins (demo only — never use these anywhere real), password: ${DEMO_PASSWORD}
${DEMO_ACCOUNTS.map((a) => `  ${a.email.padEnd(width)}  ${a.describe}`).join('\n')}

${authenticators}
Admins sign in in two steps: POST /api/v1/auth/login answers { mfaRequired, challengeToken }, then
POST /api/v1/auth/login/mfa with { challengeToken, code }.

Open ${config.publicUrl}/sign-in and sign in as one of them, or try the API:
      curl -s ${api}/api/v1/auth/login -H 'content-type: application/json' \\
        -d '{"email":"${DEMO_ACCOUNTS[0]!.email}","password":"${DEMO_PASSWORD}"}'
`);
}
