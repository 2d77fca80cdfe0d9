import { Place, type Organisation, type System } from '@slp/directory';
import { auditRows, expectProblem } from './support/assertions';
import { staffAccounts, twoSystems } from './support/callers';
import { accessTokenFor, account, AccountFixture, forkEm } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';
import { binaryParser, zipOf } from './support/zip-reader';

type Caller = Pick<AccountFixture, 'account'>;

/** Monthly periods from January 2024: index 0 is 2024-01. */
const month = (i: number) => `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

describe('neighbourhood health: Places, coaching, maturity, indicators, SPC, Intelligence Centre and practices (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let nationalAdmin: AccountFixture;
  let adminA: AccountFixture;
  let leadA: AccountFixture;
  let leadB: AccountFixture;
  let coachA: AccountFixture;
  let coachA2: AccountFixture;
  let participant: AccountFixture;
  let placeA1: Place;
  let placeA2: Place;
  let placeB1: Place;
  let outside: Place;

  const auth = (as: Caller) => ({ Authorization: `Bearer ${accessTokenFor(api, as)}` });
  const get = (path: string, as: Caller) => api.http().get(`/api/v1${path}`).set(auth(as));
  const post = (path: string, as: Caller, body: object = {}) => api.http().post(`/api/v1${path}`).set(auth(as)).send(body);
  const put = (path: string, as: Caller, body: object) => api.http().put(`/api/v1${path}`).set(auth(as)).send(body);
  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);
  const count = async (table: string, where = 'true', params: unknown[] = []) => Number((await sql<{ n: string }>(`select count(*) as n from ${table} where ${where}`, params))[0]!.n);

  const directoryPlace = async (system: System, name: string) => {
    const em = forkEm(api);
    const place = em.create(Place, { system, name, wave: null, maturityLevel: null, createdAt: new Date() });
    await em.flush();
    return place;
  };
  const joinBody = (place: Place, extra: object = {}) => ({ placeId: place.id, wave: 1, joinedOn: '2025-09-01', population: 250_000, ...extra });

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    ({ systemA, systemB, orgA, orgB } = await twoSystems(em));
    ({ nationalAdmin, adminA, leadA } = await staffAccounts(em, { systemA, orgA }));
    leadB = await account(em, { roles: ['programme_lead'], systems: [systemB], organisation: orgB });
    coachA = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA });
    coachA2 = await account(em, { roles: ['coach'], systems: [systemA], organisation: orgA });
    participant = await account(em, { organisation: orgA });
    placeA1 = await directoryPlace(systemA, 'Blackburn with Darwen');
    placeA2 = await directoryPlace(systemA, 'Morecambe Bay');
    placeB1 = await directoryPlace(systemB, 'Wakefield');
    outside = await directoryPlace(systemB, 'Calderdale');
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('participation and coaches', () => {
    it('lets a national admin bring directory Places into a wave with their coaches', async () => {
      const response = await post('/neighbourhood/places', nationalAdmin, joinBody(placeA1, { coachPersonIds: [coachA.person.id] }));
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        placeId: placeA1.id,
        name: 'Blackburn with Darwen',
        systemId: systemA.id,
        systemName: systemA.name,
        regionCode: 'Y62',
        regionName: 'North West',
        wave: 1,
        joinedOn: '2025-09-01',
        population: 250_000,
        demo: false,
        coachPersonIds: [coachA.person.id],
        latestMaturity: {},
      });
      expect(await auditRows(api, { objectId: placeA1.id, action: 'neighbourhood_place.join' })).toEqual([expect.objectContaining({ actor_account_id: nationalAdmin.account.id })]);
      // The directory shows the wave too.
      expect((await sql<{ wave: number }>(`select wave from place where id = ?`, [placeA1.id]))[0]!.wave).toBe(1);
      await post('/neighbourhood/places', nationalAdmin, joinBody(placeA2, { wave: 2, population: 340_000 })).expect(201);
      await post('/neighbourhood/places', nationalAdmin, joinBody(placeB1, { population: 360_000 })).expect(201);
    });

    it('refuses bad input and callers other than national admins, changing nothing', async () => {
      const before = { places: await count('nh_place'), coaches: await count('nh_place_coach'), audit: await count('audit_log') };
      expectProblem(await post('/neighbourhood/places', leadA, joinBody(outside)), 403);
      expectProblem(await post('/neighbourhood/places', adminA, joinBody(outside)), 403);
      expectProblem(await post('/neighbourhood/places', participant, joinBody(outside)), 403);
      expectProblem(await post('/neighbourhood/places', nationalAdmin, joinBody(placeA1)), 409);
      expectProblem(await post('/neighbourhood/places', nationalAdmin, joinBody(outside, { placeId: '00000000-0000-4000-8000-000000000000' })), 400, ['placeId']);
      // A lead is not a coach.
      expectProblem(await post('/neighbourhood/places', nationalAdmin, joinBody(outside, { coachPersonIds: [leadA.person.id] })), 400, ['coachPersonIds']);
      expectProblem(await post('/neighbourhood/places', nationalAdmin, joinBody(outside, { wave: 0, population: -1, joinedOn: '2025-02-30' })), 400, ['wave', 'population', 'joinedOn']);
      expectProblem(await post('/neighbourhood/places', nationalAdmin, { ...joinBody(outside), maturity: 4 }), 400);
      expect({ places: await count('nh_place'), coaches: await count('nh_place_coach'), audit: await count('audit_log') }).toEqual(before);
    });

    it('shows each caller only the Places they work with: staff their system’s, coaches the Places they coach', async () => {
      const names = async (as: Caller) => ((await get('/neighbourhood/places?limit=200', as).expect(200)).body.items as { name: string }[]).map((p) => p.name);
      expect(await names(nationalAdmin)).toEqual(['Blackburn with Darwen', 'Morecambe Bay', 'Wakefield']);
      expect(await names(leadA)).toEqual(['Blackburn with Darwen', 'Morecambe Bay']);
      expect(await names(adminA)).toEqual(['Blackburn with Darwen', 'Morecambe Bay']);
      expect(await names(leadB)).toEqual(['Wakefield']);
      // Same system, but a coach sees only the Places assigned to them.
      expect(await names(coachA)).toEqual(['Blackburn with Darwen']);
      expect(await names(coachA2)).toEqual([]);
      expectProblem(await get('/neighbourhood/places', participant), 403);

      expectProblem(await get(`/neighbourhood/places/${placeB1.id}`, leadA), 404);
      expectProblem(await get(`/neighbourhood/places/${placeA2.id}`, coachA), 404);
      expectProblem(await get(`/neighbourhood/places/${outside.id}`, nationalAdmin), 404);
      expect((await get(`/neighbourhood/places/${placeA1.id}`, coachA).expect(200)).body.placeId).toBe(placeA1.id);

      const firstPage = await get('/neighbourhood/places?limit=2', nationalAdmin).expect(200);
      expect(firstPage.body.items).toHaveLength(2);
      const secondPage = await get(`/neighbourhood/places?limit=2&cursor=${firstPage.body.nextCursor}`, nationalAdmin).expect(200);
      expect(secondPage.body).toMatchObject({ items: [{ name: 'Wakefield' }], nextCursor: null });
      expect((await get('/neighbourhood/places?wave=2', nationalAdmin).expect(200)).body.items.map((p: { name: string }) => p.name)).toEqual(['Morecambe Bay']);
      expectProblem(await get('/neighbourhood/places?cursor=nonsense', nationalAdmin), 400, ['cursor']);
    });

    it('lets national admins set a Place’s coaches, who must be coaches', async () => {
      const updated = await put(`/neighbourhood/places/${placeA2.id}/coaches`, nationalAdmin, { coachPersonIds: [coachA2.person.id] }).expect(200);
      expect(updated.body.coachPersonIds).toEqual([coachA2.person.id]);
      expect(await auditRows(api, { objectId: placeA2.id, action: 'neighbourhood_place.coaches' })).toEqual([expect.objectContaining({ details: { added: [coachA2.person.id], removed: [] } })]);
      expect((await get(`/neighbourhood/places/${placeA2.id}`, coachA2).expect(200)).body.name).toBe('Morecambe Bay');

      expectProblem(await put(`/neighbourhood/places/${placeA2.id}/coaches`, leadA, { coachPersonIds: [] }), 403);
      expectProblem(await put(`/neighbourhood/places/${placeA2.id}/coaches`, nationalAdmin, { coachPersonIds: [participant.person.id] }), 400, ['coachPersonIds']);
      expectProblem(await put(`/neighbourhood/places/${placeA2.id}/coaches`, nationalAdmin, { coachPersonIds: ['not-a-uuid'] }), 400);
      expect((await get(`/neighbourhood/places/${placeA2.id}`, nationalAdmin).expect(200)).body.coachPersonIds).toEqual([coachA2.person.id]);
    });
  });

  describe('coaching sessions', () => {
    const session = { heldOn: '2025-10-14', component: 'neighbourhood_mdts', attendees: ['Dr Amara Okafor (clinical director, PCN)', 'Jo Whittle (community matron)'], summary: 'Mapped who joins the frailty MDT.\nAgreed a weekly slot.', actions: 'Jo to invite social care.' };

    it('lets only the Place’s own coaches write them, and its staff read them', async () => {
      const created = await post(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, coachA, session);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ placeId: placeA1.id, coachPersonId: coachA.person.id, ...session });
      const [entry] = await auditRows(api, { objectId: created.body.id, action: 'coaching_session.create' });
      // Ids and counts only: no names or notes in the audit log.
      expect(entry!.details).toEqual({ placeId: placeA1.id, attendees: 2 });

      const before = await count('nh_coaching_session');
      expectProblem(await post(`/neighbourhood/places/${placeA2.id}/coaching-sessions`, coachA, session), 404);
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, coachA2, session), 404);
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, leadA, session), 403);
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, nationalAdmin, session), 403);
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, coachA, { ...session, heldOn: 'last Tuesday', component: 'gardening', summary: ' ' }), 400, ['heldOn', 'component', 'summary']);
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, coachA, { ...session, attendees: [''] }), 400);
      expect(await count('nh_coaching_session')).toBe(before);

      for (const reader of [leadA, adminA, coachA, nationalAdmin]) {
        expect((await get(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, reader).expect(200)).body.items.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
      }
      expectProblem(await get(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, leadB), 404);
      expectProblem(await get(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, coachA2), 404);
      expectProblem(await get(`/neighbourhood/places/${placeA1.id}/coaching-sessions`, participant), 403);
    });
  });

  describe('maturity assessments', () => {
    it('keeps every assessment and shows the latest level per component and the change since the first', async () => {
      const first = await post(`/neighbourhood/places/${placeA1.id}/assessments`, leadA, {
        assessedOn: '2025-09-15',
        components: { intermediate_care: { level: 1, evidence: 'No shared intermediate care team yet.' }, neighbourhood_mdts: { level: 2, evidence: 'Two of five PCNs run MDTs.' } },
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ placeId: placeA1.id, assessedOn: '2025-09-15', components: { intermediate_care: { level: 1 }, neighbourhood_mdts: { level: 2 } } });
      await post(`/neighbourhood/places/${placeA1.id}/assessments`, coachA, { assessedOn: '2026-03-15', components: { neighbourhood_mdts: { level: 3, evidence: 'All five PCNs run weekly MDTs.' } } }).expect(201);

      const history = (await get(`/neighbourhood/places/${placeA1.id}/assessments`, leadA).expect(200)).body;
      expect(history.items.map((a: { assessedOn: string }) => a.assessedOn)).toEqual(['2025-09-15', '2026-03-15']);
      expect(history.change).toEqual({
        intermediate_care: { first: 1, latest: 1, change: 0, firstOn: '2025-09-15', latestOn: '2025-09-15' },
        neighbourhood_mdts: { first: 2, latest: 3, change: 1, firstOn: '2025-09-15', latestOn: '2026-03-15' },
      });
      expect((await get(`/neighbourhood/places/${placeA1.id}`, leadA).expect(200)).body.latestMaturity).toEqual({ intermediate_care: 1, neighbourhood_mdts: 3 });
    });

    it('refuses levels outside 1–4, unknown components, empty assessments and other systems’ staff', async () => {
      const before = { assessments: await count('nh_assessment'), ratings: await count('nh_assessment_component') };
      const path = `/neighbourhood/places/${placeA1.id}/assessments`;
      expectProblem(await post(path, leadA, { assessedOn: '2026-01-01', components: { intermediate_care: { level: 5, evidence: 'x' } } }), 400);
      expectProblem(await post(path, leadA, { assessedOn: '2026-01-01', components: { gardening: { level: 2, evidence: 'x' } } }), 400);
      expectProblem(await post(path, leadA, { assessedOn: '2026-01-01', components: {} }), 400, ['components']);
      expectProblem(await post(path, leadA, { assessedOn: '2026-01-01', components: { intermediate_care: { level: 2, evidence: '' } } }), 400);
      expectProblem(await post(path, leadA, { assessedOn: '2026-01-01' }), 400, ['components']);
      expectProblem(await post(path, leadB, { assessedOn: '2026-01-01', components: { intermediate_care: { level: 2, evidence: 'x' } } }), 404);
      expectProblem(await post(path, participant, { assessedOn: '2026-01-01', components: { intermediate_care: { level: 2, evidence: 'x' } } }), 403);
      expect({ assessments: await count('nh_assessment'), ratings: await count('nh_assessment_component') }).toEqual(before);
    });
  });

  describe('indicators and values', () => {
    it('has the seeded catalogue, readable by everyone signed in; national admins add to it', async () => {
      const catalogue = (await get('/neighbourhood/indicators', participant).expect(200)).body.items as { code: string; unit: string; betterWhen: string }[];
      expect(catalogue.map((i) => i.code).sort()).toEqual(['ae_attendances', 'delayed_discharges', 'emergency_admissions', 'emergency_bed_days_65', 'gp_continuity', 'high_intensity_ae_users']);
      expect(catalogue.find((i) => i.code === 'gp_continuity')).toMatchObject({ unit: 'percent', betterWhen: 'higher' });
      expect(catalogue.find((i) => i.code === 'emergency_admissions')).toMatchObject({ unit: 'rate_per_1000', betterWhen: 'lower' });

      const created = await post('/neighbourhood/indicators', nationalAdmin, { code: 'falls_admissions_65', name: 'Falls admissions, 65 and over, per 1,000', unit: 'rate_per_1000', betterWhen: 'lower' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ code: 'falls_admissions_65', name: 'Falls admissions, 65 and over, per 1,000', description: '', unit: 'rate_per_1000', betterWhen: 'lower' });
      const before = await count('nh_indicator');
      expectProblem(await post('/neighbourhood/indicators', leadA, { code: 'x_y', name: 'X', unit: 'count', betterWhen: 'lower' }), 403);
      expectProblem(await post('/neighbourhood/indicators', nationalAdmin, { code: 'falls_admissions_65', name: 'Another name', unit: 'count', betterWhen: 'lower' }), 409);
      expectProblem(await post('/neighbourhood/indicators', nationalAdmin, { code: 'Bad Code', name: 'X', unit: 'parsecs', betterWhen: 'sideways' }), 400, ['code', 'unit', 'betterWhen']);
      expect(await count('nh_indicator')).toBe(before);
    });

    it('upserts monthly values by period: new months are added, changed months replaced, the same months left alone', async () => {
      const path = `/neighbourhood/places/${placeA1.id}/indicators/emergency_admissions/values`;
      // Without a denominator a rate per 1,000 is per the Place's population (250,000): 1,000 admissions = 4 per 1,000.
      const first = await put(path, leadA, { values: Array.from({ length: 12 }, (_, i) => ({ period: month(i), numerator: 1_000 + i })) });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ created: 12, updated: 0, unchanged: 0 });
      const again = await put(path, coachA, { values: [{ period: month(0), numerator: 1_000 }, { period: month(1), numerator: 900 }, { period: month(12), numerator: 950, denominator: 250_000 }] });
      expect(again.body).toEqual({ created: 1, updated: 1, unchanged: 1 });
      const rows = await sql<{ period: string; numerator: number; value: number }>(`select to_char(period, 'YYYY-MM') as period, numerator, value from nh_indicator_value where place_id = ? and indicator_code = 'emergency_admissions' order by period`, [placeA1.id]);
      expect(rows).toHaveLength(13);
      expect(rows[0]).toEqual({ period: '2024-01', numerator: 1000, value: 4 });
      expect(rows[1]).toEqual({ period: '2024-02', numerator: 900, value: 3.6 });
      expect(rows[12]!.value).toBeCloseTo(3.8, 10);
      expect(await auditRows(api, { objectId: placeA1.id, action: 'indicator_values.upsert' })).toEqual([
        expect.objectContaining({ details: { indicator: 'emergency_admissions', created: 12, updated: 0, unchanged: 0 } }),
        expect.objectContaining({ details: { indicator: 'emergency_admissions', created: 1, updated: 1, unchanged: 1 } }),
      ]);
    });

    it('refuses bad values as a whole, and callers outside the Place, changing nothing', async () => {
      const snapshot = () => sql(`select period, numerator, denominator, value from nh_indicator_value order by place_id, indicator_code, period`);
      const before = await snapshot();
      const values = (path: string) => `/neighbourhood/places/${placeA1.id}/indicators/${path}/values`;
      const response = await put(values('emergency_admissions'), leadA, { values: [{ period: month(0), numerator: 5 }, { period: month(0), numerator: 6 }] });
      expectProblem(response, 400, ['values.1.period']);
      expectProblem(await put(values('emergency_admissions'), leadA, { values: [{ period: '2999-01', numerator: 5 }] }), 400, ['values.0.period']);
      expectProblem(await put(values('emergency_admissions'), leadA, { values: [{ period: '2024-13', numerator: 5 }] }), 400);
      expectProblem(await put(values('emergency_admissions'), leadA, { values: [{ period: '2024-01', numerator: -1 }] }), 400);
      expectProblem(await put(values('emergency_admissions'), leadA, { values: [] }), 400, ['values']);
      expectProblem(await put(values('gp_continuity'), leadA, { values: [{ period: '2024-01', numerator: 50 }] }), 400, ['values.0.denominator']);
      expectProblem(await put(values('gp_continuity'), leadA, { values: [{ period: '2024-01', numerator: 60, denominator: 50 }] }), 400, ['values.0.numerator']);
      expectProblem(await put(values('delayed_discharges'), leadA, { values: [{ period: '2024-01', numerator: 60, denominator: 50 }] }), 400, ['values.0.denominator']);
      expectProblem(await put(values('no_such_indicator'), leadA, { values: [{ period: '2024-01', numerator: 1 }] }), 404);
      expectProblem(await put(values('emergency_admissions'), leadB, { values: [{ period: '2024-01', numerator: 1 }] }), 404);
      expectProblem(await put(values('emergency_admissions'), coachA2, { values: [{ period: '2024-01', numerator: 1 }] }), 404);
      expectProblem(await put(values('emergency_admissions'), participant, { values: [{ period: '2024-01', numerator: 1 }] }), 403);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('SPC through the API', () => {
    // The worked baseline of spc.spec.ts: 10, 12, … (mean 11, mean moving range 2, limits 5.68 and 16.32).
    const baseline = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12];

    it('charts a constructed series: limits from the baseline, a point beyond the upper limit is a concern when lower is better', async () => {
      const path = `/neighbourhood/places/${placeA2.id}/indicators/delayed_discharges`;
      await put(`${path}/values`, coachA2, { values: [...baseline, 13, 17].map((numerator, i) => ({ period: month(i), numerator })) }).expect(200);
      const set = await put(`${path}/baseline`, leadA, { from: '2024-01', to: '2024-10' }).expect(200);
      const chart = (await get(path, leadA).expect(200)).body;
      expect(chart).toEqual(set.body);
      expect(chart.indicator).toMatchObject({ code: 'delayed_discharges', unit: 'days', betterWhen: 'lower' });
      expect(chart.baseline).toEqual({ from: '2024-01', to: '2024-10', set: true, mean: 11, meanMovingRange: 2 });
      expect(chart.limits.lower).toBeCloseTo(5.68, 10);
      expect(chart.limits.upper).toBeCloseTo(16.32, 10);
      expect(chart.series).toHaveLength(12);
      expect(chart.series.slice(0, 11).every((p: { signal: unknown }) => p.signal === null)).toBe(true);
      expect(chart.series[11]).toEqual({ period: '2024-12', value: 17, numerator: 17, denominator: null, signal: { direction: 'high', rules: ['beyond_limit'], variation: 'concern' } });
      expect(chart.variation).toBe('concern');
      expect(chart.changeFromBaseline).toBe(6);
      expect(await auditRows(api, { objectId: placeA2.id, action: 'indicator_baseline.set' })).toEqual([expect.objectContaining({ details: { indicator: 'delayed_discharges', from: '2024-01', to: '2024-10' } })]);
    });

    it('reads a rising run of six as improvement when higher is better (percentages from numerator and denominator)', async () => {
      const path = `/neighbourhood/places/${placeA2.id}/indicators/gp_continuity`;
      // Percentages 10, 12, … then 7.5 → 12.5 rising: numerators out of 200.
      const percents = [...baseline, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5];
      await put(`${path}/values`, leadA, { values: percents.map((p, i) => ({ period: month(i), numerator: p * 2, denominator: 200 })) }).expect(200);
      await put(`${path}/baseline`, coachA2, { from: '2024-01', to: '2024-10' }).expect(200);
      const chart = (await get(path, coachA2).expect(200)).body;
      expect(chart.series.map((p: { value: number }) => p.value)).toEqual(percents);
      expect(chart.series.slice(10).map((p: { signal: { rules: string[] } }) => p.signal.rules)).toEqual(Array(6).fill(['trend']));
      expect(chart.variation).toBe('improvement');
    });

    it('defaults the baseline to the first 12 months until one is set, and refuses a baseline that ends before it starts', async () => {
      const chart = (await get(`/neighbourhood/places/${placeA1.id}/indicators/emergency_admissions`, leadA).expect(200)).body;
      expect(chart.baseline).toMatchObject({ from: '2024-01', to: '2024-12', set: false });
      expect(chart.limits).not.toBeNull();
      expectProblem(await put(`/neighbourhood/places/${placeA1.id}/indicators/emergency_admissions/baseline`, leadA, { from: '2024-12', to: '2024-01' }), 400, ['to']);
      expectProblem(await put(`/neighbourhood/places/${placeA1.id}/indicators/emergency_admissions/baseline`, leadA, { from: '2024', to: '2024-01' }), 400, ['from']);
      expect(await count('nh_baseline', 'place_id = ?', [placeA1.id])).toBe(0);
      expectProblem(await get(`/neighbourhood/places/${placeA1.id}/indicators/emergency_admissions`, leadB), 404);
    });
  });

  describe('Intelligence Centre', () => {
    it('gives every visible Place’s latest value, change from baseline and variation, and withholds small counts', async () => {
      await put(`/neighbourhood/places/${placeB1.id}/indicators/delayed_discharges/values`, leadB, { values: baseline().map((numerator, i) => ({ period: month(i), numerator })) }).expect(200);
      const view = (await get('/neighbourhood/intelligence?indicator=delayed_discharges', nationalAdmin).expect(200)).body;
      expect(view.indicator.code).toBe('delayed_discharges');
      expect(view.threshold).toBe(7);
      const byName = Object.fromEntries(view.places.map((p: { name: string }) => [p.name, p]));
      expect(Object.keys(byName)).toEqual(['Blackburn with Darwen', 'Morecambe Bay', 'Wakefield']);
      expect(byName['Morecambe Bay']).toMatchObject({ latestPeriod: '2024-12', latestValue: 17, changeFromBaseline: 6, variation: 'concern', baselineSet: true, wave: 2, regionName: 'North West' });
      expect(byName['Wakefield']).toMatchObject({ latestPeriod: '2024-10', latestValue: 12, variation: 'common_cause', baselineSet: false });
      expect(byName['Blackburn with Darwen']).toMatchObject({ latestValue: null, variation: null });
      // Three Places: every non-zero count of them is 1–7, so withheld.
      expect(view.suppressed).toBe(true);
      expect(view.variation.total.counts).toEqual({ improvement: 0, common_cause: null, concern: null, no_data: null });
      expect(view.variation.byWave.map((g: { group: string }) => g.group)).toEqual(['Wave 1', 'Wave 2']);
      const mdts = view.maturity.national.components.find((c: { component: string }) => c.component === 'neighbourhood_mdts');
      expect(mdts.levels).toEqual({ '1': 0, '2': 0, '3': null, '4': 0 });

      // Another system's lead sees only their own Place.
      const other = (await get('/neighbourhood/intelligence?indicator=delayed_discharges', leadB).expect(200)).body;
      expect(other.places.map((p: { name: string }) => p.name)).toEqual(['Wakefield']);
      const wave2 = (await get('/neighbourhood/intelligence?indicator=delayed_discharges&wave=2', nationalAdmin).expect(200)).body;
      expect(wave2.places.map((p: { name: string }) => p.name)).toEqual(['Morecambe Bay']);

      // A Place's small people count is withheld.
      await put(`/neighbourhood/places/${placeB1.id}/indicators/high_intensity_ae_users/values`, leadB, { values: [{ period: '2024-01', numerator: 30 }, { period: '2024-02', numerator: 5 }] }).expect(200);
      const counts = (await get('/neighbourhood/intelligence?indicator=high_intensity_ae_users', nationalAdmin).expect(200)).body;
      expect(counts.places.find((p: { name: string }) => p.name === 'Wakefield')).toMatchObject({ latestPeriod: '2024-02', latestValue: null, changeFromBaseline: null, withheld: true });
    });

    it('downloads the Places as CSV', async () => {
      const csv = await get('/neighbourhood/intelligence?indicator=delayed_discharges&format=csv', nationalAdmin).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe('placeId,place,system,region,wave,indicator,latestPeriod,latestValue,changeFromBaseline,changeFromBaselinePercent,variation,baselineSet,withheld');
      expect(lines).toHaveLength(4);
      expect(lines.find((l) => l.includes('Morecambe Bay'))).toContain(',2,delayed_discharges,2024-12,17,6,');
    });

    it('refuses participants and bad queries', async () => {
      expectProblem(await get('/neighbourhood/intelligence?indicator=delayed_discharges', participant), 403);
      expectProblem(await get('/neighbourhood/intelligence', nationalAdmin), 400, ['indicator']);
      expectProblem(await get('/neighbourhood/intelligence?indicator=nothing_here', nationalAdmin), 404);
      expectProblem(await get('/neighbourhood/intelligence?indicator=delayed_discharges&wave=x', nationalAdmin), 400, ['wave']);
    });

    function baseline() {
      return [10, 12, 10, 12, 10, 12, 10, 12, 10, 12];
    }
  });

  describe('practice library', () => {
    it('lets the Place’s staff and coaches share practices, and every signed-in person search them', async () => {
      const created = await post('/neighbourhood/practices', leadA, {
        placeId: placeA1.id,
        title: 'Daily discharge huddles with social care',
        summary: 'Community nursing, social care and the acute discharge team meet at 9am every day to plan the next 48 hours of discharges.',
        component: 'intermediate_care',
        contactPersonId: leadA.person.id,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ placeId: placeA1.id, placeName: 'Blackburn with Darwen', component: 'intermediate_care', contactPersonId: leadA.person.id, contact: { personId: leadA.person.id, email: leadA.email } });
      await post('/neighbourhood/practices', coachA2, { placeId: placeA2.id, title: 'Proactive frailty lists from the population health platform', summary: 'Practices run a monthly search for people with moderate frailty and invite them to a review.', component: 'population_health_management' }).expect(201);

      const search = async (query: string, as: Caller = participant) => ((await get(`/neighbourhood/practices${query}`, as).expect(200)).body.items as { title: string }[]).map((p) => p.title);
      // English stemming: "huddle" finds "huddles"; words of the summary count too.
      expect(await search('?q=huddle')).toEqual(['Daily discharge huddles with social care']);
      expect(await search('?q=reviews%20inviting')).toEqual(['Proactive frailty lists from the population health platform']);
      expect(await search('?q=discharge%20-huddle')).toEqual([]);
      expect(await search('?component=population_health_management')).toEqual(['Proactive frailty lists from the population health platform']);
      expect(await search('')).toHaveLength(2);
      expect(await search('?q=huddle', leadB)).toHaveLength(1);

      const before = await count('nh_practice');
      const body = { placeId: placeA1.id, title: 'T', summary: 'S', component: 'intermediate_care' };
      expectProblem(await post('/neighbourhood/practices', participant, body), 403);
      expectProblem(await post('/neighbourhood/practices', leadB, body), 404);
      expectProblem(await post('/neighbourhood/practices', leadA, { ...body, component: 'gardening', title: '' }), 400, ['component', 'title']);
      expectProblem(await post('/neighbourhood/practices', leadA, { ...body, contactPersonId: '00000000-0000-4000-8000-000000000000' }), 400, ['contactPersonId']);
      // The contact's name and email go to every reader, so only someone the caller can read may be named:
      // a lead of system A cannot publish system B's lead, and answers as for an unknown id.
      const elsewhere = await post('/neighbourhood/practices', leadA, { ...body, contactPersonId: leadB.person.id });
      expectProblem(elsewhere, 400, ['contactPersonId']);
      expect(elsewhere.text).not.toContain(leadB.email);
      await post('/neighbourhood/practices', leadA, { ...body, title: 'Named colleague', contactPersonId: participant.person.id }).expect(201);
      expectProblem(await get('/neighbourhood/practices?component=gardening', participant), 400, ['component']);
      expect(await count('nh_practice')).toBe(before + 1);
    });
  });

  describe('stories', () => {
    it('keeps a Place’s stories to its staff and coaches unless shared nationally', async () => {
      const local = await post(`/neighbourhood/places/${placeA1.id}/stories`, coachA, { title: 'Mrs B stayed at home', text: 'The urgent response team saw her within the hour.\nNo admission.', component: 'urgent_neighbourhood_services' });
      expect(local.status).toBe(201);
      expect(local.body).toMatchObject({ placeId: placeA1.id, placeName: 'Blackburn with Darwen', sharedNationally: false, component: 'urgent_neighbourhood_services' });
      const shared = await post(`/neighbourhood/places/${placeB1.id}/stories`, leadB, { title: 'One team for discharge', text: 'Wards now phone one number.', sharedNationally: true });
      expect(shared.status).toBe(201);

      const titles = async (path: string, as: Caller) => ((await get(path, as).expect(200)).body.items as { title: string }[]).map((s) => s.title);
      expect(await titles('/neighbourhood/stories', leadA)).toEqual(['One team for discharge', 'Mrs B stayed at home']);
      expect(await titles('/neighbourhood/stories', leadB)).toEqual(['One team for discharge']);
      expect(await titles('/neighbourhood/stories?component=urgent_neighbourhood_services', nationalAdmin)).toEqual(['Mrs B stayed at home']);
      expect(await titles(`/neighbourhood/places/${placeA1.id}/stories`, adminA)).toEqual(['Mrs B stayed at home']);
      expectProblem(await get(`/neighbourhood/places/${placeA1.id}/stories`, leadB), 404);
      expectProblem(await get('/neighbourhood/stories', participant), 403);

      const before = await count('nh_story');
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/stories`, leadB, { title: 'T', text: 'X' }), 404);
      expectProblem(await post(`/neighbourhood/places/${placeA1.id}/stories`, leadA, { title: '', text: 'X', sharedNationally: 'yes' }), 400, ['title', 'sharedNationally']);
      expect(await count('nh_story')).toBe(before);
      expect(await auditRows(api, { objectId: local.body.id, action: 'story.create' })).toEqual([expect.objectContaining({ details: { placeId: placeA1.id, sharedNationally: false } })]);
    });
  });

  describe('personal data', () => {
    it('exports what the context holds about a coach and erases it, keeping the Place’s records', async () => {
      const download = await get(`/me/data-export`, coachA).buffer(true).parse(binaryParser).expect(200);
      const files = await zipOf(download);
      const data = JSON.parse(files.get('neighbourhood-health.json')!) as { placesCoached: { placeId: string }[]; coachingSessions: { role: string; summary?: string }[] };
      expect(data.placesCoached.map((p) => p.placeId)).toEqual([placeA1.id]);
      expect(data.coachingSessions).toEqual([expect.objectContaining({ role: 'coach', summary: expect.stringContaining('frailty MDT') })]);
      expect((data as unknown as { storiesWritten: { title: string }[] }).storiesWritten.map((s) => s.title)).toEqual(['Mrs B stayed at home']);
      expect(files.get('README.txt')).toContain('neighbourhood-health.json');

      const sessions = await count('nh_coaching_session', 'place_id = ?', [placeA1.id]);
      await post(`/people/${coachA.person.id}/erasure`, nationalAdmin, { reason: 'Left the programme and asked to be forgotten' }).expect(200);
      expect(await count('nh_place_coach', 'person_id = ?', [coachA.person.id])).toBe(0);
      expect(await count('nh_coaching_session', 'coach_id = ?', [coachA.person.id])).toBe(0);
      expect(await count('nh_coaching_session', 'place_id = ?', [placeA1.id])).toBe(sessions);
      expect(await count('nh_assessment', 'recorded_by_account_id = ?', [coachA.account.id])).toBe(0);
      // The story they wrote stays with the Place, no longer naming them.
      expect(await count('nh_story', 'author_id = ?', [coachA.person.id])).toBe(0);
      expect(await count('nh_story', 'place_id = ?', [placeA1.id])).toBe(1);
      expect((await get(`/neighbourhood/places/${placeA1.id}`, nationalAdmin).expect(200)).body.coachPersonIds).toEqual([]);
    });
  });
});
