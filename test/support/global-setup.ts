import { randomBytes } from 'node:crypto';
import { withAdminClient } from './test-database-admin';

/**
 * Gives this run its own database name prefix (test workers inherit the environment), and drops
 * databases that interrupted earlier runs left behind: those nobody is connected to.
 * Runs outside Jest's module mapping, so it imports nothing from the application.
 */
export default async function globalSetup(): Promise<void> {
  process.env.SLP_TEST_RUN = randomBytes(3).toString('hex');
  await withAdminClient(async (client) => {
    const stale = await client.query<{ datname: string }>(
      `select datname from pg_database d
        where datname like 'slp\\_test\\_%' and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)`,
    );
    for (const { datname } of stale.rows) await client.query(`drop database if exists "${datname}"`).catch(() => undefined);
  });
}
