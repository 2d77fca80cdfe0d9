import { Migration } from '@mikro-orm/migrations';

/**
 * A consent link once used (or made void by a withdrawal) keeps its hash here, so opening it again
 * can say it has been used and whom to ask (the nominator) instead of "not a link we sent". It no
 * longer answers anything: only `consent_token_hash` does.
 */
export class Migration202612056001_nomination_used_consent_token extends Migration {
  override name = 'Migration202612056001_nomination_used_consent_token';

  override up(): void | Promise<void> {
    this.addSql(`alter table "nomination" add column "used_consent_token_hash" text null;`);
    this.addSql(`alter table "nomination" add constraint "nomination_used_consent_token_hash_unique" unique ("used_consent_token_hash");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "nomination" drop constraint "nomination_used_consent_token_hash_unique";`);
    this.addSql(`alter table "nomination" drop column "used_consent_token_hash";`);
  }
}
