import { randomUUID } from 'node:crypto';
import { openOrm } from '../apps/cli/src/orm';
import { loadConfig } from '@slp/platform';
import { databaseUrl, scratchDatabaseName, withAdminClient } from './support/test-database';

describe('migration Migration20261204121_account_email_verification (e2e)', () => {
  const name = scratchDatabaseName();

  afterAll(async () => {
    await withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`));
  });

  it('marks accounts that predate email verification verified, as of their creation', async () => {
    const orm = await openOrm(loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl(name) }), { ensureDatabase: true });
    try {
      await orm.migrator.up({ to: 'Migration2026120320402_person_pending_employment' });
      const connection = orm.em.getConnection();
      const [personId, accountId] = [randomUUID(), randomUUID()];
      const createdAt = new Date('2026-11-30T09:00:00Z');
      await connection.execute(`insert into person (id, email, given_name, family_name, created_at, updated_at) values (?, 'old.account@nhs.example', 'Old', 'Account', now(), now())`, [personId]);
      await connection.execute(`insert into account (id, person_id, password_hash, roles, system_ids, status, created_at) values (?, ?, null, '{participant}', '{}', 'active', ?)`, [accountId, personId, createdAt]);

      const applied = await orm.migrator.up();

      expect(applied.map((m) => m.name)).toContain('Migration20261204121_account_email_verification');
      const [row] = await connection.execute<{ email_verified_at: Date }[]>(`select email_verified_at from account where id = ?`, [accountId]);
      expect(new Date(row!.email_verified_at).toISOString()).toBe(createdAt.toISOString());
    } finally {
      await orm.close(true);
    }
  });
});
