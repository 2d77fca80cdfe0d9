import { randomBytes } from 'node:crypto';
import { loadConfig } from '@slp/platform';
import { migrate } from '../../apps/cli/src/orm';
import { databaseUrl, withAdminClient } from './test-database-admin';

export { databaseUrl, withAdminClient };

/** Set by the global setup; unique per `npm test` run so concurrent runs do not touch each other's databases. */
const RUN = process.env.SLP_TEST_RUN ?? 'adhoc';
export const TEMPLATE_DATABASE = `slp_test_${RUN}_template`;
const TEMPLATE_LOCK = 7_301_742;

/** Migrates the template database once per run; the first test file to get here does it, under an advisory lock. */
async function ensureTemplate(): Promise<void> {
  await withAdminClient(async (client) => {
    await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const ready = await client.query(`select 1 from pg_database d join pg_shdescription s on s.objoid = d.oid where d.datname = $1 and s.description = 'migrated'`, [TEMPLATE_DATABASE]);
      if (ready.rowCount) return;
      await client.query(`drop database if exists "${TEMPLATE_DATABASE}" with (force)`);
      await migrate(loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl(TEMPLATE_DATABASE) }));
      await client.query(`comment on database "${TEMPLATE_DATABASE}" is 'migrated'`);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

/** A database name of this run (dropped by a later run's global setup if a test dies before dropping it). */
export function scratchDatabaseName(): string {
  return `slp_test_${RUN}_${randomBytes(6).toString('hex')}`;
}

/**
 * A fresh database for one test file, cloned from the migrated template (fast: a file copy), so
 * files run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  await ensureTemplate();
  const name = scratchDatabaseName();
  await withAdminClient((client) => client.query(`create database "${name}" template "${TEMPLATE_DATABASE}"`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}
