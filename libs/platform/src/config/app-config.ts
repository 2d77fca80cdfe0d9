import { accessSync, constants as fsConstants } from 'node:fs';
import { z } from 'zod';
import { Role, ROLES } from '../auth/principal';

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
    /** Streaming replicas that report and export queries may read (nothing else does). */
    readonly replicaUrls: readonly string[];
    /** A replica further behind than this is skipped and reports read the primary. */
    readonly replicaMaxLagSeconds: number;
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
    /** Wrong passwords for one account from one client IP per window before that pair is refused. */
    readonly loginMaxFailuresPerAccountAndIp: number;
    /** Wrong passwords for one account from all IPs per window before the account is refused (softer). */
    readonly loginMaxFailuresPerAccount: number;
    /** Wrong passwords from one client IP, whichever accounts, per window. Successes never count. */
    readonly loginMaxFailuresPerIp: number;
    /** Account-wide failures in a window at which the account holder is emailed, once per window. */
    readonly loginAlertAfterFailures: number;
    readonly loginWindowSeconds: number;
    /** Registrations per client IP, and from everyone together, per window (each costs an argon2 hash). */
    readonly registerMaxPerIp: number;
    readonly registerMaxGlobal: number;
    readonly registerWindowSeconds: number;
    /** Verification emails an account may ask to be re-sent per hour. */
    readonly verificationResendMaxPerHour: number;
    /** Roles whose sessions reach only /me and the MFA set-up until they sign in with a second factor. */
    readonly mfaRequiredRoles: readonly Role[];
    /** Secret: input keying material for the key that encrypts TOTP secrets at rest (HKDF-SHA256). */
    readonly mfaEncryptionKey: string;
    /** Password-reset emails one client IP may ask for per hour (the answer is 202 either way). */
    readonly passwordResetMaxPerIp: number;
  };
  readonly retention: {
    /** People with no activity for this many years are erased by the weekly retention job. */
    readonly inactiveYears: number;
    /** Days after sending that an email's template data snapshot is cleared. */
    readonly notificationPayloadDays: number;
  };
  readonly imports: {
    /** Largest upload accepted by `POST /imports`, in bytes. */
    readonly maxUploadBytes: number;
    /** ESR extract column names by platform field (ESR_COLUMN_MAP over the defaults). */
    readonly esrColumns: Readonly<Record<EsrField, string>>;
  };
  readonly web: {
    /** Port of the portal (apps/web). */
    readonly port: number;
    /** Secret: key material for the encrypted session cookie (HKDF); falls back to the JWT secret. */
    readonly sessionSecret: string;
    /** A signed-in browser left this long without a request is signed out. */
    readonly sessionIdleMinutes: number;
  };
  /** Single sign-on (OpenID Connect) in the portal: one entry per name in OIDC_PROVIDERS, in that order. */
  readonly oidc: { readonly providers: readonly OidcProviderConfig[] };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The portal's address (apps/web): every link in an email points here. */
  readonly publicUrl: string;
}

/** One OpenID Provider the portal signs people in with (`OIDC_<NAME>_*`). */
export interface OidcProviderConfig {
  /** Lower-case name, as in OIDC_PROVIDERS and the paths `/sign-in/oidc/<name>`. */
  readonly name: string;
  /** The issuer identifier; its discovery document is `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  /** Secret: client_secret_basic. Exactly one of this and `privateKeyFile`. */
  readonly clientSecret: string | undefined;
  /** A PKCS#8 PEM private key (RSA or EC) for private_key_jwt client authentication. */
  readonly privateKeyFile: string | undefined;
  /** The key's `kid` at the provider, when it holds more than one for this client. */
  readonly privateKeyId: string | undefined;
  /** Shown on the button: "Sign in with <label>". */
  readonly label: string;
  readonly scopes: readonly string[];
  readonly acrValues: string | undefined;
  /** `acr` values that count as multi-factor (the session's amr then includes `mfa`). */
  readonly mfaAcr: readonly string[];
  /** Entra ID: the tenants (`tid`) whose people may sign in; empty means any the issuer vouches for. */
  readonly allowedTenants: readonly string[];
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
  .pipe(
    z.partialRecord(z.enum(ESR_FIELDS), z.string().trim().min(1, { message: 'column names must not be empty' }), {
      // Zod reports an unknown key on the record itself, not on the key's enum.
      // (Its declared issue types leave that code out, hence the widening.)
      error: (issue) => {
        const raw = issue as { code: string; keys?: string[] };
        return raw.code === 'unrecognized_keys' ? `keys must be among ${ESR_FIELDS.join(', ')} (not ${(raw.keys ?? []).join(', ')})` : undefined;
      },
    }),
  )
  .transform((map) => ({ ...DEFAULT_ESR_COLUMNS, ...map }) as Record<EsrField, string>);

const DEV_JWT_SECRET = 'dev-only-jwt-secret-not-for-production-use-0000';

const JWT_SECRET_REQUIRED =
  'is required unless NODE_ENV is development or test (NODE_ENV is production, which is also what unset means): set a random secret of 32+ characters, e.g. `openssl rand -hex 32`, or NODE_ENV=development on a developer machine';

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
    // Unset means production: a server started without saying otherwise must not run on the
    // public development secret (OWASP ASVS V14.1, secure defaults).
    NODE_ENV: z.enum(['development', 'test', 'production'], { message: 'must be one of development, test, production' }).default('production'),
    PORT: integer(1, 65535).default(3000),
    CORS_ORIGINS: list.default([]),
    TRUST_PROXY: bool.default(false),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/leadership'),
    DATABASE_REPLICA_URLS: list.pipe(z.array(url(['postgres:', 'postgresql:']))).default([]),
    DATABASE_POOL_MAX: integer(1, 500).default(12),
    REPLICA_MAX_LAG_SECONDS: integer(1, 86_400).default(30),
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
    LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: integer(1, 1000).default(5),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: integer(1, 100000).default(50),
    LOGIN_MAX_FAILURES_PER_IP: integer(1, 1000000).default(100),
    LOGIN_ALERT_AFTER_FAILURES: integer(1, 100000).default(10),
    LOGIN_WINDOW_SECONDS: integer(1, 86400).default(900),
    REGISTER_MAX_PER_IP: integer(1, 100000).default(10),
    REGISTER_MAX_GLOBAL: integer(1, 10000000).default(300),
    REGISTER_WINDOW_SECONDS: integer(1, 86400).default(3600),
    EMAIL_VERIFICATION_RESEND_MAX_PER_HOUR: integer(1, 100).default(3),
    // `none` turns the rule off (an empty value means unset, as everywhere here, so the default applies).
    MFA_REQUIRED_ROLES: z
      .string()
      .transform((v) => (v.trim() === 'none' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean)))
      .pipe(z.array(z.enum(ROLES, { message: `must list roles among ${ROLES.join(', ')}, or be none` })))
      .default(['admin']),
    MFA_ENCRYPTION_KEY: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    PASSWORD_RESET_MAX_PER_IP: integer(1, 100000).default(10),
    // The NHS Records Management Code keeps "other training records" 6 years; an organisation's IG lead may choose otherwise.
    RETENTION_INACTIVE_YEARS: integer(1, 100).default(6),
    NOTIFICATION_PAYLOAD_DAYS: integer(1, 3650).default(90),
    IMPORT_MAX_UPLOAD_BYTES: integer(1, 2_147_483_647).default(262_144_000),
    ESR_COLUMN_MAP: esrColumnMap.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    PUBLIC_URL: url(['http:', 'https:']).optional(),
    WEB_PORT: integer(1, 65535).default(3001),
    WEB_SESSION_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    WEB_SESSION_IDLE_MINUTES: integer(1, 1440).default(30),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: JWT_SECRET_REQUIRED });
    }
    if (env.NODE_ENV === 'production' && env.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must not be the development default in production' });
    }
    if (env.NODE_ENV === 'production' && env.MFA_ENCRYPTION_KEY && env.MFA_ENCRYPTION_KEY === env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['MFA_ENCRYPTION_KEY'], message: 'must differ from JWT_SECRET (leave it unset to derive a separate key from JWT_SECRET)' });
    }
    if (env.LOGIN_ALERT_AFTER_FAILURES > env.LOGIN_MAX_FAILURES_PER_ACCOUNT) {
      ctx.addIssue({ code: 'custom', path: ['LOGIN_ALERT_AFTER_FAILURES'], message: `must be at most LOGIN_MAX_FAILURES_PER_ACCOUNT (${env.LOGIN_MAX_FAILURES_PER_ACCOUNT}), or the alert would never be sent` });
    }
    if (env.LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP > env.LOGIN_MAX_FAILURES_PER_ACCOUNT) {
      ctx.addIssue({ code: 'custom', path: ['LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP'], message: `must be at most LOGIN_MAX_FAILURES_PER_ACCOUNT (${env.LOGIN_MAX_FAILURES_PER_ACCOUNT})` });
    }
    if (env.REGISTER_MAX_PER_IP > env.REGISTER_MAX_GLOBAL) {
      ctx.addIssue({ code: 'custom', path: ['REGISTER_MAX_PER_IP'], message: `must be at most REGISTER_MAX_GLOBAL (${env.REGISTER_MAX_GLOBAL})` });
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
        const shown = value === undefined || /SECRET|PASSWORD|KEY/.test(name) ? '' : ` (got "${withoutCredentials(value)}")`;
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  const oidcProviders = loadOidcProviders(input, env.NODE_ENV);
  return {
    env: env.NODE_ENV,
    http: { port: env.PORT, corsOrigins: env.CORS_ORIGINS, trustProxy: env.TRUST_PROXY },
    database: { url: env.DATABASE_URL, replicaUrls: env.DATABASE_REPLICA_URLS, replicaMaxLagSeconds: env.REPLICA_MAX_LAG_SECONDS, poolMax: env.DATABASE_POOL_MAX, debug: env.DATABASE_DEBUG },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    mail: { smtpUrl: env.SMTP_URL, sinkDir: env.MAIL_SINK_DIR, from: env.MAIL_FROM, maxAttempts: env.MAIL_MAX_ATTEMPTS, retryBaseMs: env.MAIL_RETRY_BASE_MS, concurrency: env.MAIL_CONCURRENCY },
    auth: {
      jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      loginMaxFailuresPerAccountAndIp: env.LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP,
      loginMaxFailuresPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginMaxFailuresPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
      loginAlertAfterFailures: env.LOGIN_ALERT_AFTER_FAILURES,
      loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
      registerMaxPerIp: env.REGISTER_MAX_PER_IP,
      registerMaxGlobal: env.REGISTER_MAX_GLOBAL,
      registerWindowSeconds: env.REGISTER_WINDOW_SECONDS,
      verificationResendMaxPerHour: env.EMAIL_VERIFICATION_RESEND_MAX_PER_HOUR,
      mfaRequiredRoles: [...new Set(env.MFA_REQUIRED_ROLES)],
      // Unset: keyed from JWT_SECRET, but through HKDF with its own label, so the two keys are unrelated.
      mfaEncryptionKey: env.MFA_ENCRYPTION_KEY ?? env.JWT_SECRET ?? DEV_JWT_SECRET,
      passwordResetMaxPerIp: env.PASSWORD_RESET_MAX_PER_IP,
    },
    retention: { inactiveYears: env.RETENTION_INACTIVE_YEARS, notificationPayloadDays: env.NOTIFICATION_PAYLOAD_DAYS },
    imports: { maxUploadBytes: env.IMPORT_MAX_UPLOAD_BYTES, esrColumns: env.ESR_COLUMN_MAP ?? DEFAULT_ESR_COLUMNS },
    oidc: { providers: oidcProviders },
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    web: { port: env.WEB_PORT, sessionSecret: env.WEB_SESSION_SECRET ?? env.JWT_SECRET ?? DEV_JWT_SECRET, sessionIdleMinutes: env.WEB_SESSION_IDLE_MINUTES },
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.WEB_PORT}`).replace(/\/+$/, ''),
  };
}

const OIDC_NAME = /^[a-z][a-z0-9_]{0,30}$/;
const OIDC_SUFFIXES = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'PRIVATE_KEY_FILE', 'PRIVATE_KEY_ID', 'LABEL', 'SCOPES', 'ACR_VALUES', 'MFA_ACR', 'ALLOWED_TENANTS'] as const;

/**
 * OIDC_PROVIDERS and each provider's OIDC_<NAME>_* variables (names are dynamic, so they are read
 * here rather than in the fixed schema). Every problem is reported at once, as for the rest.
 */
function loadOidcProviders(input: Record<string, string | undefined>, nodeEnv: AppConfig['env']): OidcProviderConfig[] {
  const names = (input.OIDC_PROVIDERS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const problems: string[] = [];
  const providers: OidcProviderConfig[] = [];
  if (new Set(names).size !== names.length) problems.push('OIDC_PROVIDERS must not name a provider twice');
  for (const name of new Set(names)) {
    if (!OIDC_NAME.test(name)) {
      problems.push(`OIDC_PROVIDERS names must be letters, digits and _, starting with a letter (got "${name}")`);
      continue;
    }
    const key = (suffix: (typeof OIDC_SUFFIXES)[number]) => `OIDC_${name.toUpperCase()}_${suffix}`;
    const value = (suffix: (typeof OIDC_SUFFIXES)[number]) => input[key(suffix)]?.trim() || undefined;
    const words = (suffix: (typeof OIDC_SUFFIXES)[number]) => (value(suffix) ?? '').split(/[\s,]+/).filter(Boolean);
    const issuer = value('ISSUER');
    if (!issuer) problems.push(`${key('ISSUER')} is required for the provider "${name}" in OIDC_PROVIDERS`);
    else {
      let protocol = '';
      try {
        protocol = new URL(issuer).protocol;
      } catch {
        // reported below
      }
      // Plain HTTP only on a developer's machine (a local provider); tests use HTTPS like production.
      const allowed = nodeEnv === 'development' ? ['https:', 'http:'] : ['https:'];
      if (!allowed.includes(protocol)) problems.push(`${key('ISSUER')} must be a URL starting with ${allowed.map((p) => `${p}//`).join(' or ')} (got "${withoutCredentials(issuer)}")`);
    }
    const clientId = value('CLIENT_ID');
    if (!clientId) problems.push(`${key('CLIENT_ID')} is required for the provider "${name}" in OIDC_PROVIDERS`);
    const clientSecret = value('CLIENT_SECRET');
    const privateKeyFile = value('PRIVATE_KEY_FILE');
    if (clientSecret && privateKeyFile) problems.push(`${key('CLIENT_SECRET')} and ${key('PRIVATE_KEY_FILE')} must not both be set: choose one client authentication (private_key_jwt is preferred)`);
    if (!clientSecret && !privateKeyFile) problems.push(`${key('PRIVATE_KEY_FILE')} (private_key_jwt, preferred) or ${key('CLIENT_SECRET')} is required for the provider "${name}"`);
    if (privateKeyFile) {
      try {
        accessSync(privateKeyFile, fsConstants.R_OK);
      } catch {
        problems.push(`${key('PRIVATE_KEY_FILE')} must be a readable file (got "${privateKeyFile}")`);
      }
    }
    const scopes = value('SCOPES') ? words('SCOPES') : ['openid', 'profile', 'email'];
    if (!scopes.includes('openid')) problems.push(`${key('SCOPES')} must include openid (got "${scopes.join(' ')}")`);
    providers.push({
      name,
      issuer: issuer ?? '',
      clientId: clientId ?? '',
      clientSecret,
      privateKeyFile,
      privateKeyId: value('PRIVATE_KEY_ID'),
      label: value('LABEL') ?? name,
      scopes,
      acrValues: value('ACR_VALUES'),
      mfaAcr: words('MFA_ACR'),
      allowedTenants: words('ALLOWED_TENANTS').map((t) => t.toLowerCase()),
    });
  }
  if (problems.length) throw new ConfigValidationError(problems);
  return providers;
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
