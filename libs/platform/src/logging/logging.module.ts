import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { DestinationStream, Logger as PinoInstance } from 'pino';
import type { IncomingMessage } from 'node:http';
import { requestIdFor } from '../http/request-id';
import type { AppConfig } from '../config/app-config';
import { CENSOR, maskUrl, scrubbedErrorSerializer, scrubLogObject, scrubText } from './log-redaction';

export { maskUrl } from './log-redaction';

/** The application's one pino logger: Nest's logger writes through it, and so does the request log. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * Paths pino removes from every log line, whatever else is scrubbed: the credentials a request
 * carries (OWASP ASVS V7.1). Everything else is caught by key name or value shape at any depth
 * (see log-redaction.ts).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'newPassword', 'token', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'jwt', 'apiKey', 'email', 'givenName', 'familyName', 'lineManagerEmail'].flatMap((key) => [
    key,
    `*.${key}`,
    `*.*.${key}`,
  ]),
];

export interface LoggingOptions {
  /** Where log lines go instead of stdout (tests read them). */
  readonly destination?: DestinationStream;
}

/** The root logger: level, redaction by path, key and value shape, and the request/response shapes. */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): PinoInstance {
  const pretty = !destination && config.env === 'development' && process.stdout.isTTY;
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    formatters: { log: (object) => scrubLogObject(object) },
    serializers: {
      // IP addresses and user agents are personal data too; only what is needed to trace a request.
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: scrubbedErrorSerializer,
      msg: (message: unknown) => (typeof message === 'string' ? scrubText(message) : message),
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, options: LoggingOptions = {}): DynamicModule {
    const root = createRootLogger(config, options.destination);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: root,
            // Requests are logged by the API's Fastify hooks, for every route (registerRequestHooks);
            // this middleware only binds the request id to what Nest code logs while serving one.
            autoLogging: false,
            quietReqLogger: true,
            genReqId: (req: IncomingMessage & { id?: unknown }) => (typeof req.id === 'string' ? req.id : requestIdFor(req)),
          },
        }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: root }],
      exports: [ROOT_LOGGER],
    };
  }
}
