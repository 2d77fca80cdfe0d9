import type { EntityManager } from '@mikro-orm/postgresql';
import { Place, System } from '@slp/directory';
import { COMPONENTS, indicatorValue, type IndicatorUnit } from '@slp/neighbourhood';
import { newId } from '@slp/platform';

/**
 * Demo data for neighbourhood health. The real wave-1 Places are not all public, so this is a
 * plausible, deterministic set (every row marked `demo`), across ICSs in five regions: two years
 * of monthly indicator values (November 2024 to October 2026, the first 12 months the baseline),
 * two maturity assessments each, coaching for the Lancashire Places, shared practices and a
 * mentoring relationship. Some Places improve visibly after joining; some hold steady; one slips.
 */

type Trajectory = 'improving' | 'steady' | 'slipping';

interface DemoNeighbourhoodPlace {
  readonly system: string;
  readonly name: string;
  readonly wave: number;
  readonly population: number;
  readonly trajectory: Trajectory;
  /** Maturity at the first assessment, 1–4. */
  readonly maturity: number;
}

export const NEIGHBOURHOOD_DEMO_PLACES: readonly DemoNeighbourhoodPlace[] = [
  { system: 'QE1', name: 'Blackburn with Darwen', wave: 1, population: 155_000, trajectory: 'improving', maturity: 2 },
  { system: 'QE1', name: 'Blackpool', wave: 1, population: 141_000, trajectory: 'steady', maturity: 1 },
  { system: 'QE1', name: 'South Cumbria', wave: 2, population: 178_000, trajectory: 'steady', maturity: 2 },
  { system: 'QOP', name: 'Manchester', wave: 1, population: 568_000, trajectory: 'improving', maturity: 3 },
  { system: 'QOP', name: 'Salford', wave: 1, population: 276_000, trajectory: 'improving', maturity: 4 },
  { system: 'QOP', name: 'Wigan', wave: 2, population: 331_000, trajectory: 'slipping', maturity: 2 },
  { system: 'QHM', name: 'Newcastle', wave: 1, population: 306_000, trajectory: 'steady', maturity: 3 },
  { system: 'QHM', name: 'Gateshead', wave: 1, population: 197_000, trajectory: 'improving', maturity: 3 },
  { system: 'QHM', name: 'North Cumbria', wave: 2, population: 320_000, trajectory: 'steady', maturity: 1 },
  { system: 'QNQ', name: 'North East Hampshire and Farnham', wave: 1, population: 223_000, trajectory: 'improving', maturity: 3 },
  { system: 'QNQ', name: 'East Berkshire', wave: 2, population: 444_000, trajectory: 'steady', maturity: 2 },
  { system: 'QXU', name: 'Guildford and Waverley', wave: 1, population: 220_000, trajectory: 'steady', maturity: 3 },
  { system: 'QXU', name: 'North West Surrey', wave: 2, population: 353_000, trajectory: 'improving', maturity: 2 },
  { system: 'QHL', name: 'Solihull', wave: 1, population: 218_000, trajectory: 'steady', maturity: 2 },
  { system: 'QWO', name: 'Bradford District and Craven', wave: 1, population: 665_000, trajectory: 'improving', maturity: 2 },
  { system: 'QMM', name: 'Great Yarmouth and Waveney', wave: 1, population: 220_000, trajectory: 'steady', maturity: 1 },
  { system: 'QKS', name: 'Swale', wave: 2, population: 151_000, trajectory: 'improving', maturity: 1 },
  { system: 'QUY', name: 'Bristol', wave: 1, population: 472_000, trajectory: 'steady', maturity: 3 },
];

/** Monthly baseline level of each seeded indicator, its denominator (as a share of the population) and unit. */
const INDICATORS: readonly { code: string; unit: IndicatorUnit; level: number; denominatorShare: number | null; change: number }[] = [
  // Rates per 1,000 a month; "change" is the programme's effect on an improving Place (a fraction of the level).
  { code: 'emergency_admissions', unit: 'rate_per_1000', level: 7.8, denominatorShare: 1, change: -0.14 },
  { code: 'emergency_bed_days_65', unit: 'rate_per_1000', level: 165, denominatorShare: 0.19, change: -0.16 },
  { code: 'ae_attendances', unit: 'rate_per_1000', level: 31, denominatorShare: 1, change: -0.09 },
  { code: 'high_intensity_ae_users', unit: 'count', level: 0.42, denominatorShare: null, change: -0.3 },
  { code: 'delayed_discharges', unit: 'days', level: 2.9, denominatorShare: null, change: -0.35 },
  { code: 'gp_continuity', unit: 'percent', level: 44, denominatorShare: 0.3, change: 0.18 },
];

/** The 24 months seeded, the first 12 the baseline. */
export const DEMO_PERIODS = Array.from({ length: 24 }, (_, i) => {
  const month = 10 + i; // November 2024 is month index 10 of 2024
  return `${2024 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
});

/** A small deterministic generator (mulberry32), seeded from a string. */
function random(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
  let state = (h << 13) | (h >>> 19);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One month's numerator and denominator for a Place. */
function monthly(place: DemoNeighbourhoodPlace, indicator: (typeof INDICATORS)[number], monthIndex: number, next: () => number): { numerator: number; denominator: number | null } {
  // Seasonal winter pressure on the acute measures; noise of about ±4 %.
  const month = (10 + monthIndex) % 12;
  const winter = indicator.unit === 'percent' ? 0 : [0.06, 0.05, 0.02, 0, -0.02, -0.03, -0.03, -0.03, -0.01, 0, 0.03, 0.06][month]!;
  const noise = (next() - 0.5) * 0.08;
  // After the baseline year the programme's effect builds over six months.
  const ramp = monthIndex < 12 ? 0 : Math.min(1, (monthIndex - 11) / 6);
  const effect = place.trajectory === 'improving' ? indicator.change * ramp : place.trajectory === 'slipping' ? -indicator.change * 0.5 * ramp : 0;
  // Seasonality kept small next to the noise: strong seasonality reads as a shift on an XmR chart.
  const level = indicator.level * (1 + winter * 0.25 + noise + effect);
  if (indicator.unit === 'count' || indicator.unit === 'days') return { numerator: Math.round((level * place.population) / 1000), denominator: null };
  const denominator = Math.round(place.population * indicator.denominatorShare!);
  const numerator = Math.round(indicator.unit === 'percent' ? (level / 100) * denominator : (level * denominator) / 1000);
  return { numerator, denominator };
}

const PRACTICES = [
  { place: 'Salford', component: 'intermediate_care', title: 'One intermediate care team for step-up and step-down', summary: 'Community nursing, therapy, reablement and the council’s home care brokerage work as one team with a single referral line. People are seen at home within two hours of a call from a GP or paramedic, and hospital discharges into intermediate care happen the same day.' },
  { place: 'Manchester', component: 'neighbourhood_mdts', title: 'Weekly neighbourhood MDT with a shared caseload', summary: 'Each of the twelve neighbourhoods runs a weekly multidisciplinary team meeting with GPs, district nurses, social workers, mental health and the voluntary sector, working from one list of people at risk of admission drawn from the population health platform.' },
  { place: 'Gateshead', component: 'urgent_neighbourhood_services', title: 'Urgent community response alongside the ambulance service', summary: 'Paramedics can hand a fallen or frail person to the urgent community response team instead of conveying them; the team arrives within two hours and most people stay at home.' },
  { place: 'Blackburn with Darwen', component: 'population_health_management', title: 'Proactive frailty lists reviewed monthly', summary: 'Practices run a monthly search for people with moderate or severe frailty who have had an emergency admission, and invite them to a structured medication and care review with the neighbourhood team.' },
  { place: 'North East Hampshire and Farnham', component: 'modern_general_practice', title: 'Continuity lists for people with complex needs', summary: 'People with three or more long-term conditions are given a named GP and care coordinator; appointment systems book them with that GP first. Continuity of care rose within a year.' },
];

/** Seeds the neighbourhood demo set; Places already in the programme are left as they are. */
export async function seedNeighbourhoodDemo(em: EntityManager, systems: ReadonlyMap<string, System>): Promise<void> {
  const now = new Date();
  const placeIds = new Map<string, string>();
  const coach = (await em.execute<{ person_id: string }[]>(`select a.person_id from account a join person p on p.id = a.person_id where p.email = 'coach@demo.leadership.example'`))[0]?.person_id ?? null;
  const lead = (await em.execute<{ person_id: string }[]>(`select a.person_id from account a join person p on p.id = a.person_id where p.email = 'lsc.lead@demo.leadership.example'`))[0]?.person_id ?? null;

  for (const demo of NEIGHBOURHOOD_DEMO_PLACES) {
    const system = systems.get(demo.system);
    if (!system) continue;
    const place = (await em.findOne(Place, { system, name: demo.name })) ?? em.create(Place, { system, name: demo.name, wave: demo.wave, maturityLevel: demo.maturity, createdAt: now });
    place.wave = demo.wave;
    await em.flush();
    placeIds.set(demo.name, place.id);
    if ((await em.execute(`select 1 from nh_place where place_id = ?`, [place.id])).length) continue;

    await em.execute(`insert into nh_place (place_id, wave, joined_on, population, demo, created_at, updated_at) values (?, ?, ?, ?, true, ?, ?)`, [place.id, demo.wave, demo.wave === 1 ? '2025-09-01' : '2026-04-01', demo.population, now, now]);
    if (coach && demo.system === 'QE1') await em.execute(`insert into nh_place_coach (place_id, person_id, assigned_at) values (?, ?, ?)`, [place.id, coach, now]);

    for (const indicator of INDICATORS) {
      const next = random(`${demo.name}:${indicator.code}`);
      const rows = DEMO_PERIODS.map((period, i) => {
        const { numerator, denominator } = monthly(demo, indicator, i, next);
        return [place.id, indicator.code, `${period}-01`, numerator, denominator, indicatorValue(indicator.unit, numerator, denominator), now];
      });
      await em.execute(`insert into nh_indicator_value (place_id, indicator_code, period, numerator, denominator, value, updated_at) values ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
      await em.execute(`insert into nh_baseline (place_id, indicator_code, from_period, to_period, updated_at) values (?, ?, ?, ?, ?)`, [place.id, indicator.code, `${DEMO_PERIODS[0]}-01`, `${DEMO_PERIODS[11]}-01`, now]);
    }

    // Two assessments: on joining and a year on (improving Places move up in most components).
    const next = random(`${demo.name}:maturity`);
    const first = COMPONENTS.map((component) => [component, Math.max(1, Math.min(4, demo.maturity + Math.floor(next() * 3) - 1))] as const);
    const assessments: [string, readonly (readonly [string, number])[]][] = [
      [demo.wave === 1 ? '2025-09-15' : '2026-04-15', first],
      ['2026-10-15', first.map(([component, level]) => [component, Math.min(4, level + (demo.trajectory === 'improving' && next() < 0.7 ? 1 : 0))] as const)],
    ];
    for (const [assessedOn, levels] of assessments) {
      const id = newId();
      await em.execute(`insert into nh_assessment (id, place_id, assessed_on, recorded_by_account_id, created_at) values (?, ?, ?, null, ?)`, [id, place.id, assessedOn, now]);
      await em.execute(
        `insert into nh_assessment_component (assessment_id, component, level, evidence) values ${levels.map(() => '(?, ?, ?, ?)').join(', ')}`,
        levels.flatMap(([component, level]) => [id, component, level, `Demo self-assessment at level ${level}, agreed at the Place board.`]),
      );
    }
  }

  const blackburn = placeIds.get('Blackburn with Darwen');
  if (coach && blackburn && !(await em.execute(`select 1 from nh_coaching_session where place_id = ?`, [blackburn])).length) {
    await em.execute(
      `insert into nh_coaching_session (id, place_id, coach_id, held_on, component, attendees, summary, actions, created_at) values
       (?, ?, ?, '2025-10-07', 'neighbourhood_mdts', '{"PCN clinical director","Community matron","Council adult social care lead"}', 'Mapped who takes part in the frailty MDT today and who is missing. Agreed to trial a weekly slot in the Darwen neighbourhood.', 'Invite social care and the voluntary sector to the next MDT; share the frailty search with practices.', ?),
       (?, ?, ?, '2026-01-20', 'intermediate_care', '{"Intermediate care manager","Discharge lead, Royal Blackburn"}', 'Reviewed the first three months of same-day discharge into intermediate care; delays are down but weekend cover is thin.', 'Test seven-day therapy cover for six weeks; report at the February Place board.', ?)`,
      [newId(), blackburn, coach, now, newId(), blackburn, coach, now],
    );
  }

  if (!(await em.execute(`select 1 from nh_practice limit 1`)).length) {
    for (const practice of PRACTICES) {
      const placeId = placeIds.get(practice.place);
      if (!placeId) continue;
      await em.execute(`insert into nh_practice (id, place_id, title, summary, component, contact_id, created_by_account_id, created_at) values (?, ?, ?, ?, ?, ?, null, ?)`, [
        newId(),
        placeId,
        practice.title,
        practice.summary,
        practice.component,
        practice.place === 'Blackburn with Darwen' ? lead : null,
        now,
      ]);
    }
  }

  const blackpool = placeIds.get('Blackpool');
  const salford = placeIds.get('Salford');
  if (blackpool && salford && !(await em.execute(`select 1 from nh_mentoring where mentee_place_id = ?`, [blackpool])).length) {
    await em.execute(
      `insert into nh_mentoring (id, mentee_place_id, mentor_place_id, component, goal, status, decision_note, proposed_at, decided_at) values (?, ?, ?, 'intermediate_care', ?, 'accepted', ?, ?, ?)`,
      [newId(), blackpool, salford, 'Bring step-up and step-down care under one team so people leave hospital the day they are ready.', 'Our intermediate care leads will host a visit in the new year.', new Date('2026-06-02T10:00:00Z'), new Date('2026-06-09T15:30:00Z')],
    );
  }
}
