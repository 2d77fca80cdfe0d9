import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { AccountsService, IdentityModule } from '@slp/identity';
import { AppConfig, AuditModule, ConfigModule, DatabaseModule, MIN_PASSWORD_LENGTH, PasswordModule, RedisModule } from '@slp/platform';

@Module({})
class AdminCommandModule {}

/** `admin create-admin <email>`: creates or promotes a national admin; the password comes from ADMIN_PASSWORD. */
export async function createAdmin(config: AppConfig, email: string | undefined, password: string | undefined, names: { givenName?: string; familyName?: string } = {}): Promise<string> {
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('Usage: npm run admin -- create-admin <email>   (with ADMIN_PASSWORD set)');
  if (!password || password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`Set ADMIN_PASSWORD to a password of at least ${MIN_PASSWORD_LENGTH} characters.`);
  const app = await NestFactory.createApplicationContext(
    {
      module: AdminCommandModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config), RedisModule, AuditModule, PasswordModule, IdentityModule],
    },
    { logger: ['error', 'warn'] },
  );
  try {
    const { account, created } = await app.get(AccountsService).createOrPromoteNationalAdmin({
      email,
      password,
      givenName: names.givenName ?? 'Platform',
      familyName: names.familyName ?? 'Administrator',
    });
    return `${created ? 'Created' : 'Promoted'} national admin account ${account.id}.`;
  } finally {
    await app.close();
  }
}

export class UsageError extends Error {}
