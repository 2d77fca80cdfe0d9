import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from '@fastify/helmet';
import type { Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig, clientErrorsAsProblems, frameworkErrorsAsProblems, InputValidationPipe, InvalidInputError, jsonDepth, MAX_JSON_DEPTH, ProblemDetailsFilter, registerRequestHooks, requestIdFor, ROOT_LOGGER } from '@slp/platform';
import { ApiModule } from './api.module';
import { mountQueueDashboard, QUEUE_DASHBOARD_PATH } from './notifications/queue-dashboard';

export const API_PREFIX = 'api/v1';

const BODY_LIMIT = 1_048_576;

export interface ApiAppOptions {
  /** Where log lines go instead of stdout (tests read them). */
  readonly logDestination?: DestinationStream;
}

/** Builds the HTTP application (not yet listening): used by `main.ts` and by the tests. */
export async function createApiApp(config: AppConfig, options: ApiAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: config.http.trustProxy,
    bodyLimit: BODY_LIMIT,
    // While shutting down, new requests get 503 so a load balancer moves on.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: requestIdFor,
    // What Fastify and Node refuse before any route runs (an over-long path segment, a request
    // line over 16 KB, malformed HTTP) still answers problem+json.
    frameworkErrors: frameworkErrorsAsProblems,
    clientErrorHandler: clientErrorsAsProblems,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, { logDestination: options.logDestination }), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  // Before any route or plugin, so every request (not only Nest's) is tagged, logged and, where personal, not cached.
  registerRequestHooks(app.getHttpAdapter().getInstance(), app.get(ROOT_LOGGER), { noStorePrefixes: [`/${API_PREFIX}`, QUEUE_DASHBOARD_PATH] });

  await app.register(helmet, {
    // Swagger UI at /api/docs needs its own inline styles; nothing else is served as HTML.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"] } },
  });
  if (config.http.corsOrigins.length) app.enableCors({ origin: [...config.http.corsOrigins], credentials: false });

  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'health/{*path}', method: RequestMethod.ALL }] });
  app.useGlobalPipes(new InputValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  // JSON and form posts (Nest parses both; RFC 8058 one-click unsubscribe is a form post); any other
  // body type is a 415 rather than a string handed to the validators.
  app.getHttpAdapter().getInstance().removeContentTypeParser(['text/plain']);
  // CSV uploads (imports) reach the route as the request stream itself: the file is stored as it
  // arrives, never held whole in memory, and its size limit (IMPORT_MAX_UPLOAD_BYTES) is the import's.
  app.getHttpAdapter().getInstance().addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
  // Fastify's JSON parser (prototype poisoning refused), then a depth limit, so no route (with a
  // DTO or not) hands deeply nested JSON to code that recurses over it.
  const defaultJsonParser = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<Server>('application/json', { bodyLimit: BODY_LIMIT }, (request, body, done) => {
    defaultJsonParser(request, body.toString('utf8'), (error, parsed) => {
      if (error) return done(error, undefined);
      if (jsonDepth(parsed) > MAX_JSON_DEPTH) {
        return done(new InvalidInputError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: 'body', message: `body must not nest deeper than ${MAX_JSON_DEPTH} levels` }]), undefined);
      }
      done(null, parsed);
    });
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('System Leadership Platform API')
      .setDescription('Leadership programmes, cohorts and the talent pipeline for England’s health and care systems. Errors are RFC 9457 problem+json.')
      .setVersion('1')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  await app.init();
  await mountQueueDashboard(app, config);
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
