import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../apps/cli/src/seeders/demo-directory.data';
import { signIn, signInSettingUpMfa, TEST_PASSWORD } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';
import { createTestDatabase, databaseUrl, scratchDatabaseName, withAdminClient } from './support/test-database';
import { withClient } from './support/outbox-fixtures';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const ADMIN_PASSWORD = 'a long enough admin password';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** Runs the built CLI with exactly `env` (plus PATH) and waits for it to finish. */
function cli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql, params)).rows);
}

async function databaseExists(name: string): Promise<boolean> {
  return withAdminClient(async (client) => Boolean((await client.query('select 1 from pg_database where datname = $1', [name])).rowCount));
}

describe('cli (e2e)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: TestApi | undefined;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  /** The API on the CLI's database, started once when a test first needs to sign in. */
  async function apiOnDatabase(): Promise<TestApi> {
    api ??= await startTestApi({}, database.url);
    return api;
  }

  describe('db:migrate', () => {
    const name = scratchDatabaseName();
    const url = databaseUrl(name);

    afterAll(async () => {
      await withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`));
    });

    it('creates a database that does not exist yet and applies the migrations, then reports it up to date', async () => {
      expect(await databaseExists(name)).toBe(false);

      const first = await cli(['db:migrate'], { DATABASE_URL: url });

      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Applied \d+ migration\(s\): Migration\d+/);
      expect(await databaseExists(name)).toBe(true);
      const tables = (await query<{ table_name: string }>(url, `select table_name from information_schema.tables where table_schema = 'public'`)).map((row) => row.table_name);
      expect(tables).toEqual(expect.arrayContaining(['mikro_orm_migrations', 'region', 'system', 'place', 'organisation', 'person', 'account', 'audit_log']));

      const second = await cli(['db:migrate'], { DATABASE_URL: url });

      expect(second.code).toBe(0);
      expect(second.stdout.trim()).toBe('Database is up to date.');
    });

    it('says PostgreSQL is not reachable, and where, when it is down', async () => {
      const result = await cli(['db:migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/leadership' });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PostgreSQL is not reachable at 127.0.0.1:1/leadership');
      expect(result.stderr).toContain('point DATABASE_URL at one');
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    });
  });

  describe('a fresh deployment (db:migrate and create-admin, no demo seed)', () => {
    const name = scratchDatabaseName();
    const url = databaseUrl(name);
    let fresh: TestApi | undefined;

    afterAll(async () => {
      await fresh?.close();
      await withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`));
    });

    it('has the seven NHS England regions, and its first admin sets up a system, an organisation, a programme and a cohort', async () => {
      expect((await cli(['db:migrate'], { DATABASE_URL: url })).code).toBe(0);
      const email = `first.admin.${randomBytes(3).toString('hex')}@nhs.example`;
      const created = await cli(['admin', 'create-admin', email], { DATABASE_URL: url, ADMIN_PASSWORD });
      expect(created.code).toBe(0);
      expect(await query<{ code: string }>(url, 'select code from region order by code')).toEqual(['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63'].map((code) => ({ code })));
      expect(await query(url, 'select 1 from system')).toHaveLength(0);

      fresh = await startTestApi({}, url);
      // An admin must set up multi-factor sign-in first (MFA_REQUIRED_ROLES): until then only /me and the set-up answer.
      const limited = await signIn(fresh, { email, password: ADMIN_PASSWORD });
      expect((await fresh.http().get('/api/v1/regions').set('Authorization', `Bearer ${limited}`)).status).toBe(403);
      const { accessToken: token } = await signInSettingUpMfa(fresh, { email, password: ADMIN_PASSWORD });
      const post = (path: string, body: object) => fresh!.http().post(`/api/v1${path}`).set('Authorization', `Bearer ${token}`).send(body);

      const regions = await fresh.http().get('/api/v1/regions').set('Authorization', `Bearer ${token}`).expect(200);
      expect(regions.body).toHaveLength(7);
      const system = await post('/systems', { name: 'Lancashire and South Cumbria', odsCode: 'QE1', kind: 'ICS', region: 'North West', population: 1_800_000 }).expect(201);
      const organisation = await post('/organisations', { name: 'Lancashire Teaching Hospitals NHS Foundation Trust', odsCode: 'RXN', type: 'acute_trust', systemId: system.body.id }).expect(201);
      const programme = await post('/programmes', { title: 'Leading Integrated Neighbourhood Teams', description: 'For neighbourhood team leads.', level: 'system', systemId: system.body.id }).expect(201);
      const cohort = await post(`/programmes/${programme.body.id}/cohorts`, {
        name: 'Spring 2027',
        capacity: 24,
        enrolmentOpensAt: '2027-01-04T09:00:00Z',
        enrolmentClosesAt: '2027-02-26T17:00:00Z',
        startsAt: '2027-03-15T09:00:00Z',
        endsAt: '2027-09-30T17:00:00Z',
        requiresApproval: true,
        waitlistEnabled: true,
      }).expect(201);

      expect(organisation.body).toMatchObject({ systemId: system.body.id });
      expect(cohort.body).toMatchObject({ programmeId: programme.body.id, systemId: system.body.id, capacity: 24 });
      const [row] = await query<{ region_code: string }>(url, 'select region_code from system where id = $1', [system.body.id]);
      expect(row!.region_code).toBe('Y62');
    });
  });

  describe('db:seed:demo', () => {
    it('adds the demo directory and accounts, and running it again changes nothing', async () => {
      const counts = () =>
        query<{ regions: string; systems: string; accounts: string; places: string; organisations: string }>(
          database.url,
          `select (select count(*) from region) regions, (select count(*) from system) systems, (select count(*) from account) accounts,
                  (select count(*) from place) places, (select count(*) from organisation) organisations`,
        );
      const detail = () =>
        query<{ name: string; places: number; organisations: number }>(
          database.url,
          `select s.name, (select count(*)::int from place p where p.system_id = s.id) places, (select count(*)::int from organisation o where o.system_id = s.id) organisations
             from system s where exists (select 1 from place p where p.system_id = s.id) or exists (select 1 from organisation o where o.system_id = s.id) order by s.name`,
        );

      const first = await cli(['db:seed:demo'], { DATABASE_URL: database.url });
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Demo data seeded.');
      const afterFirst = await counts();
      const detailAfterFirst = await detail();

      const second = await cli(['db:seed:demo'], { DATABASE_URL: database.url });
      expect(second.code).toBe(0);

      expect(afterFirst).toEqual([{ regions: '7', systems: '42', accounts: '8', places: '24', organisations: '37' }]);
      // Demo accounts are ready to use: none waits for email verification.
      expect(await query<{ n: string }>(database.url, `select count(*) as n from account where email_verified_at is null`)).toEqual([{ n: '0' }]);
      expect(detailAfterFirst).toEqual([
        { name: 'Birmingham and Solihull', places: 1, organisations: 0 },
        { name: 'Bristol, North Somerset and South Gloucestershire', places: 1, organisations: 0 },
        { name: 'Frimley', places: 3, organisations: 5 },
        { name: 'Greater Manchester', places: 4, organisations: 8 },
        { name: 'Kent and Medway', places: 1, organisations: 0 },
        { name: 'Lancashire and South Cumbria', places: 4, organisations: 9 },
        { name: 'Norfolk and Waveney', places: 1, organisations: 0 },
        { name: 'North East and North Cumbria', places: 4, organisations: 8 },
        { name: 'Surrey Heartlands', places: 4, organisations: 7 },
        { name: 'West Yorkshire', places: 1, organisations: 0 },
      ]);
      // Neighbourhood health: 18 demo Places in ten ICSs, two years of six indicators each, with baselines and two assessments.
      const neighbourhood = () =>
        query<{ places: string; demo: string; systems: string; values: string; baselines: string; assessments: string; practices: string; mentoring: string }>(
          database.url,
          `select (select count(*) from nh_place) places, (select count(*) from nh_place where demo) demo,
                  (select count(distinct p.system_id) from nh_place np join place p on p.id = np.place_id) systems,
                  (select count(*) from nh_indicator_value) "values", (select count(*) from nh_baseline) baselines,
                  (select count(*) from nh_assessment) assessments, (select count(*) from nh_practice) practices, (select count(*) from nh_mentoring) mentoring`,
        );
      const neighbourhoodAfterSecond = await neighbourhood();
      expect(neighbourhoodAfterSecond).toEqual([{ places: '18', demo: '18', systems: '10', values: String(18 * 6 * 24), baselines: String(18 * 6), assessments: '36', practices: '5', mentoring: '1' }]);
      expect(await counts()).toEqual(afterFirst);
      expect(await detail()).toEqual(detailAfterFirst);
      // The pipeline reports have numbers straight away (the summary is written as the seed runs),
      // once: the second run added no one.
      const funnel = await query<Record<string, string>>(
        database.url,
        `select count(*) filter (where stage is not null) as people, count(nominated_at) as nominated, count(in_development_at) as in_development, count(appointed_at) as appointed from person_pipeline`,
      );
      expect(funnel).toEqual([{ people: '150', nominated: '120', in_development: '80', appointed: '40' }]);
    });

    it('gives the demo admin accounts an authenticator, whose key and current code demo:mfa prints, and the code signs in', async () => {
      const printed = await cli(['demo:mfa'], { DATABASE_URL: database.url });
      expect(printed.code).toBe(0);
      const found = [...printed.stdout.matchAll(/^ {2}(\S+@demo\.leadership\.example)\n {4}key ([A-Z2-7]{32}) {3}code now (\d{6})/gm)].map(([, email, key, code]) => ({ email, key, code }));
      expect(found.map((entry) => entry.email)).toEqual(['lsc.admin@demo.leadership.example', 'national.admin@demo.leadership.example']);
      // Encrypted at rest: the printed key is not in the database.
      expect(await query(database.url, `select 1 from account_mfa where totp_secret like $1`, [`%${found[0]!.key}%`])).toEqual([]);

      const app = await apiOnDatabase();
      const national = found.find((entry) => entry.email.startsWith('national'))!;
      const step = await app.http().post('/api/v1/auth/login').send({ email: national.email, password: DEMO_PASSWORD });
      expect(step.status).toBe(200);
      expect(step.body).toMatchObject({ mfaRequired: true });
      const pair = await app.http().post('/api/v1/auth/login/mfa').send({ challengeToken: step.body.challengeToken, code: national.code }).expect(200);
      await app.http().get('/api/v1/notifications').set('Authorization', `Bearer ${pair.body.accessToken}`).expect(200);
      // Development only: it decrypts keys.
      const refused = await cli(['demo:mfa'], { DATABASE_URL: database.url, NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/does not run with NODE_ENV=production/);
    });
  });

  describe('admin create-admin', () => {
    it('creates a national admin who can sign in through the API', async () => {
      const email = `admin.${randomBytes(3).toString('hex')}@nhs.example`;

      const result = await cli(['admin', 'create-admin', email], { DATABASE_URL: database.url, ADMIN_PASSWORD });

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Created national admin account [0-9a-f-]{36}\.$/m);
      const accountId = /account ([0-9a-f-]{36})/.exec(result.stdout)![1];
      const app = await apiOnDatabase();
      const { accessToken: token } = await signInSettingUpMfa(app, { email, password: ADMIN_PASSWORD });
      const me = await app.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      // The operator vouches for the address: nothing to verify.
      expect(me.body).toMatchObject({ id: accountId, email, roles: ['admin'], systemIds: [], emailVerified: true, mfa: { enabled: true, required: true } });
      // Only a national admin may add a system.
      await app
        .http()
        .post('/api/v1/systems')
        .set('Authorization', `Bearer ${token}`)
        .send({ name: `CLI Test ICS ${randomBytes(3).toString('hex')}`, odsCode: `Z${randomBytes(2).toString('hex').toUpperCase()}`, kind: 'ICS', region: 'Y62' })
        .expect(201);
    });

    it('promotes an existing participant, keeping their account and roles', async () => {
      const app = await apiOnDatabase();
      const email = `participant.${randomBytes(3).toString('hex')}@nhs.example`;
      const registered = await app.http().post('/api/v1/auth/register').send({ email, password: TEST_PASSWORD, givenName: 'Grace', familyName: 'Mensah' }).expect(201);

      const result = await cli(['admin', 'create-admin', email], { DATABASE_URL: database.url, ADMIN_PASSWORD });

      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(`Promoted national admin account ${registered.body.id}.`);
      const token = await signIn(app, { email, password: ADMIN_PASSWORD });
      const me = await app.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      // Promoting a self-registered account verifies it: the operator names the address.
      expect(me.body).toMatchObject({ id: registered.body.id, systemIds: [], emailVerified: true });
      expect([...me.body.roles].sort()).toEqual(['admin', 'participant']);
      const audit = await query<{ action: string }>(database.url, `select action from audit_log where object_type = 'account' and object_id = $1 order by id`, [registered.body.id]);
      expect(audit.map((row) => row.action)).toContain('account.promote');
    });

    it.each([
      ['missing', undefined],
      ['too short', 'short'],
    ])('refuses with a clear message when ADMIN_PASSWORD is %s, creating nothing', async (_case, password) => {
      const email = `nobody.${randomBytes(3).toString('hex')}@nhs.example`;

      const result = await cli(['admin', 'create-admin', email], { DATABASE_URL: database.url, ...(password ? { ADMIN_PASSWORD: password } : {}) });

      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('Set ADMIN_PASSWORD to a password of at least 12 characters.');
      expect(await query(database.url, 'select 1 from person where email = $1', [email])).toHaveLength(0);
    });

    it('shows how to use it when the email is missing', async () => {
      const result = await cli(['admin', 'create-admin'], { DATABASE_URL: database.url, ADMIN_PASSWORD });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('create-admin <email>');
    });
  });

  describe('demo', () => {
    it('explains which services are not reachable, where, and how to start them, without a stack trace', async () => {
      const result = await cli(['demo'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/leadership', REDIS_URL: 'redis://127.0.0.1:1' }, 20_000);
      const output = result.stdout + result.stderr;

      expect(result.code).toBe(1);
      expect(result.elapsedMs).toBeLessThan(10_000);
      expect(output).toContain('PostgreSQL is not reachable at 127.0.0.1:1/leadership');
      expect(output).toContain('docker compose up -d postgres');
      expect(output).toContain('Redis is not reachable at 127.0.0.1:1');
      expect(output).toContain('docker compose up -d redis');
      expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(output).not.toContain('✓');
    });

    it('runs in development mode when NODE_ENV is unset, so it needs no JWT_SECRET', async () => {
      const result = await cli(['demo'], { NODE_ENV: '', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/leadership', REDIS_URL: 'redis://127.0.0.1:1' }, 20_000);
      const output = result.stdout + result.stderr;

      expect(result.code).toBe(1);
      expect(output).toContain('The demo needs PostgreSQL and Redis');
      expect(output).not.toContain('JWT_SECRET');
    });
  });

  describe('configuration', () => {
    it('treats an unset NODE_ENV as production for the deployment commands, as the API and the worker do', async () => {
      const result = await cli(['db:migrate'], { NODE_ENV: '', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/leadership' });

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/JWT_SECRET is required unless NODE_ENV is development or test/);
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    });
  });
});
