import { withAdminClient } from './test-database-admin';

export default async function globalTeardown(): Promise<void> {
  await withAdminClient((client) => client.query(`drop database if exists "slp_test_template" with (force)`));
}
