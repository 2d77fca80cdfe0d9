import { withAdminClient } from './test-database-admin';

/** Drops the template this run migrated; each test file already dropped its own database. */
export default async function globalTeardown(): Promise<void> {
  await withAdminClient((client) => client.query(`drop database if exists "slp_test_${process.env.SLP_TEST_RUN}_template" with (force)`));
}
