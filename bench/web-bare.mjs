#!/usr/bin/env node
/**
 * The benchmark's baseline (started by web.bench.mjs, not on its own): a bare Fastify server
 * rendering the portal's own Nunjucks templates, through @fastify/view configured exactly as the
 * portal configures it, with view models built from the same data — no session, no database, no
 * Nest, no CSRF, no security headers. What the portal does beyond this is its cost.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const Fastify = require('fastify');
const view = require('@fastify/view');
const { viewEngineOptions } = require(path.join(ROOT, 'dist/apps/web/src/http/views.js'));

const models = JSON.parse(readFileSync(process.env.BENCH_BARE_MODELS, 'utf8'));
const app = Fastify({ logger: false });
await app.register(view, viewEngineOptions({ env: 'production' }));
const layout = () => ({ errorList: [], fieldErrors: {}, signedIn: true, isStaff: false, cspNonce: randomBytes(16).toString('hex'), csrfToken: randomBytes(24).toString('base64url') });
app.get('/learning', (_request, reply) => reply.header('Content-Type', 'text/html; charset=utf-8').view('learning/show.njk', { ...models.learning, ...layout() }));
app.get('/cohort', (_request, reply) => reply.header('Content-Type', 'text/html; charset=utf-8').view('cohorts/show.njk', { ...models.cohort, ...layout() }));
await app.listen({ port: Number(process.env.BENCH_BARE_PORT), host: '127.0.0.1' });
process.stdout.write('bare server ready\n');
