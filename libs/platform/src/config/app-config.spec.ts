import { ConfigValidationError, loadConfig } from './app-config';

const LONG_SECRET = 'a-production-secret-that-is-long-enough-0123456789';

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
    it('runs on port 3000 against the local leadership database and Redis when nothing is set', () => {
      const config = loadConfig({});

      expect(config.env).toBe('development');
      expect(config.http.port).toBe(3000);
      expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/leadership');
      expect(config.redis.url).toBe('redis://127.0.0.1:6379');
      expect(config.publicUrl).toBe('http://localhost:3000');
    });

    it('reads no replica and allows a replica 30 seconds behind unless told otherwise', () => {
      expect(loadConfig({}).database).toMatchObject({ replicaUrls: [], replicaMaxLagSeconds: 30 });
      expect(loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1/leadership', REPLICA_MAX_LAG_SECONDS: '5' }).database).toMatchObject({ replicaUrls: ['postgres://r1/leadership'], replicaMaxLagSeconds: 5 });
    });

    it('writes mail to the var/mail sink when SMTP_URL is unset', () => {
      const config = loadConfig({});

      expect(config.mail.smtpUrl).toBeUndefined();
      expect(config.mail.sinkDir).toBe('var/mail');
    });

    it('is silent in test and logs at info elsewhere unless LOG_LEVEL says otherwise', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
      expect(loadConfig({}).logLevel).toBe('info');
      expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
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
      ['REPLICA_MAX_LAG_SECONDS', '0', /REPLICA_MAX_LAG_SECONDS must be at least 1/],
      ['REPLICA_MAX_LAG_SECONDS', '2.5', /REPLICA_MAX_LAG_SECONDS must be a whole number/],
    ])('rejects %s=%s, naming the variable and what is wrong', (name, value, expected) => {
      const { error, message } = problemsFor({ [name]: value });

      expect(message).toMatch(expected);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^${name} `));
    });

    it('shows the rejected value of an ordinary setting so the operator can spot the typo', () => {
      expect(problemsFor({ PORT: 'abc' }).message).toContain('"abc"');
    });

    it('refuses to start in production without JWT_SECRET', () => {
      const { error, message } = problemsFor({ NODE_ENV: 'production' });

      expect(error.problems).toEqual(['JWT_SECRET is required when NODE_ENV=production']);
      expect(message).toContain('JWT_SECRET');
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

  describe('secrets', () => {
    it('never echoes a rejected JWT_SECRET', () => {
      const secret = 'hunter2-but-too-short';
      const { message } = problemsFor({ JWT_SECRET: secret });

      expect(message).toContain('JWT_SECRET');
      expect(message).not.toContain(secret);
    });

    it('never echoes passwords embedded in rejected connection URLs', () => {
      const { error, message } = problemsFor({
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
      const config = loadConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: '', SMTP_URL: '', NODE_ENV: '', JWT_SECRET: '' });

      expect(config.env).toBe('development');
      expect(config.http.port).toBe(3000);
      expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/leadership');
      expect(config.redis.url).toBe('redis://127.0.0.1:6379');
      expect(config.mail.smtpUrl).toBeUndefined();
    });

    it('treats an empty JWT_SECRET in production as missing', () => {
      expect(problemsFor({ NODE_ENV: 'production', JWT_SECRET: '' }).error.problems).toEqual(['JWT_SECRET is required when NODE_ENV=production']);
    });
  });
});
