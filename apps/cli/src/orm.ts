import { MikroORM } from '@mikro-orm/postgresql';
import { AppConfig, ormOptions } from '@slp/platform';
import { rebuildPipelineSummary } from '@slp/reports';
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
    // The pipeline summary reports read is written by the seeder's own transactions (its triggers).
    await orm.seeder.seed(DemoSeeder);
    // Admin accounts (MFA_REQUIRED_ROLES) come with an authenticator ready; `demo:mfa` prints the codes.
    await enableDemoMfa(orm, config);
  } finally {
    await orm.close(true);
  }
}

/**
 * Repairs the pipeline summary that reports read (the worker also does this nightly): after a bulk
 * load that skipped its triggers, a restore, or a hand edit. Answers the number of rows corrected.
 */
export async function rebuildReports(config: AppConfig): Promise<number> {
  const orm = await openOrm(config);
  try {
    return await rebuildPipelineSummary(orm.em);
  } finally {
    await orm.close(true);
  }
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
