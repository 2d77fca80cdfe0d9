import { withAdminClient } from './test-database-admin';

/**
 * Drops test databases an earlier run left behind, including the migrated template, so this run
 * migrates a fresh one (see ensureTemplate). Runs outside Jest's module mapping, so it imports
 * nothing from the application.
 */
export default async function globalSetup(): Promise<void> {
  await withAdminClient(async (client) => {
    const stale = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'slp_test_%'`);
    for (const { datname } of stale.rows) await client.query(`drop database if exists "${datname}" with (force)`);
  });
}
