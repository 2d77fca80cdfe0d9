import { z } from 'zod';

/**
 * The platform's configuration, validated once at boot. Nothing else reads `process.env`:
 * modules receive this typed object through {@link APP_CONFIG}.
 */
export interface AppConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly http: {
    readonly port: number;
    /** Origins allowed by CORS; empty means CORS is off. */
    readonly corsOrigins: readonly string[];
    /** Trust X-Forwarded-For from a reverse proxy (needed for per-IP rate limits behind one). */
    readonly trustProxy: boolean;
  };
  readonly database: {
    readonly url: string;
    readonly replicaUrls: readonly string[];
    readonly poolMax: number;
    readonly debug: boolean;
  };
  readonly redis: {
    readonly url: string;
    /** Key prefix for everything this platform keeps in Redis (queues, rate limits). */
    readonly prefix: string;
  };
  readonly mail: {
    /** SMTP connection URL; undefined means the embedded `.eml` file sink. */
    readonly smtpUrl: string | undefined;
    readonly sinkDir: string;
    readonly from: string;
    /** Attempts per email before it is dead, with exponential backoff from `retryBaseMs`. */
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
    /** Emails one worker process sends at once (each holds a database connection while sending). */
    readonly concurrency: number;
  };
  readonly auth: {
    /** Secret: HMAC key for access tokens. */
    readonly jwtSecret: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlDays: number;
    readonly loginMaxFailuresPerAccount: number;
    readonly loginMaxAttemptsPerIp: number;
    readonly loginWindowSeconds: number;
  };
  readonly imports: {
    /** Largest upload accepted by `POST /imports`, in bytes. */
    readonly maxUploadBytes: number;
    /** ESR extract column names by platform field (ESR_COLUMN_MAP over the defaults). */
    readonly esrColumns: Readonly<Record<EsrField, string>>;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly publicUrl: string;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Fields an ESR people import reads; anything else in the extract (equality data included) is ignored. */
export const ESR_FIELDS = ['employeeNumber', 'givenName', 'familyName', 'email', 'staffGroup', 'jobRole', 'positionTitle', 'grade', 'organisationCode', 'primaryAssignment'] as const;
export type EsrField = (typeof ESR_FIELDS)[number];

/** Column names of the common ESR staff extract. */
export const DEFAULT_ESR_COLUMNS: Readonly<Record<EsrField, string>> = {
  employeeNumber: 'Employee Number',
  givenName: 'First Name',
  familyName: 'Last Name',
  email: 'Email Address',
  staffGroup: 'Staff Group',
  jobRole: 'Job Role',
  positionTitle: 'Position Title',
  grade: 'Grade',
  organisationCode: 'Organisation Code',
  primaryAssignment: 'Primary Assignment',
};

const esrColumnMap = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(ESR_FIELDS, { message: `keys must be among ${ESR_FIELDS.join(', ')}` }), z.string().trim().min(1, { message: "column names must not be empty" })))
  .transform((map) => ({ ...DEFAULT_ESR_COLUMNS, ...map }) as Record<EsrField, string>);

const DEV_JWT_SECRET = 'dev-only-jwt-secret-not-for-production-use-0000';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production'], { message: 'must be one of development, test, production' }).default('development'),
    PORT: integer(1, 65535).default(3000),
    CORS_ORIGINS: list.default([]),
    TRUST_PROXY: bool.default(false),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/leadership'),
    DATABASE_REPLICA_URLS: list.pipe(z.array(url(['postgres:', 'postgresql:']))).default([]),
    DATABASE_POOL_MAX: integer(1, 500).default(12),
    DATABASE_DEBUG: bool.default(false),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z.string().regex(/^[\w:{}-]+$/, { message: 'may contain letters, digits, _ - : { } only' }).default('slp'),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    MAIL_SINK_DIR: z.string().min(1).default('var/mail'),
    MAIL_FROM: z.string().min(3).default('System Leadership Platform <no-reply@leadership.localhost>'),
    MAIL_MAX_ATTEMPTS: integer(1, 50).default(8),
    MAIL_RETRY_BASE_MS: integer(10, 3_600_000).default(2000),
    MAIL_CONCURRENCY: integer(1, 100).default(16),
    JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    ACCESS_TOKEN_TTL_SECONDS: integer(60, 3600).default(900),
    REFRESH_TOKEN_TTL_DAYS: integer(1, 90).default(14),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: integer(1, 1000).default(5),
    LOGIN_MAX_ATTEMPTS_PER_IP: integer(1, 100000).default(50),
    LOGIN_WINDOW_SECONDS: integer(1, 86400).default(900),
    IMPORT_MAX_UPLOAD_BYTES: integer(1, 2_147_483_647).default(262_144_000),
    ESR_COLUMN_MAP: esrColumnMap.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    PUBLIC_URL: url(['http:', 'https:']).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.NODE_ENV === 'production' && env.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must not be the development default in production' });
    }
  });

/** Validates the environment into an {@link AppConfig}; throws {@link ConfigValidationError} naming each bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  // Treat empty strings as unset, as shells and compose files often export `VAR=`.
  const input = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigValidationError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const value = input[name];
        const shown = value === undefined || /SECRET|PASSWORD/.test(name) ? '' : ` (got "${withoutCredentials(value)}")`;
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    http: { port: env.PORT, corsOrigins: env.CORS_ORIGINS, trustProxy: env.TRUST_PROXY },
    database: { url: env.DATABASE_URL, replicaUrls: env.DATABASE_REPLICA_URLS, poolMax: env.DATABASE_POOL_MAX, debug: env.DATABASE_DEBUG },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    mail: { smtpUrl: env.SMTP_URL, sinkDir: env.MAIL_SINK_DIR, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS, retryBaseMs: env.MAIL_RETRY_BASE_MS, concurrency: env.MAIL_CONCURRENCY },
    auth: {
      jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      loginMaxFailuresPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginMaxAttemptsPerIp: env.LOGIN_MAX_ATTEMPTS_PER_IP,
      loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
    imports: { maxUploadBytes: env.IMPORT_MAX_UPLOAD_BYTES, esrColumns: env.ESR_COLUMN_MAP ?? DEFAULT_ESR_COLUMNS },
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
  };
}

/** A value as it may be shown in a message: passwords inside URLs are masked. */
function withoutCredentials(value: string): string {
  return value.replace(/(\/\/[^:/@\s]*):[^@/\s]*@/g, '$1:***@');
}

/** Where a database URL points, without credentials: safe for messages and logs. */
export function describeUrl(value: string): string {
  const parsed = new URL(value);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? 6379 : 5432)}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
}
