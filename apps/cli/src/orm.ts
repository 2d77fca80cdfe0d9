import { MikroORM } from '@mikro-orm/postgresql';
import { AppConfig, ormOptions } from '@slp/platform';
import { DemoSeeder } from './seeders/demo.seeder';
import { ALL_ENTITIES } from './entities';
import { DemoAuthenticator, demoAuthenticators, enableDemoMfa } from './demo-mfa';

/** A standalone ORM for operational commands; `ensureDatabase` creates the database if it is missing. */
export function openOrm(config: AppConfig, options: { ensureDatabase?: boolean } = {}): Promise<MikroORM> {
  return MikroORM.init({
    ...ormOptions(config, ALL_ENTITIES),
    ensureDatabase: options.ensureDatabase ?? false,
    seeder: { seedersList: [DemoSeeder] },
  });
}

/** Creates the database if needed, then applies pending migrations; returns the names applied. */
export async function migrate(config: AppConfig): Promise<string[]> {
  const orm = await openOrm(config, { ensureDatabase: true });
  try {
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

export async function seedDemo(config: AppConfig): Promise<void> {
  const orm = await openOrm(config);
  try {
    await orm.seeder.seed(DemoSeeder);
    // Admin accounts (MFA_REQUIRED_ROLES) come with an authenticator ready; `demo:mfa` prints the codes.
    await enableDemoMfa(orm, config);
    // Reports read the pipeline summary; rebuild it now rather than wait for the worker.
    await refreshPipelineSummary(orm);
  } finally {
    await orm.close(true);
  }
}

/** Rebuilds the pipeline summary that reports read (the worker also does this every 10 minutes). */
export async function refreshReports(config: AppConfig): Promise<void> {
  const orm = await openOrm(config);
  try {
    await refreshPipelineSummary(orm);
  } finally {
    await orm.close(true);
  }
}

function refreshPipelineSummary(orm: MikroORM): Promise<unknown> {
  return orm.em.getConnection().execute('refresh materialized view person_pipeline');
}

/** The demo accounts' authenticator keys and current codes. */
export async function listDemoAuthenticators(config: AppConfig): Promise<DemoAuthenticator[]> {
  const orm = await openOrm(config);
  try {
    return await demoAuthenticators(orm, config);
  } finally {
    await orm.close(true);
  }
}
