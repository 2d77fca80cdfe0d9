import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123175726 } from './Migration20261123175726';
import { Migration20261123182214 } from './Migration20261123182214';
import { Migration20261123184359 } from './Migration20261123184359';
import { Migration20261123185444 } from './Migration20261123185444';
import { Migration20261123194500_person_pipeline } from './Migration20261123194500_person_pipeline';
import { Migration2026120320101_reference_regions } from './Migration2026120320101_reference_regions';
import { Migration2026120320401_programme_eligible_grades } from './Migration2026120320401_programme_eligible_grades';
import { Migration2026120320402_person_pending_employment } from './Migration2026120320402_person_pending_employment';
import { Migration20261204121_account_email_verification } from './Migration20261204121_account_email_verification';
import { Migration2026120415001_imports } from './Migration2026120415001_imports';
import { Migration20261204161_person_erased_at } from './Migration20261204161_person_erased_at';
import { Migration202612053001_mfa_password_reset } from './Migration202612053001_mfa_password_reset';
import { Migration2026120540001_neighbourhood } from './Migration2026120540001_neighbourhood';
import { Migration202612059001_identity_link } from './Migration202612059001_identity_link';
import { Migration202612055001_live_person_pipeline } from './Migration202612055001_live_person_pipeline';
import { Migration202612056001_nomination_used_consent_token } from './Migration202612056001_nomination_used_consent_token';

/** Every migration, in order. Listed explicitly so the compiled apps carry them without file discovery. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123175726', class: Migration20261123175726 },
  { name: 'Migration20261123182214', class: Migration20261123182214 },
  { name: 'Migration20261123184359', class: Migration20261123184359 },
  { name: 'Migration20261123185444', class: Migration20261123185444 },
  { name: 'Migration20261123194500_person_pipeline', class: Migration20261123194500_person_pipeline },
  { name: 'Migration2026120320101_reference_regions', class: Migration2026120320101_reference_regions },
  { name: 'Migration2026120320401_programme_eligible_grades', class: Migration2026120320401_programme_eligible_grades },
  { name: 'Migration2026120320402_person_pending_employment', class: Migration2026120320402_person_pending_employment },
  { name: 'Migration20261204121_account_email_verification', class: Migration20261204121_account_email_verification },
  { name: 'Migration2026120415001_imports', class: Migration2026120415001_imports },
  { name: 'Migration20261204161_person_erased_at', class: Migration20261204161_person_erased_at },
  { name: 'Migration202612053001_mfa_password_reset', class: Migration202612053001_mfa_password_reset },
  { name: 'Migration2026120540001_neighbourhood', class: Migration2026120540001_neighbourhood },
  { name: 'Migration202612055001_live_person_pipeline', class: Migration202612055001_live_person_pipeline },
  { name: 'Migration202612056001_nomination_used_consent_token', class: Migration202612056001_nomination_used_consent_token },
  { name: 'Migration202612059001_identity_link', class: Migration202612059001_identity_link },
];
