import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import csrfProtection from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import secureSession from '@fastify/secure-session';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, registerRequestHooks, requestIdFor, ROOT_LOGGER } from '@slp/platform';
import { isOneClickUnsubscribe } from './email-links/email-links.controller';
import { ASSETS_PREFIX, nhsukAssets, viewEngineOptions } from './http/views';
import { publicUrlIsHttps, SESSION_COOKIE, sessionKey, WebClock } from './http/web-session';
import { WebModule } from './web.module';

const BODY_LIMIT = 262_144;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface WebAppOptions {
  /** Where log lines go instead of stdout (tests read them). */
  readonly logDestination?: DestinationStream;
  /** The clock sessions are timed by (tests move it on to expire a session). */
  readonly clock?: WebClock;
}

/** Builds the portal (not yet listening): used by `main.ts`, the tests and the benchmark. */
export async function createWebApp(config: AppConfig, options: WebAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ trustProxy: config.http.trustProxy, bodyLimit: BODY_LIMIT, return503OnClosing: true, forceCloseConnections: 'idle', genReqId: requestIdFor });
  const app = await NestFactory.create<NestFastifyApplication>(WebModule.forRoot(config, options), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  // Every page is personal (who is signed in, their enrolments): never cached by a browser or proxy.
  registerRequestHooks(fastify, app.get(ROOT_LOGGER), { noStorePrefixes: [] });
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith(`${ASSETS_PREFIX}/`)) void reply.header('Cache-Control', 'no-store');
  });

  const https = publicUrlIsHttps(config);
  await app.register(helmet, {
    // A fresh nonce per response for the design system's inline scripts; nothing else inline (OWASP ASVS V14.4).
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        // The design system's Frutiger web font is served by NHS England for NHS services.
        fontSrc: ["'self'", 'https://assets.nhs.uk'],
        connectSrc: ["'self'"],
        // Signing out of a single sign-on session continues to the provider's end-session endpoint (a form's redirect).
        formAction: ["'self'", ...new Set(config.oidc.providers.map((provider) => new URL(provider.issuer).origin))],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  // Stateless: an encrypted, authenticated cookie (see README, "Portal sessions"); what it names is checked in PostgreSQL per request.
  await app.register(secureSession, {
    key: sessionKey(config),
    cookieName: SESSION_COOKIE,
    // An absolute bound; the idle timeout (WEB_SESSION_IDLE_MINUTES) is the guard's.
    expiry: 12 * 60 * 60,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: https },
  });
  await app.register(csrfProtection, { sessionPlugin: '@fastify/secure-session' });
  // After the body is parsed, before any handler: a state-changing request without a valid token gets 403 and changes nothing.
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (SAFE_METHODS.has(request.method)) return done();
    // RFC 8058: a mail client's one-click unsubscribe carries no cookie or form token; the signed link is its authority.
    if (request.routeOptions.url === '/unsubscribe' && isOneClickUnsubscribe(request.body)) return done();
    fastify.csrfProtection(request, reply, done);
  });

  const assets = nhsukAssets();
  await app.register(fastifyStatic, { root: assets.root, prefix: `${ASSETS_PREFIX}/`, allowedPath: assets.allowedPath, maxAge: '1d', index: false, wildcard: true });
  app.setViewEngine(viewEngineOptions(config) as never);

  await app.init();
  await fastify.ready();
  return app;
}
