import { randomBytes } from 'node:crypto';
import { withAdminClient } from './test-database-admin';

/** Databases of runs older than this are leftovers of interrupted runs. */
const STALE_AFTER_SECONDS = 6 * 3600;

/**
 * Gives this run its own database name prefix, `slp_test_<start time>_<random>` (test workers
 * inherit the environment), and drops leftovers of interrupted earlier runs: never databases of a
 * run that may still be going on. Runs outside Jest's module mapping, so it imports nothing from
 * the application.
 */
export default async function globalSetup(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  process.env.SLP_TEST_RUN = `${now.toString(36)}_${randomBytes(2).toString('hex')}`;
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'slp\\_test\\_%'`);
    for (const { datname } of rows) {
      const started = /^slp_test_([0-9a-z]+)_/.exec(datname)?.[1];
      const stale = started === undefined || now - parseInt(started, 36) > STALE_AFTER_SECONDS;
      if (stale) await client.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    }
  });
}
