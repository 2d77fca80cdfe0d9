import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { TalentPool } from '@slp/talent';
import { account, cohort, forkEm, organisation, programme, signIn, system, TEST_PASSWORD } from './support/factories';
import { PROBLEM_JSON } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

/**
 * Property-based: every route that takes a DTO (body or query), found from the controllers' own
 * metadata so a new route is covered without editing this file, gets hostile JSON (nulls, wrong
 * types, control characters, huge numbers, deep nesting, unknown fields) and must answer with
 * something other than a 5xx, and with problem+json whenever it refuses.
 */

interface DtoRoute {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly where: 'body' | 'query';
  readonly dto: Function;
  readonly properties: readonly PropertyShape[];
}

interface PropertyShape {
  readonly name: string;
  /** Allowed values (from @IsIn), to get past the first check now and then. */
  readonly allowed: readonly unknown[];
}

const METHODS: Partial<Record<RequestMethod, DtoRoute['method']>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};
const BODY = 3;
const QUERY = 4;

function shapeOf(dto: Function): PropertyShape[] {
  const byName = new Map<string, unknown[]>();
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const allowed = byName.get(meta.propertyName) ?? [];
    if (meta.name === 'isIn' && Array.isArray(meta.constraints?.[0])) allowed.push(...(meta.constraints[0] as unknown[]));
    byName.set(meta.propertyName, allowed);
  }
  return [...byName].map(([name, allowed]) => ({ name, allowed }));
}

/** Every controller method with a DTO-typed @Body() or @Query(), from Nest's route metadata. */
function dtoRoutes(api: TestApi): DtoRoute[] {
  const routes: DtoRoute[] = [];
  for (const module of api.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller?.prototype) continue;
      const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '')[0]!;
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[key] as unknown;
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (!method || sub === undefined) continue;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, key) ?? []) as Function[];
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {}) as Record<string, { index: number; data?: unknown }>;
        for (const [argKey, arg] of Object.entries(args)) {
          const kind = Number(argKey.split(':')[0]);
          const dto = types[arg.index];
          if ((kind !== BODY && kind !== QUERY) || arg.data !== undefined || !dto || dto === Object) continue;
          const properties = shapeOf(dto);
          if (!properties.length) continue;
          const path = ['', base.startsWith('health') ? '' : 'api/v1', base, ([] as string[]).concat(sub)[0]!].filter(Boolean).join('/').replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
          routes.push({ method, path: path.startsWith('/') ? path : `/${path}`, where: kind === BODY ? 'body' : 'query', dto, properties });
        }
      }
    }
  }
  return routes;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const hostileText = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', 'é', '😀', '\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\n', '\t', '\r', '\u202e', '\u2066', '\u200b', '\ufeff', '%', "'", '"', '\\', '_'), maxLength: 40 });

const hostileScalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, 1e21, 0.5, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  hostileText,
  fc.string({ maxLength: 5 }),
  fc.constantFrom('', ' ', '2027-02-30T09:00:00Z', '2027-03-01T09:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01', '-004714-01-01T00:00:00Z', '+200000-01-01T00:00:00Z', 'NaN', 'null', 'true', '1e400', randomUUID(), '00000000-0000-0000-0000-000000000000', 'x'.repeat(6000)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** `maxDepth` stays small for query strings: Node refuses a URL over 16 KB (431) before the app sees it. */
function hostileValue(maxDepth: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: hostileScalar },
    { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'staffGroups', 'personId', 'email', '__proto__', 'constructor'), hostileScalar, { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: maxDepth }).map(nested) },
  );
}

function valueFor(property: PropertyShape, maxDepth: number): fc.Arbitrary<unknown> {
  return property.allowed.length ? fc.oneof(fc.constantFrom(...property.allowed), hostileValue(maxDepth)) : hostileValue(maxDepth);
}

/** A body or query for the route: some of its fields (hostile or allowed values), sometimes an unknown one, or any JSON at all. */
function inputFor(route: DtoRoute): fc.Arbitrary<unknown> {
  const maxDepth = route.where === 'query' ? 100 : 3_000;
  const fields = fc
    .subarray([...route.properties], { minLength: 0 })
    .chain((chosen) => fc.tuple(...chosen.map((property) => valueFor(property, maxDepth).map((value) => [property.name, value] as const))))
    .chain((entries) => fc.option(fc.tuple(fc.constantFrom('unknownField', 'id', 'roles', 'isAdmin'), hostileScalar), { freq: 5 }).map((extra) => Object.fromEntries(extra ? [...entries, extra] : entries)));
  if (route.where === 'query') return fields;
  return fc.oneof({ weight: 5, arbitrary: fields }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
}

/** Query values travel as text. */
function asQuery(input: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((input ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']));
}

describe('every DTO against hostile input (property-based, e2e)', () => {
  let api: TestApi;
  let token: string;
  let routes: DtoRoute[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const inSystem = await system(em);
    const org = await organisation(em, inSystem);
    const admin = await account(em, { roles: ['admin'] });
    const participant = await account(em, { roles: ['participant'], organisation: org });
    token = await signIn(api, admin);
    const prog = await programme(em, inSystem);
    const co = await cohort(em, prog);
    const pool = em.create(TalentPool, { system: inSystem, name: 'Future system leaders', purpose: 'Succession', createdAt: new Date() });
    await em.flush();
    Object.assign(ids, { systemId: inSystem.id, organisationId: org.id, programmeId: prog.id, cohortId: co.id, personId: participant.person.id, talentPoolId: pool.id, adminEmail: admin.email });
    const auth = { Authorization: `Bearer ${token}` };
    const session = await api.http().post(`/api/v1/cohorts/${co.id}/sessions`).set(auth).send({ title: 'Opening day', kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' });
    ids.sessionId = session.body.id;
    const enrolment = await api.http().post(`/api/v1/cohorts/${co.id}/enrolments`).set(auth).send({ personId: participant.person.id });
    ids.enrolmentId = enrolment.body.id;
    const nomination = await api.http().post('/api/v1/nominations').set(auth).send({ nominee: { personId: participant.person.id }, talentPoolId: pool.id, readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' });
    ids.nominationId = nomination.body.id;
    routes = dtoRoutes(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  /**
   * A valid input for the routes whose DTOs have required fields, so that one hostile field gets
   * past the others to the service and PostgreSQL (a route not listed here starts from `{}`).
   */
  function validInput(route: DtoRoute): Record<string, unknown> {
    const n = randomUUID().slice(0, 6);
    const cohortBody = { name: `Cohort ${n}`, capacity: 20, enrolmentOpensAt: '2027-01-04T09:00:00Z', enrolmentClosesAt: '2027-02-26T17:00:00Z', startsAt: '2027-03-15T09:00:00Z', endsAt: '2027-09-30T17:00:00Z', requiresApproval: false, waitlistEnabled: true };
    const templates: Record<string, Record<string, unknown>> = {
      'post /api/v1/auth/register': { email: `fuzz.${n}@nhs.example`, password: 'a long enough password', givenName: 'Grace', familyName: 'Mensah' },
      'post /api/v1/auth/login': { email: ids.adminEmail, password: TEST_PASSWORD },
      'post /api/v1/systems': { name: `Fuzz ICS ${n}`, odsCode: `Q${n.slice(0, 4).toUpperCase()}`, kind: 'ICS', region: 'Y62', population: 1_000_000 },
      'post /api/v1/systems/:systemId/places': { name: `Place ${n}`, wave: 1, maturityLevel: 2 },
      'post /api/v1/organisations': { name: `Trust ${n}`, odsCode: `R${n.slice(0, 4).toUpperCase()}`, type: 'acute_trust', systemId: ids.systemId },
      'post /api/v1/programmes': { title: `Programme ${n}`, description: 'About it', level: 'system', systemId: ids.systemId, fundingPence: 100 },
      'post /api/v1/programmes/:programmeId/cohorts': cohortBody,
      'post /api/v1/cohorts/:cohortId/sessions': { title: `Session ${n}`, kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' },
      'post /api/v1/nominations': { nominee: { email: `nominee.${n}@nhs.example`, givenName: 'Sam', familyName: 'Patel', organisationId: ids.organisationId }, talentPoolId: ids.talentPoolId, readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' },
      'post /api/v1/talent-pools': { systemId: ids.systemId, name: `Pool ${n}`, purpose: 'Succession' },
      'post /api/v1/people/:personId/appointments': { post: 'Director of Nursing', organisationId: ids.organisationId, appointedOn: '2026-11-02' },
      'post /api/v1/accounts': { email: `account.${n}@nhs.example`, givenName: 'Ada', familyName: 'Okafor', roles: ['participant'], systemIds: [], organisationId: ids.organisationId },
      'put /api/v1/me/equality': { consent: true, ageBand: '35_44' },
    };
    return { ...(templates[`${route.method} ${route.path}`] ?? {}) };
  }

  function send(route: DtoRoute, input: unknown): Promise<Response> {
    const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => ids[name] ?? randomUUID());
    const request = api.http()[route.method](path).set('Authorization', `Bearer ${token}`);
    if (route.where === 'query') return request.query(asQuery(input));
    return request.set('Content-Type', 'application/json').send(JSON.stringify(input ?? null));
  }

  function expectNoServerError(route: DtoRoute, input: unknown, response: Response): void {
    const summary = `${route.method.toUpperCase()} ${route.path} ${route.where} ${JSON.stringify(input)?.slice(0, 300)} → ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
    expect({ summary, serverError: response.status >= 500 }).toEqual({ summary, serverError: false });
    if (response.status >= 400) expect({ summary, contentType: response.headers['content-type'] }).toEqual({ summary, contentType: expect.stringMatching(PROBLEM_JSON) });
  }

  it('finds the routes that take DTOs (the sweep below is not vacuous)', () => {
    const names = routes.map((r) => `${r.method} ${r.path} ${r.where}`);
    expect(names).toEqual(expect.arrayContaining(['post /api/v1/auth/register body', 'patch /api/v1/cohorts/:cohortId body', 'patch /api/v1/sessions/:sessionId body', 'post /api/v1/nominations body', 'patch /api/v1/people/:personId body']));
    expect(routes.length).toBeGreaterThan(25);
  });

  it('starts from inputs that are valid (control for the property below)', async () => {
    const templated = routes.filter((route) => Object.keys(validInput(route)).length);
    expect(templated.length).toBeGreaterThanOrEqual(12);
    for (const route of templated) {
      const response = await send(route, validInput(route));
      expect({ route: `${route.method} ${route.path}`, status: response.status, body: response.status < 300 ? undefined : response.body }).toEqual({ route: `${route.method} ${route.path}`, status: expect.any(Number), body: undefined });
    }
  });

  it('answers null, NUL, a bidi override, deep nesting and a huge number in each field of each DTO without a 5xx', async () => {
    // Dates at the ends of what JavaScript can hold lie outside PostgreSQL's range (4713 BC to 294276 AD).
    const probes: unknown[] = [null, 'x\u0000y', '\u202eevil', nested(200), 1e308, -1e308, [], {}, '-177993-10-25T05:54:25Z', '+275760-09-13T00:00:00Z', '0000-01-01T00:00:00Z', '0000-01-01'];
    for (const route of routes) {
      for (const property of route.properties) {
        for (const probe of probes) {
          const input = { [property.name]: probe };
          expectNoServerError(route, input, await send(route, input));
        }
      }
    }
  }, 60_000);

  it('answers a valid input with one field made hostile (or removed) without a 5xx, for any DTO route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: routes.length - 1 }).chain((index) => {
          const route = routes[index]!;
          const property = fc.constantFrom(...route.properties);
          return fc.tuple(fc.constant(route), property.chain((p) => fc.tuple(fc.constant(p.name), fc.option(valueFor(p, route.where === 'query' ? 100 : 3_000), { freq: 8, nil: undefined }))));
        }),
        async ([route, [name, value]]) => {
          const input = validInput(route);
          if (value === undefined) delete input[name];
          else input[name] = value;
          expectNoServerError(route, input, await send(route, input));
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 60_000);

  it('answers arbitrary hostile input to any DTO route without a 5xx, with problem+json when refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: routes.length - 1 }).chain((index) => fc.tuple(fc.constant(routes[index]!), inputFor(routes[index]!))),
        async ([route, input]) => {
          expectNoServerError(route, input, await send(route, input));
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 60_000);
});
