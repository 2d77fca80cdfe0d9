import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { Organisation, System } from '@slp/directory';
import { Programme } from '@slp/learning';
import { TalentPool } from '@slp/talent';
import { AccessPolicy, ACCESS_POLICY } from '@slp/platform';
import { staffAccounts, twoSystems } from './support/callers';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, programme } from './support/factories';
import { AUTHZ_MATRIX, Caller, CALLERS, MatrixEntry, MatrixObjects } from './support/authz-matrix';
import { startTestApi, TestApi } from './support/test-api';

/**
 * Every route of the running API (read from Nest's router, not a list kept by hand) × every
 * caller × an object of the caller's own system and of another, each cell against fresh objects,
 * compared with the table in test/support/authz-matrix.ts. A route without an entry fails, by
 * name. `AUTHZ_RECORD=1` prints the statuses the API gives now, in the table's format (to write
 * an entry for a new route: then check each status against the access rules before pasting it).
 */

type Scope = 'own' | 'peer' | 'other';
/** Path parameters naming something a person owns: their routes also get a `peer` row. */
const PERSONAL = new Set(['personId', 'enrolmentId', 'nominationId', 'notificationId']);
const SCOPES: readonly Scope[] = ['own', 'peer', 'other'];
const METHODS: Partial<Record<RequestMethod, 'get' | 'post' | 'put' | 'patch' | 'delete'>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

interface Route {
  readonly key: string;
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly params: readonly string[];
  readonly policy: AccessPolicy | undefined;
}

/** The routes Nest serves, from each controller's metadata, as `METHOD /api/v1/path/:param`. */
function routesOf(api: TestApi): Route[] {
  const routes: Route[] = [];
  for (const module of api.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller?.prototype) continue;
      const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '')[0]!;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as unknown;
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (!method || sub === undefined) continue;
        for (const subPath of ([] as string[]).concat(sub)) {
          const joined = ['', base.startsWith('health') ? '' : 'api/v1', base, subPath].filter(Boolean).join('/').replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
          const path = joined.startsWith('/') ? joined : `/${joined}`;
          const policy = (Reflect.getMetadata(ACCESS_POLICY, handler) ?? Reflect.getMetadata(ACCESS_POLICY, controller)) as AccessPolicy | undefined;
          routes.push({ key: `${method.toUpperCase()} ${path}`, method, path, params: [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!), policy });
        }
      }
    }
  }
  return routes;
}

function statusesOf(row: string): number[] {
  return row.trim().split(/\s+/).map(Number);
}

describe('authorisation matrix: every route × caller × own/other system (e2e)', () => {
  let api: TestApi;
  let routes: Route[];
  let world: { systemA: System; systemB: System; orgA: Organisation; orgB: Organisation; staff: Record<'lead' | 'coach' | 'systemAdmin' | 'nationalAdmin' | 'adminB', AccountFixture> };
  let sequence = 0;

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const systems = await twoSystems(em);
    const { nationalAdmin, adminA, leadA } = await staffAccounts(em, systems);
    const coach = await account(em, { roles: ['coach'], systems: [systems.systemA], organisation: systems.orgA });
    const adminB = await account(em, { roles: ['admin'], systems: [systems.systemB], organisation: systems.orgB });
    world = { ...systems, staff: { lead: leadA, coach, systemAdmin: adminA, nationalAdmin, adminB } };
    routes = routesOf(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('has an entry for every route, and no entry for a route that is gone', () => {
    expect(routes.length).toBeGreaterThan(80);
    const keys = new Set(routes.map((r) => r.key));
    const missing = routes.filter((r) => !AUTHZ_MATRIX[r.key]).map((r) => `${r.key} has no entry in test/support/authz-matrix.ts (add one: see the comment at the top of that file)`);
    const stale = Object.keys(AUTHZ_MATRIX).filter((key) => !keys.has(key)).map((key) => `${key} is in test/support/authz-matrix.ts but the API has no such route`);
    const malformed = routes.flatMap((r) => {
      const entry = AUTHZ_MATRIX[r.key];
      if (!entry) return [];
      const problems: string[] = [];
      for (const scope of SCOPES) {
        const row = entry[scope];
        if (row !== undefined && (statusesOf(row).length !== CALLERS.length || statusesOf(row).some((s) => !(s >= 200 && s < 600)))) problems.push(`${r.key} ${scope}: needs ${CALLERS.length} statuses (${CALLERS.join(', ')}), has '${row}'`);
      }
      for (const scope of SCOPES) {
        const row = entry.listed?.[scope];
        if (row !== undefined && (row.trim().split(/\s+/).length !== CALLERS.length || row.trim().split(/\s+/).some((v) => !['y', 'n', '-'].includes(v)))) problems.push(`${r.key} listed ${scope}: needs ${CALLERS.length} of y, n or -, has '${row}'`);
        if (entry.listed && (entry[scope] !== undefined || scope === 'own') && row === undefined) problems.push(`${r.key}: listed needs a '${scope}' row like the statuses`);
      }
      if (r.params.length && entry.other === undefined) problems.push(`${r.key} takes ${r.params.join(', ')}: its entry needs an 'other' row (the other system's object)`);
      const personal = r.params.filter((p) => PERSONAL.has(p));
      if (personal.length && entry.peer === undefined) problems.push(`${r.key} takes ${personal.join(', ')}: its entry needs a 'peer' row (another participant's, in the caller's system)`);
      return problems;
    });
    expect([...missing, ...stale, ...malformed]).toEqual([]);
  });

  /** Fresh objects for one cell, created on first use, owned (where a person owns them) by `owner`. */
  function objectsFor(scope: Scope, owner: AccountFixture): MatrixObjects {
    const em = forkEm(api);
    const inSystem = scope === 'other' ? world.systemB : world.systemA;
    const org = scope === 'other' ? world.orgB : world.orgA;
    const national = () => ({ Authorization: `Bearer ${accessTokenFor(api, world.staff.nationalAdmin)}` });
    const memo = <T>(make: () => Promise<T>) => {
      let made: Promise<T> | undefined;
      return () => (made ??= make());
    };
    const created = async (call: Promise<{ status: number; body: { id?: string }; text: string }>, what: string): Promise<string> => {
      const response = await call;
      if (response.status >= 300 || !response.body.id) throw new Error(`could not create the ${what} for the matrix: ${response.status} ${response.text}`);
      return response.body.id;
    };
    /** Brings a directory Place into the programme with these coaches, assessed at `level` in population health management. */
    const joinProgramme = async (placeId: string, coachPersonIds: string[], level: number): Promise<void> => {
      const joined = await api.http().post('/api/v1/neighbourhood/places').set(national()).send({ placeId, wave: 1, joinedOn: '2026-04-01', population: 52_000, coachPersonIds });
      if (joined.status !== 201) throw new Error(`could not bring the Place into the programme for the matrix: ${joined.status} ${joined.text}`);
      await created(api.http().post(`/api/v1/neighbourhood/places/${placeId}/assessments`).set(national()).send({ assessedOn: '2026-10-01', components: { population_health_management: { level, evidence: 'Self-assessment workshop' } } }), 'assessment');
    };
    const objects: MatrixObjects = {
      systemId: async () => inSystem.id,
      organisationId: async () => org.id,
      placeId: memo(() => created(api.http().post(`/api/v1/systems/${inSystem.id}/places`).set(national()).send({ name: `Place ${objects.unique()}` }), 'place')),
      personId: async () => owner.person.id,
      personEmail: async () => owner.email,
      programmeId: memo(async () => (await programme(em, inSystem)).id),
      cohortId: memo(async () => (await cohort(em, em.getReference(Programme, await objects.programmeId()))).id),
      sessionId: memo(async () => created(api.http().post(`/api/v1/cohorts/${await objects.cohortId()}/sessions`).set(national()).send({ title: 'Opening day', kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' }), 'session')),
      enrolmentId: memo(async () => created(api.http().post(`/api/v1/cohorts/${await objects.cohortId()}/enrolments`).set(national()).send({ personId: owner.person.id }), 'enrolment')),
      talentPoolId: memo(async () => {
        const pool = em.create(TalentPool, { system: inSystem, name: `Pool ${objects.unique()}`, purpose: 'Succession', createdAt: new Date() });
        await em.flush();
        return pool.id;
      }),
      nominationId: memo(async () => created(api.http().post('/api/v1/nominations').set(national()).send({ nominee: { personId: owner.person.id }, talentPoolId: await objects.talentPoolId(), readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' }), 'nomination')),
      notificationId: memo(async () => {
        const enrolmentId = await objects.enrolmentId();
        const [row] = await forkEm(api).getConnection().execute<{ id: string }[]>('select id from notification where subject_id = ? order by created_at limit 1', [enrolmentId]);
        if (!row) throw new Error('the enrolment made no notification for the matrix');
        return row.id;
      }),
      importId: memo(async () => {
        const admin = scope === 'other' ? world.staff.adminB : world.staff.systemAdmin;
        return created(api.http().post('/api/v1/imports?kind=esr_people&dryRun=true').set('Authorization', `Bearer ${accessTokenFor(api, admin)}`).set('Content-Type', 'text/csv').send('Employee Number,Email\n1,a@nhs.example\n'), 'import');
      }),
      programmePlaceId: memo(async () => {
        const placeId = await created(api.http().post(`/api/v1/systems/${inSystem.id}/places`).set(national()).send({ name: `NH ${(1e13 - Date.now()).toString(36).padStart(9, '0')} ${objects.unique()}` }), 'place');
        const coaches = scope === 'other' ? [] : [world.staff.coach.person.id];
        await joinProgramme(placeId, coaches, 1);
        return placeId;
      }),
      mentorPlaceId: memo(async () => {
        const placeId = await created(api.http().post(`/api/v1/systems/${inSystem.id}/places`).set(national()).send({ name: `Mentor ${objects.unique()}` }), 'mentor place');
        await joinProgramme(placeId, [], 3);
        return placeId;
      }),
      mentoringId: memo(async () =>
        created(api.http().post('/api/v1/neighbourhood/mentoring').set(national()).send({ menteePlaceId: await objects.programmePlaceId(), mentorPlaceId: await objects.mentorPlaceId(), component: 'population_health_management', goal: 'Risk stratification that the practices use' }), 'mentoring'),
      ),
      storyId: memo(async () =>
        created(api.http().post(`/api/v1/neighbourhood/places/${await objects.programmePlaceId()}/stories`).set(national()).send({ title: 'Mr D went home on day two', text: 'Step-down care at home, arranged by the MDT.', component: 'intermediate_care', sharedNationally: false }), 'story'),
      ),
      indicatorCode: memo(async () => {
        const code = `matrix_${objects.unique()}`;
        const response = await api.http().post('/api/v1/neighbourhood/indicators').set(national()).send({ code, name: `Matrix indicator ${code}`, unit: 'rate_per_1000', betterWhen: 'lower' });
        if (response.status !== 201) throw new Error(`could not create the indicator for the matrix: ${response.status} ${response.text}`);
        return code;
      }),
      unique: () => `${Date.now().toString(36)}${(sequence++).toString(36)}${randomUUID().slice(0, 4)}`,
    };
    return objects;
  }

  /** The status `caller` gets from `route` aimed at `scope`'s fresh objects. */
  async function cell(route: Route, entry: MatrixEntry, scope: Scope, caller: Caller): Promise<{ status: number; text: string; listed?: 'y' | 'n' | '-' }> {
    const em = forkEm(api);
    const participant = await account(em, { roles: ['participant'], organisation: world.orgA });
    const owner = scope === 'own' ? participant : await account(em, { roles: ['participant'], organisation: scope === 'peer' ? world.orgA : world.orgB });
    const objects = objectsFor(scope, owner);
    let path = route.path;
    for (const param of route.params) {
      const make = objects[(entry.params?.[param] ?? param) as keyof MatrixObjects] as (() => Promise<string>) | undefined;
      if (!make) throw new Error(`${route.key}: the matrix cannot make a ${param} (add it to MatrixObjects)`);
      path = path.replace(`:${param}`, await make());
    }
    const listedId = entry.listed ? await objects[entry.listed.object]() : undefined;
    const query = entry.query ? await entry.query(objects) : undefined;
    const body = entry.body ? await entry.body(objects) : undefined;
    let request = api.http()[route.method](path);
    if (query) request = request.query(query);
    if (caller !== 'anonymous') {
      const fixture = caller === 'participant' ? participant : world.staff[caller];
      request = request.set('Authorization', `Bearer ${accessTokenFor(api, fixture)}`);
    }
    if (body !== undefined) request = entry.contentType ? request.set('Content-Type', entry.contentType).send(body as string) : request.send(body as object);
    const response = await request;
    const listed = listedId === undefined ? undefined : response.status >= 300 ? '-' : response.text.includes(listedId) ? 'y' : 'n';
    return { status: response.status, text: response.text, listed };
  }

  it('gives each caller the status in the table, for their own system’s objects and for another’s', async () => {
    const mismatches: string[] = [];
    const recorded: string[] = [];
    for (const route of routes) {
      const entry = AUTHZ_MATRIX[route.key];
      if (!entry) continue;
      const scopes = SCOPES.filter((scope) => scope === 'own' || entry[scope] !== undefined || (scope === 'other' ? route.params.length > 0 : route.params.some((p) => PERSONAL.has(p))));
      const rows: Partial<Record<Scope, string>> = {};
      const listedRows: Partial<Record<Scope, string>> = {};
      for (const scope of scopes) {
        const got = await Promise.all(CALLERS.map((caller) => cell(route, entry, scope, caller)));
        rows[scope] = got.map((g) => g.status).join(' ');
        const expected = entry[scope] ? statusesOf(entry[scope]) : [];
        const expectedListed = entry.listed?.[scope]?.trim().split(/\s+/) ?? [];
        if (entry.listed) listedRows[scope] = got.map((g) => g.listed).join(' ');
        CALLERS.forEach((caller, i) => {
          if (got[i]!.status !== expected[i]) mismatches.push(`${route.key} ${scope} ${caller}: expected ${expected[i] ?? '(none)'}, got ${got[i]!.status} ${got[i]!.text.slice(0, 200)}`);
          if (entry.listed && got[i]!.listed !== expectedListed[i]) mismatches.push(`${route.key} ${scope} ${caller}: expected the ${entry.listed.object.replace(/Id$/, '')} ${expectedListed[i] === 'y' ? 'listed' : expectedListed[i] === 'n' ? 'not listed' : expectedListed[i] === '-' ? 'refused' : '(no listed row)'}, got ${got[i]!.listed}`);
        });
      }
      const listedText = entry.listed ? `, listed: { object: '${entry.listed.object}', ${scopes.map((scope) => `${scope}: '${listedRows[scope]}'`).join(', ')} }` : '';
      recorded.push(`  '${route.key}': { own: '${rows.own}'${rows.peer ? `, peer: '${rows.peer}'` : ''}${rows.other ? `, other: '${rows.other}'` : ''}${listedText} },  // ${route.policy ? JSON.stringify(route.policy) : 'no policy'}`);
    }
    if (process.env.AUTHZ_RECORD) {
      // eslint-disable-next-line no-console
      console.log(`Statuses now (${CALLERS.join(', ')}):\n${recorded.join('\n')}`);
      return;
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});
