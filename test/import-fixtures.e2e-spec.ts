import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from './support/test-database';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const FIXTURES = join(__dirname, '..', 'apps', 'cli', 'fixtures');

/** The sample files shipped for demos load through the command line, in order, and load again as unchanged. */
describe('sample import files (e2e: built CLI, PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    // Relative paths are read from where the operator stands (INIT_CWD when run through npm).
    const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: database.url, INIT_CWD: FIXTURES };
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function sql<T>(query: string): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(query)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('loads the ICB, trust, GP practice and ESR samples in order, with the counts the fixtures README gives', async () => {
    const expected: [string, string, RegExp][] = [
      ['ods_icb', 'ods-icb.csv', /succeeded: 3 rows, 2 created, 0 updated, 0 unchanged, 0 closed, 1 skipped, 0 rejected/],
      ['ods_trust', 'ods-trust.csv', /succeeded: 6 rows, 5 created, 0 updated, 0 unchanged, 0 closed, 1 skipped, 0 rejected/],
      ['ods_gp_practice', 'ods-gp-practice.csv', /succeeded: 7 rows, 6 created, 0 updated, 0 unchanged, 0 closed, 1 skipped, 0 rejected/],
      ['esr_people', 'esr-people.csv', /succeeded: 12 rows, 11 created, 0 updated, 0 unchanged, 0 closed, 1 skipped, 0 rejected/],
    ];
    for (const [kind, file, summary] of expected) {
      const run = await cli(['import', kind, file]);
      expect({ kind, code: run.code, stderr: run.stderr }).toEqual({ kind, code: 0, stderr: '' });
      expect(run.stdout).toMatch(summary);
    }

    expect(await sql(`select s.ods_code, s.region_code, s.closed_on from system s where s.ods_code like 'QZ_' order by 1`)).toEqual([
      { ods_code: 'QZ1', region_code: 'Y63', closed_on: null },
      { ods_code: 'QZ2', region_code: 'Y59', closed_on: null },
    ]);
    expect(await sql(`select o.ods_code, o.type, s.ods_code as system from organisation o join system s on s.id = o.system_id where o.ods_code in ('RZ902', 'RZ903', 'RZ905', 'Z99006') order by 1`)).toEqual([
      { ods_code: 'RZ902', type: 'mental_health_trust', system: 'QZ1' },
      { ods_code: 'RZ903', type: 'ambulance_trust', system: 'QZ1' },
      { ods_code: 'RZ905', type: 'community_trust', system: 'QZ2' },
      { ods_code: 'Z99006', type: 'gp_practice', system: 'QZ2' },
    ]);
    expect(await sql(`select p.job_title, p.grade, p.staff_group, (select count(*) from account a where a.person_id = p.id)::int as accounts from person p where p.esr_employee_number = '90000104'`)).toEqual([
      { job_title: 'Head of Operations, Surgery', grade: 'band_8c', staff_group: 'administrative_clerical', accounts: 0 },
    ]);
    expect(await sql(`select 1 from equality_monitoring`)).toHaveLength(0);

    // Loading the samples again changes nothing, and says so.
    for (const [kind, file, rows] of [['ods_icb', 'ods-icb.csv', 2], ['ods_gp_practice', 'ods-gp-practice.csv', 6], ['esr_people', 'esr-people.csv', 11]] as const) {
      const again = await cli(['import', kind, file]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`0 created, 0 updated, ${rows} unchanged`));
    }
    // Seven CLI processes, each starting Nest: on a busy machine that is well over the default 30 s.
  }, 180_000);
});
