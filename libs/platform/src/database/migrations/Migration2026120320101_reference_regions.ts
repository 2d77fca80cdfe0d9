import { Migration } from '@mikro-orm/migrations';

/**
 * NHS England's seven regions, which every deployment needs before it can add a system (they
 * were only in the demo seed, so a fresh deployment could set nothing up). Idempotent: a region
 * already there (by code or name) is left as it is, so databases seeded earlier migrate cleanly.
 * Spelled out here rather than imported, so the migration stays what it was when it ran.
 */
export const REFERENCE_REGIONS: readonly { code: string; name: string }[] = [
  { code: 'Y63', name: 'North East and Yorkshire' },
  { code: 'Y62', name: 'North West' },
  { code: 'Y60', name: 'Midlands' },
  { code: 'Y61', name: 'East of England' },
  { code: 'Y56', name: 'London' },
  { code: 'Y59', name: 'South East' },
  { code: 'Y58', name: 'South West' },
];

export class Migration2026120320101_reference_regions extends Migration {
  override name = 'Migration2026120320101_reference_regions';

  override up(): void | Promise<void> {
    const values = REFERENCE_REGIONS.map(({ code, name }) => `('${code}', '${name}')`).join(', ');
    this.addSql(`insert into "region" ("code", "name") values ${values} on conflict do nothing;`);
  }

  override down(): void | Promise<void> {
    // Only regions nothing refers to; a system in a region keeps it.
    const codes = REFERENCE_REGIONS.map(({ code }) => `'${code}'`).join(', ');
    this.addSql(`delete from "region" r where r."code" in (${codes}) and not exists (select 1 from "system" s where s."region_code" = r."code");`);
  }
}
