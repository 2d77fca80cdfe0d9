import { AxeBuilder } from '@axe-core/playwright';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer } from 'node:net';
import type { DestinationStream } from 'pino';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { AppConfig } from '@slp/platform';
import { createWebApp } from '../../apps/web/src/web.app';
import { testConfig } from './test-api';
import { createTestDatabase } from './test-database';

/** Debian's Chromium (`.ci/run` installs it with apt); playwright-core downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** WCAG 2.2 A and AA, as the portal promises (axe-core's tags for each level and version). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The server's session clock, moved on by tests (an idle session expires without waiting 30 minutes). */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestWeb {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly orm: MikroORM;
  readonly baseUrl: string;
  readonly clock: TestClock;
  /** A fresh EntityManager for arranging data and checking rows. */
  em(): EntityManager;
  /** Runs library services as a request would: in an EntityManager context of their own. */
  inContext<T>(work: () => Promise<T>): Promise<T>;
  url(path: string): string;
  close(): Promise<void>;
}

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

/**
 * The real portal (Fastify, PostgreSQL, Redis) in-process on a free port and its own database,
 * for one test file. PUBLIC_URL is its address, so links in emails point at it.
 */
export async function startTestWeb(overrides: Record<string, string> = {}, options: { logDestination?: DestinationStream } = {}): Promise<TestWeb> {
  const database = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig(database.url, { WEB_PORT: String(port), PUBLIC_URL: baseUrl, ...overrides });
  const clock = new TestClock();
  const app = await createWebApp(config, { clock: clock.now, logDestination: options.logDestination });
  await app.listen({ port, host: '127.0.0.1' });
  const orm = app.get<MikroORM>(MikroORM);
  return {
    app,
    config,
    orm,
    baseUrl,
    clock,
    em: () => orm.em.fork() as EntityManager,
    inContext: (work) => RequestContext.create(orm.em, work),
    url: (path) => `${baseUrl}${path}`,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

/**
 * A browser context of its own (cookies included), with or without JavaScript. Requests leave
 * for nowhere but the portal: the NHS web font host is unreachable here, so it is refused at
 * once rather than timed out.
 */
export async function newContext(browser: Browser, web: TestWeb, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const javaScriptEnabled = options.javaScriptEnabled ?? true;
  const context = await browser.newContext({ baseURL: web.baseUrl, javaScriptEnabled, locale: 'en-GB', timezoneId: 'Europe/London' });
  if (!javaScriptEnabled) withoutJavaScript.add(context);
  context.setDefaultTimeout(10_000);
  await context.route((url) => url.origin !== web.baseUrl, (route) => route.abort());
  return context;
}

const withoutJavaScript = new WeakSet<BrowserContext>();
const checkers = new WeakMap<Browser, BrowserContext>();

/**
 * Fails with the list of WCAG 2.2 A/AA violations axe-core finds on the page as it is now. axe
 * runs as a script, which a page without JavaScript cannot: that page's HTML is checked as it
 * is, at its own address (so its styles apply), in a context that runs axe but none of the
 * page's own scripts.
 */
export async function expectAccessible(page: Page): Promise<void> {
  let target = page;
  let done = async () => undefined as void;
  if (withoutJavaScript.has(page.context())) {
    const browser = page.context().browser()!;
    let checker = checkers.get(browser);
    if (!checker) {
      checker = await browser.newContext({ locale: 'en-GB' });
      checkers.set(browser, checker);
    }
    const html = await page.content();
    const url = page.url();
    target = await checker.newPage();
    await target.route('**/*', async (route) => {
      if (route.request().url() === url) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': "script-src 'none'" }, body: html });
      if (new URL(route.request().url()).origin === new URL(url).origin) return route.continue();
      return route.abort();
    });
    await target.goto(url);
    done = () => target.close();
  }
  const results = await new AxeBuilder({ page: target }).withTags(WCAG_TAGS).analyze();
  await done();
  const violations = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect({ url: page.url(), violations }).toEqual({ url: page.url(), violations: [] });
}

/** Signs in through the sign-in page as a person would. */
export async function signInThroughPage(page: Page, credentials: { email: string; password: string }, path = '/sign-in'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Email address').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
