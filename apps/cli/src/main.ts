import 'reflect-metadata';
import { ConfigValidationError, loadConfig } from '@slp/platform';
import { createAdmin, UsageError } from './admin.command';
import { runDemo } from './demo.command';
import { runImport } from './import.command';
import { listDemoAuthenticators, migrate, openOrm, rebuildReports, seedDemo } from './orm';
import { describeAuthenticators } from './demo-mfa';
import { seedNational } from './seeders/national-seed';
import { preflight } from './preflight';

const USAGE = `Usage: node dist/apps/cli/src/main.js <command>
  db:migrate                 create the database if missing, then apply migrations
  db:seed:demo               add the demo directory and demo accounts
  demo:mfa                   (development) print the demo admin accounts' authenticator keys and current codes
  db:migration:create        (development) write a migration for entity changes
  demo                       migrate, seed, and run the API and the worker together
  admin create-admin <email> create or promote a national admin (password from ADMIN_PASSWORD)
  health                     exit 0 when PostgreSQL and Redis answer, 1 otherwise (the worker's readiness probe)
  seed:national [--seed N] [--scale X] [--force]
                             load the synthetic national dataset (~1.5 million people at scale 1)
  reports:rebuild            repair the pipeline summary reports read (it is kept current by every change;
                             this corrects rows written around it, e.g. by a restore) and print how many
  import <kind> <file> [--dry-run]
                             import an ODS file (ods_icb, ods_trust, ods_gp_practice) or an ESR extract (esr_people)`;

const DEVELOPMENT_COMMANDS = new Set(['demo', 'db:seed:demo', 'db:migration:create', 'seed:national', 'demo:mfa']);

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  // Commands that only make sense on a developer machine default to development; the rest (and
  // the API and worker) treat an unset NODE_ENV as production, so they need a real JWT_SECRET.
  const config = loadConfig(DEVELOPMENT_COMMANDS.has(command) ? { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' } : process.env);
  switch (command) {
    case 'db:migrate': {
      const problems = (await preflight(config)).filter((p) => p.service === 'PostgreSQL');
      if (problems.length) return fail(problems.map((p) => p.message).join('\n'));
      const applied = await migrate(config);
      console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
      return 0;
    }
    case 'db:seed:demo':
      await seedDemo(config);
      console.log('Demo data seeded.');
      return 0;
    case 'demo:mfa':
      if (config.env === 'production') return fail('demo:mfa prints authenticator keys, so it does not run with NODE_ENV=production.');
      console.log(describeAuthenticators(await listDemoAuthenticators(config)));
      return 0;
    case 'db:migration:create': {
      const orm = await openOrm(config);
      try {
        const result = await orm.migrator.create(undefined, false, args.includes('--initial'));
        console.log(result.fileName ? `Wrote ${result.fileName}; add it to MIGRATIONS in migrations/index.ts.` : 'No changes: the entities match the latest snapshot.');
      } finally {
        await orm.close(true);
      }
      return 0;
    }
    case 'demo':
      return runDemo(config);
    case 'seed:national': {
      const option = (name: string) => {
        const index = args.indexOf(`--${name}`);
        return index >= 0 ? args[index + 1] : undefined;
      };
      const seed = Number(option('seed') ?? '1');
      const scale = Number(option('scale') ?? '1');
      if (!Number.isInteger(seed) || !(scale > 0)) return fail('Usage: seed:national [--seed <integer>] [--scale <number above 0>] [--force]');
      await migrate(config);
      const result = await seedNational(config.database.url, { seed, scale, force: args.includes('--force'), log: (line) => console.log(line) });
      await rebuildReports(config);
      console.log(`National dataset loaded: ${result.people.toLocaleString('en-GB')} people, ${result.nominations.toLocaleString('en-GB')} nominations, ${result.enrolments.toLocaleString('en-GB')} enrolments.`);
      return 0;
    }
    case 'reports:rebuild': {
      const corrected = await rebuildReports(config);
      console.log(`Pipeline summary checked: ${corrected.toLocaleString('en-GB')} row(s) corrected.`);
      return 0;
    }
    case 'health': {
      const problems = await preflight(config);
      for (const problem of problems) console.error(problem.message);
      if (!problems.length) console.log('PostgreSQL and Redis answer.');
      return problems.length ? 1 : 0;
    }
    case 'import':
      // npm runs scripts from the project root; a relative path means where the operator typed it.
      return runImport(config, args, process.stdout, process.env.INIT_CWD ?? process.cwd());
    case 'admin': {
      const [sub, email] = args;
      if (sub !== 'create-admin') return fail(USAGE);
      console.log(await createAdmin(config, email, process.env.ADMIN_PASSWORD));
      return 0;
    }
    default:
      return fail(`Unknown command "${command}".\n${USAGE}`);
  }
}

function fail(message: string): number {
  console.error(message);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigValidationError || error instanceof UsageError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  },
);
