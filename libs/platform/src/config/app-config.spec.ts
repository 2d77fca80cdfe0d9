import { ConfigValidationError, loadConfig } from './app-config';

const LONG_SECRET = 'a-production-secret-that-is-long-enough-0123456789';
const DEV = { NODE_ENV: 'development' };
const REQUIRED = /^JWT_SECRET is required unless NODE_ENV is development or test/;

/** The problems loadConfig reports for `env`; fails the test if it accepts the environment. */
function problemsFor(env: Record<string, string | undefined>): { error: ConfigValidationError; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return { error: error as ConfigValidationError, message: (error as Error).message };
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('runs on port 3000 against the local leadership database and Redis when nothing else is set', () => {
      const config = loadConfig({ JWT_SECRET: LONG_SECRET });

      expect(config.env).toBe('production');
      expect(config.http.port).toBe(3000);
      expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/leadership');
      expect(config.redis.url).toBe('redis://127.0.0.1:6379');
      // PUBLIC_URL is the portal: emails link to its pages.
      expect(config.publicUrl).toBe('http://localhost:3001');
      expect(config.web).toEqual({ port: 3001, sessionSecret: LONG_SECRET, sessionIdleMinutes: 30 });
    });

    it('keys the portal session with WEB_SESSION_SECRET when set and takes the idle timeout from WEB_SESSION_IDLE_MINUTES', () => {
      const config = loadConfig({ NODE_ENV: 'test', WEB_SESSION_SECRET: 'w'.repeat(40), WEB_SESSION_IDLE_MINUTES: '5', WEB_PORT: '4001' });
      expect(config.web).toEqual({ port: 4001, sessionSecret: 'w'.repeat(40), sessionIdleMinutes: 5 });
      expect(config.publicUrl).toBe('http://localhost:4001');
      expect(() => loadConfig({ NODE_ENV: 'test', WEB_SESSION_SECRET: 'short' })).toThrow(/WEB_SESSION_SECRET must be at least 32 characters/);
      expect(() => loadConfig({ NODE_ENV: 'test', WEB_SESSION_IDLE_MINUTES: '0' })).toThrow(/WEB_SESSION_IDLE_MINUTES must be at least 1/);
    });

    it('reads no replica and allows a replica 30 seconds behind unless told otherwise', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).database).toMatchObject({ replicaUrls: [], replicaMaxLagSeconds: 30 });
      expect(loadConfig({ NODE_ENV: 'test', DATABASE_REPLICA_URLS: 'postgres://r1/leadership', REPLICA_MAX_LAG_SECONDS: '5' }).database).toMatchObject({ replicaUrls: ['postgres://r1/leadership'], replicaMaxLagSeconds: 5 });
    });

    it('writes mail to the var/mail sink when SMTP_URL is unset', () => {
      const config = loadConfig(DEV);

      expect(config.mail.smtpUrl).toBeUndefined();
      expect(config.mail.sinkDir).toBe('var/mail');
    });

    it('is silent in test and logs at info elsewhere unless LOG_LEVEL says otherwise', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
      expect(loadConfig(DEV).logLevel).toBe('info');
      expect(loadConfig({ JWT_SECRET: LONG_SECRET }).logLevel).toBe('info');
      expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    });

    it('keeps inactive people 6 years and email payloads 90 days unless told otherwise', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).retention).toEqual({ inactiveYears: 6, notificationPayloadDays: 90 });
      expect(loadConfig({ NODE_ENV: 'test', RETENTION_INACTIVE_YEARS: '8', NOTIFICATION_PAYLOAD_DAYS: '30' }).retention).toEqual({ inactiveYears: 8, notificationPayloadDays: 30 });
    });

    it('reads the values it is given into typed settings', () => {
      const config = loadConfig({ PORT: '8080', SMTP_URL: 'smtp://mail.example:2525', TRUST_PROXY: 'true', CORS_ORIGINS: 'https://a.example, https://b.example', NODE_ENV: 'production', JWT_SECRET: LONG_SECRET });

      expect(config.http).toEqual({ port: 8080, trustProxy: true, corsOrigins: ['https://a.example', 'https://b.example'] });
      expect(config.mail.smtpUrl).toBe('smtp://mail.example:2525');
      expect(config.auth.jwtSecret).toBe(LONG_SECRET);
    });
  });

  describe('invalid values', () => {
    it.each([
      ['PORT', 'abc', /PORT must be a whole number/],
      ['PORT', '70000', /PORT must be at most 65535/],
      ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//],
      ['REDIS_URL', 'nope', /REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//],
      ['NODE_ENV', 'staging', /NODE_ENV must be one of development, test, production/],
      ['JWT_SECRET', 'too-short', /JWT_SECRET must be at least 32 characters/],
      ['RETENTION_INACTIVE_YEARS', '0', /RETENTION_INACTIVE_YEARS must be at least 1/],
      ['NOTIFICATION_PAYLOAD_DAYS', 'ninety', /NOTIFICATION_PAYLOAD_DAYS must be a whole number/],
      ['REPLICA_MAX_LAG_SECONDS', '0', /REPLICA_MAX_LAG_SECONDS must be at least 1/],
      ['REPLICA_MAX_LAG_SECONDS', '2.5', /REPLICA_MAX_LAG_SECONDS must be a whole number/],
    ])('rejects %s=%s, naming the variable and what is wrong', (name, value, expected) => {
      const { error, message } = problemsFor({ ...DEV, [name]: value });

      expect(message).toMatch(expected);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^${name} `));
    });

    it('shows the rejected value of an ordinary setting so the operator can spot the typo', () => {
      expect(problemsFor({ ...DEV, PORT: 'abc' }).message).toContain('"abc"');
    });

    it('refuses to start in production without JWT_SECRET', () => {
      const { error, message } = problemsFor({ NODE_ENV: 'production' });

      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(REQUIRED);
      expect(message).toContain('JWT_SECRET');
    });

    it('counts an unset NODE_ENV as production, so a server started bare never signs with the development secret', () => {
      const { error } = problemsFor({});

      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(REQUIRED);
    });

    it('uses the development secret only when NODE_ENV says development or test', () => {
      expect(loadConfig(DEV).auth.jwtSecret).toMatch(/^dev-only/);
      expect(loadConfig({ NODE_ENV: 'test' }).auth.jwtSecret).toMatch(/^dev-only/);
    });

    it('refuses the development secret in production', () => {
      expect(problemsFor({ NODE_ENV: 'production', JWT_SECRET: loadConfig(DEV).auth.jwtSecret }).error.problems).toEqual(['JWT_SECRET must not be the development default in production']);
    });

    it('starts in production once a long enough JWT_SECRET is set', () => {
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET }).env).toBe('production');
    });

    it('lists every problem at once rather than one per attempt', () => {
      const { error } = problemsFor({ NODE_ENV: 'production', PORT: 'abc', REDIS_URL: 'nope', DATABASE_URL: 'mysql://x' });

      expect(error.problems).toHaveLength(4);
      const names = error.problems.map((problem) => problem.split(' ')[0]).sort();
      expect(names).toEqual(['DATABASE_URL', 'JWT_SECRET', 'PORT', 'REDIS_URL']);
    });
  });

  describe('sign-in and registration limits', () => {
    it('defaults to failures only: 5 per account and address, 50 per account, 100 per address, alert at 10, in 15 minutes', () => {
      const { auth } = loadConfig({ NODE_ENV: 'test' });

      expect(auth).toMatchObject({ loginMaxFailuresPerAccountAndIp: 5, loginMaxFailuresPerAccount: 50, loginMaxFailuresPerIp: 100, loginAlertAfterFailures: 10, loginWindowSeconds: 900 });
      expect(auth).toMatchObject({ registerMaxPerIp: 10, registerMaxGlobal: 300, registerWindowSeconds: 3600, verificationResendMaxPerHour: 3 });
    });

    it('refuses limits that contradict each other, naming the variable', () => {
      expect(problemsFor({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '20', LOGIN_ALERT_AFTER_FAILURES: '30' }).message).toContain('LOGIN_ALERT_AFTER_FAILURES must be at most LOGIN_MAX_FAILURES_PER_ACCOUNT (20)');
      expect(problemsFor({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '4', LOGIN_ALERT_AFTER_FAILURES: '4' }).message).toContain('LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP must be at most LOGIN_MAX_FAILURES_PER_ACCOUNT (4)');
      expect(problemsFor({ REGISTER_MAX_PER_IP: '50', REGISTER_MAX_GLOBAL: '20' }).message).toContain('REGISTER_MAX_PER_IP must be at most REGISTER_MAX_GLOBAL (20)');
      expect(problemsFor({ REGISTER_MAX_PER_IP: '0' }).message).toContain('REGISTER_MAX_PER_IP must be at least 1');
    });
  });

  describe('multi-factor sign-in', () => {
    it('requires MFA of admins unless told otherwise, takes a list of roles, and none turns the rule off', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).auth.mfaRequiredRoles).toEqual(['admin']);
      expect(loadConfig({ NODE_ENV: 'test', MFA_REQUIRED_ROLES: '' }).auth.mfaRequiredRoles).toEqual(['admin']);
      expect(loadConfig({ NODE_ENV: 'test', MFA_REQUIRED_ROLES: 'admin, programme_lead,admin' }).auth.mfaRequiredRoles).toEqual(['admin', 'programme_lead']);
      expect(loadConfig({ NODE_ENV: 'test', MFA_REQUIRED_ROLES: 'none' }).auth.mfaRequiredRoles).toEqual([]);
      expect(problemsFor({ NODE_ENV: 'test', MFA_REQUIRED_ROLES: 'admin,superuser' }).message).toContain('MFA_REQUIRED_ROLES must list roles among participant, programme_lead, coach, admin, or be none');
    });

    it('keys TOTP encryption from MFA_ENCRYPTION_KEY, else from JWT_SECRET, never echoing it, and refuses the JWT secret itself in production', () => {
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET }).auth.mfaEncryptionKey).toBe(LONG_SECRET);
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET, MFA_ENCRYPTION_KEY: `${LONG_SECRET}-mfa` }).auth.mfaEncryptionKey).toBe(`${LONG_SECRET}-mfa`);
      expect(problemsFor({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET, MFA_ENCRYPTION_KEY: LONG_SECRET }).message).toContain('MFA_ENCRYPTION_KEY must differ from JWT_SECRET');
      const { message } = problemsFor({ ...DEV, MFA_ENCRYPTION_KEY: 'too-short-secret' });
      expect(message).toContain('MFA_ENCRYPTION_KEY must be at least 32 characters');
      expect(message).not.toContain('too-short-secret');
    });
  });

  describe('secrets', () => {
    it('never echoes a rejected JWT_SECRET', () => {
      const secret = 'hunter2-but-too-short';
      const { message } = problemsFor({ ...DEV, JWT_SECRET: secret });

      expect(message).toContain('JWT_SECRET');
      expect(message).not.toContain(secret);
    });

    it('never echoes passwords embedded in rejected connection URLs', () => {
      const { error, message } = problemsFor({
        ...DEV,
        DATABASE_URL: 'mysql://app:db-pass-s3cret@db.internal/leadership',
        REDIS_URL: 'http://:redis-pass-s3cret@cache.internal:6379',
        SMTP_URL: 'http://mailer:smtp-pass-s3cret@mail.internal',
        DATABASE_REPLICA_URLS: 'postgres://app@replica-1/leadership,mysql://app:replica-pass-s3cret@replica-2/leadership',
      });

      expect(error.problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['DATABASE_REPLICA_URLS', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL']);
      for (const secret of ['db-pass-s3cret', 'redis-pass-s3cret', 'smtp-pass-s3cret', 'replica-pass-s3cret']) expect(message).not.toContain(secret);
    });
  });

  describe('empty strings', () => {
    it('treats VAR= as unset, so defaults apply', () => {
      const config = loadConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: '', SMTP_URL: '', NODE_ENV: '', JWT_SECRET: LONG_SECRET, LOG_LEVEL: '' });

      expect(config.env).toBe('production');
      expect(config.http.port).toBe(3000);
      expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/leadership');
      expect(config.redis.url).toBe('redis://127.0.0.1:6379');
      expect(config.mail.smtpUrl).toBeUndefined();
    });

    it('treats an empty JWT_SECRET in production as missing', () => {
      for (const NODE_ENV of ['production', '']) {
        const { problems } = problemsFor({ NODE_ENV, JWT_SECRET: '' }).error;
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(REQUIRED);
      }
    });
  });
  describe('single sign-on providers (OIDC_PROVIDERS)', () => {
    const keyFile = `${__dirname}/app-config.spec.ts`; // any readable file stands in for the key here
    const cis2 = { OIDC_PROVIDERS: 'cis2', OIDC_CIS2_ISSUER: 'https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/oidc', OIDC_CIS2_CLIENT_ID: 'slp', OIDC_CIS2_PRIVATE_KEY_FILE: keyFile };

    it('configures none when OIDC_PROVIDERS is unset', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).oidc.providers).toEqual([]);
    });

    it('reads each named provider with defaults for what is optional', () => {
      const [provider] = loadConfig({ NODE_ENV: 'test', ...cis2, OIDC_CIS2_LABEL: 'NHS Care Identity', OIDC_CIS2_SCOPES: 'openid profile email nationalrbacaccess', OIDC_CIS2_ACR_VALUES: 'AAL2_OR_AAL3_ANY', OIDC_CIS2_MFA_ACR: 'AAL2_OR_AAL3_ANY, AAL3' }).oidc.providers;
      expect(provider).toEqual({
        name: 'cis2',
        issuer: cis2.OIDC_CIS2_ISSUER,
        clientId: 'slp',
        clientSecret: undefined,
        privateKeyFile: keyFile,
        privateKeyId: undefined,
        label: 'NHS Care Identity',
        scopes: ['openid', 'profile', 'email', 'nationalrbacaccess'],
        acrValues: 'AAL2_OR_AAL3_ANY',
        mfaAcr: ['AAL2_OR_AAL3_ANY', 'AAL3'],
        allowedTenants: [],
      });
      const [entra] = loadConfig({ NODE_ENV: 'test', OIDC_PROVIDERS: 'Entra', OIDC_ENTRA_ISSUER: 'https://login.microsoftonline.com/t1/v2.0', OIDC_ENTRA_CLIENT_ID: 'c', OIDC_ENTRA_CLIENT_SECRET: 's', OIDC_ENTRA_ALLOWED_TENANTS: 'T1,t2' }).oidc.providers;
      expect(entra).toMatchObject({ name: 'entra', label: 'entra', scopes: ['openid', 'profile', 'email'], mfaAcr: [], allowedTenants: ['t1', 't2'], clientSecret: 's' });
    });

    it('reports every missing or contradictory variable at once', () => {
      const { message } = problemsFor({ NODE_ENV: 'test', OIDC_PROVIDERS: 'cis2,entra,cis2', OIDC_CIS2_ISSUER: 'http://idp.example', OIDC_CIS2_CLIENT_SECRET: 'x', OIDC_CIS2_PRIVATE_KEY_FILE: '/nonexistent/key.pem', OIDC_CIS2_SCOPES: 'profile email' });
      expect(message).toContain('OIDC_PROVIDERS must not name a provider twice');
      expect(message).toContain('OIDC_CIS2_ISSUER must be a URL starting with https://');
      expect(message).toContain('OIDC_CIS2_CLIENT_ID is required');
      expect(message).toContain('OIDC_CIS2_CLIENT_SECRET and OIDC_CIS2_PRIVATE_KEY_FILE must not both be set');
      expect(message).toContain('OIDC_CIS2_PRIVATE_KEY_FILE must be a readable file');
      expect(message).toContain('OIDC_CIS2_SCOPES must include openid');
      expect(message).toContain('OIDC_ENTRA_ISSUER is required');
      expect(message).toContain('OIDC_ENTRA_PRIVATE_KEY_FILE (private_key_jwt, preferred) or OIDC_ENTRA_CLIENT_SECRET is required');
      expect(problemsFor({ NODE_ENV: 'test', OIDC_PROVIDERS: '1bad' }).message).toContain('OIDC_PROVIDERS names must be letters, digits and _');
    });

    it('allows a plain-HTTP issuer only in development', () => {
      expect(loadConfig({ ...DEV, ...cis2, OIDC_CIS2_ISSUER: 'http://127.0.0.1:9000' }).oidc.providers[0]!.issuer).toBe('http://127.0.0.1:9000');
      expect(() => loadConfig({ JWT_SECRET: LONG_SECRET, ...cis2, OIDC_CIS2_ISSUER: 'http://127.0.0.1:9000' })).toThrow(/OIDC_CIS2_ISSUER must be a URL starting with https:\/\/ \(/);
    });
  });
});
