import { Migration } from '@mikro-orm/migrations';

const GRADE_ORDER = `array['band_1','band_2','band_3','band_4','band_5','band_6','band_7','band_8a','band_8b','band_8c','band_8d','band_9',
  'medical_foundation','medical_specialty','medical_consultant','gp','vsm','non_afc']::text[]`;

/**
 * Grade ranges now cover Agenda for Change bands only; other grades join when a programme lists
 * them. A programme whose range reached past band 9 keeps the non-AfC grades its old range named,
 * now listed, and the band part of its range. (A band-only range no longer lets in GPs, VSM and
 * non-AfC staff: that was the bug.)
 */
export class Migration2026120320401_programme_eligible_grades extends Migration {
  override name = 'Migration2026120320401_programme_eligible_grades';

  override up(): void | Promise<void> {
    this.addSql(`alter table "programme" add column "eligible_grades" text[] not null default '{}';`);
    this.addSql(`alter table "programme" alter column "eligible_grades" drop default;`);
    this.addSql(`update "programme" p set
        "eligible_grades" = (select coalesce(array_agg(u.grade order by u.ord), '{}')
                               from unnest(${GRADE_ORDER}) with ordinality as u(grade, ord)
                              where u.ord > 12
                                and u.ord >= coalesce(array_position(${GRADE_ORDER}, p.min_grade), 1)
                                and u.ord <= coalesce(array_position(${GRADE_ORDER}, p.max_grade), 18)),
        "min_grade" = case when array_position(${GRADE_ORDER}, p.min_grade) > 12 then null else p.min_grade end,
        "max_grade" = case when array_position(${GRADE_ORDER}, p.max_grade) > 12
                           then (case when p.min_grade is null then 'band_9' end) else p.max_grade end
      where array_position(${GRADE_ORDER}, p.min_grade) > 12 or array_position(${GRADE_ORDER}, p.max_grade) > 12;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "programme" drop column "eligible_grades";`);
  }
}
