import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { SeedManager } from '@mikro-orm/seeder';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import type { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

/** Where migration sources live, for `db:migration:create` run from the repository root. */
export const MIGRATIONS_SOURCE_DIR = 'libs/platform/src/database/migrations';

/**
 * MikroORM options shared by the API, the worker and the CLI. The schema is never synchronised at
 * boot: migrations run as their own step (`npm run db:migrate`).
 */
export function ormOptions(config: AppConfig, entities: Function[] = []) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: config.database.url,
    // Every ORM read goes to the primary: MikroORM's default sends reads outside a transaction to a
    // replica, where a record written a moment ago may not have arrived yet (a 404 for what was just
    // created). The replicas serve only the report reads named in `REPLICA_READS` (replica-reads.ts),
    // which check the replica's lag first; MikroORM is not given them, and would not prefer them.
    preferReadReplicas: false,
    pool: { min: 0, max: config.database.poolMax },
    entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator, SeedManager],
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: config.database.debug,
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: MIGRATIONS,
      path: MIGRATIONS_SOURCE_DIR,
      pathTs: MIGRATIONS_SOURCE_DIR,
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotOnMigrate: false,
      snapshotName: '.snapshot-leadership',
      emit: 'ts',
      silent: config.env === 'test',
    },
  });
}
