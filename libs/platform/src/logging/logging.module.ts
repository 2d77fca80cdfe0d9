import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { requestIdFor } from '../http/request-id';
import type { AppConfig } from '../config/app-config';

/**
 * Paths pino removes from every log line. Personal data (emails, names) and secrets (passwords,
 * tokens, cookies) never reach the logs (OWASP ASVS V7.1).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'newPassword', 'token', 'accessToken', 'refreshToken', 'email', 'givenName', 'familyName', 'lineManagerEmail'].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** Query parameters whose values identify a person or grant access; masked in logged URLs. */
const SENSITIVE_QUERY = /([?&](?:email|recipient|token|name)=)[^&]*/gi;

export function maskUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, '$1[REDACTED]');
}


@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, options: { http: boolean } = { http: true }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
            autoLogging: options.http ? { ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false } : false,
            genReqId: (req: IncomingMessage & { id?: unknown }) => (typeof req.id === 'string' ? req.id : requestIdFor(req)),
            serializers: {
              // IP addresses and user agents are personal data too; only what is needed to trace a request.
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskUrl(req.url) }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            ...(config.env === 'development' && process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
          },
        }),
      ],
    };
  }
}
