import type { Response } from 'supertest';
import { Organisation, Place, System } from '@slp/directory';
import { account, AccountFixture, forkEm, organisation, region, signIn, system } from './support/factories';
import { type AuditRow, auditRows, expectNotAudited, expectProblem, PROBLEM_JSON } from './support/assertions';
import { startTestApi, TestApi } from './support/test-api';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface SystemBody {
  id: string;
  name: string;
  odsCode: string;
  kind: string;
  region: string;
  regionCode: string;
  population: number | null;
}

interface OrganisationBody {
  id: string;
  name: string;
  odsCode: string;
  type: string;
  systemId: string;
  placeId: string | null;
}

describe('directory (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let systemB: System;
  let placeA: Place;
  let placeB: Place;
  let orgA: Organisation;
  let orgB: Organisation;
  let nationalAdmin: AccountFixture;
  let adminA: AccountFixture;
  const token: Record<'nationalAdmin' | 'adminA' | 'leadA' | 'leadB' | 'coachA' | 'participant', string> = {} as never;
  let odsSequence = 0;

  const auth = (name: keyof typeof token) => ({ Authorization: `Bearer ${token[name]}` });
  const get = (path: string, as: keyof typeof token) => api.http().get(`/api/v1${path}`).set(auth(as));
  const post = (path: string, as: keyof typeof token, body: object) => api.http().post(`/api/v1${path}`).set(auth(as)).send(body);
  /** A fresh ODS code, unique within this file's run. */
  const ods = (prefix: string) => `${prefix}${(odsSequence++).toString(36).toUpperCase().padStart(3, '0')}`;

  /** The change was audited once, by `actor`, in the request that made it. */
  async function expectAudited(response: Response, actor: AccountFixture, action: string, objectType: string, objectId: string): Promise<AuditRow> {
    const requestId = response.headers['x-request-id'] as string;
    expect(requestId).toEqual(expect.any(String));
    const rows = await auditRows(api, { objectId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_account_id: actor.account.id, action, object_type: objectType, object_id: objectId, request_id: requestId });
    return rows[0]!;
  }

  async function countSystems(where: object): Promise<number> {
    return forkEm(api).count(System, where);
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    await region(em, 'Y62', 'North West');
    await region(em, 'Y63', 'North East and Yorkshire');
    await region(em, 'Y56', 'London');
    systemA = await system(em, 'Alpha Test ICS');
    systemB = await system(em, 'Bravo Test ICS');
    placeA = em.create(Place, { system: systemA, name: 'Wigan', wave: 1, maturityLevel: 2, createdAt: new Date() });
    placeB = em.create(Place, { system: systemB, name: 'Sunderland', createdAt: new Date() });
    await em.flush();
    orgA = await organisation(em, systemA);
    orgB = await organisation(em, systemB);
    nationalAdmin = await account(em, { roles: ['admin'] });
    adminA = await account(em, { roles: ['admin'], systems: [systemA] });
    const leadA = await account(em, { roles: ['programme_lead'], systems: [systemA] });
    const leadB = await account(em, { roles: ['programme_lead'], systems: [systemB] });
    const coachA = await account(em, { roles: ['coach'], systems: [systemA] });
    const participant = await account(em, { organisation: orgA });
    const fixtures = { nationalAdmin, adminA, leadA, leadB, coachA, participant };
    await Promise.all(Object.entries(fixtures).map(async ([name, fixture]) => (token[name as keyof typeof token] = await signIn(api, fixture))));
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('systems', () => {
    const ids = (response: Response) => (response.body as Page<SystemBody>).items.map((s) => s.id);

    it('lists every system to a national admin, in name order', async () => {
      const response = await get('/systems', 'nationalAdmin').expect(200);
      expect(ids(response)).toEqual(expect.arrayContaining([systemA.id, systemB.id]));
      const names = (response.body as Page<SystemBody>).items.map((s) => s.name);
      expect(names.indexOf('Alpha Test ICS')).toBeLessThan(names.indexOf('Bravo Test ICS'));
      expect(response.body.nextCursor).toBeNull();
    });

    it('lists only their own system to a system admin, a programme lead and a coach', async () => {
      expect(ids(await get('/systems', 'adminA').expect(200))).toEqual([systemA.id]);
      expect(ids(await get('/systems', 'leadA').expect(200))).toEqual([systemA.id]);
      expect(ids(await get('/systems', 'coachA').expect(200))).toEqual([systemA.id]);
      expect(ids(await get('/systems', 'leadB').expect(200))).toEqual([systemB.id]);
    });

    it('lists every system to a participant (the reference directory is theirs to read)', async () => {
      expect(ids(await get('/systems', 'participant').expect(200))).toEqual(expect.arrayContaining([systemA.id, systemB.id]));
    });

    it('shows a system with its region to its own lead', async () => {
      const response = await get(`/systems/${systemA.id}`, 'leadA').expect(200);
      expect(response.body).toEqual({ id: systemA.id, name: 'Alpha Test ICS', odsCode: systemA.odsCode, kind: 'ICS', region: 'North West', regionCode: 'Y62', population: 1_000_000, closedOn: null });
    });

    it('hides another system from a programme lead (404), exactly as if it did not exist', async () => {
      const hidden = await get(`/systems/${systemB.id}`, 'leadA');
      expectProblem(hidden, 404);
      const missing = await get('/systems/00000000-0000-4000-8000-000000000000', 'leadA');
      expectProblem(missing, 404);
      expect(hidden.body.title).toBe(missing.body.title);
    });

    it('lets a participant read any system', async () => {
      expect((await get(`/systems/${systemB.id}`, 'participant').expect(200)).body.id).toBe(systemB.id);
    });

    it('rejects a malformed system id (400) and an anonymous caller (401)', async () => {
      expectProblem(await get('/systems/not-a-uuid', 'nationalAdmin'), 400);
      expectProblem(await api.http().get('/api/v1/systems'), 401);
      expectProblem(await api.http().get('/api/v1/systems').set('Authorization', 'Bearer not.a.token'), 401);
    });

    it('lists all seven NHS England regions by name (migrations provide them)', async () => {
      const response = await get('/regions', 'participant').expect(200);
      expect(response.body).toEqual([
        { code: 'Y61', name: 'East of England' },
        { code: 'Y56', name: 'London' },
        { code: 'Y60', name: 'Midlands' },
        { code: 'Y63', name: 'North East and Yorkshire' },
        { code: 'Y62', name: 'North West' },
        { code: 'Y59', name: 'South East' },
        { code: 'Y58', name: 'South West' },
      ]);
    });

    it('lets a national admin add a system, with the region given by name in any case, and audits it', async () => {
      const response = await post('/systems', 'nationalAdmin', { name: '  Charlie Test ICS ', odsCode: 'qc1', kind: 'ICS', region: 'north east and yorkshire', population: 2_400_000 }).expect(201);
      expect(response.body).toEqual({ id: expect.any(String), name: 'Charlie Test ICS', odsCode: 'QC1', kind: 'ICS', region: 'North East and Yorkshire', regionCode: 'Y63', population: 2_400_000, closedOn: null });
      await expectAudited(response, nationalAdmin, 'system.create', 'system', response.body.id);
      expect((await get(`/systems/${response.body.id}`, 'nationalAdmin').expect(200)).body).toEqual(response.body);
    });

    it('accepts the region by ODS code, and no population', async () => {
      const response = await post('/systems', 'nationalAdmin', { name: 'Delta Test STP', odsCode: 'QD1', kind: 'STP', region: 'y56' }).expect(201);
      expect(response.body).toMatchObject({ kind: 'STP', region: 'London', regionCode: 'Y56', population: null });
    });

    it('forbids a system admin from adding a system (403) and records nothing', async () => {
      const response = await post('/systems', 'adminA', { name: 'Echo Test ICS', odsCode: 'QE9', kind: 'ICS', region: 'Y62' });
      expectProblem(response, 403);
      await expectNotAudited(api, response);
      expect(await countSystems({ odsCode: 'QE9' })).toBe(0);
    });

    it('forbids programme leads and participants from adding a system (403)', async () => {
      for (const caller of ['leadA', 'participant'] as const) {
        const response = await post('/systems', caller, { name: 'Foxtrot Test ICS', odsCode: 'QF9', kind: 'ICS', region: 'Y62' });
        expectProblem(response, 403);
        await expectNotAudited(api, response);
      }
      expect(await countSystems({ odsCode: 'QF9' })).toBe(0);
    });

    it('rejects a malformed odsCode (400, errors lists odsCode)', async () => {
      for (const odsCode of ['Q', 'QABCDE', 'Q-1', '']) {
        const response = await post('/systems', 'nationalAdmin', { name: 'Golf Test ICS', odsCode, kind: 'ICS', region: 'Y62' });
        expectProblem(response, 400, ['odsCode']);
        await expectNotAudited(api, response);
      }
      expect(await countSystems({ name: 'Golf Test ICS' })).toBe(0);
    });

    it('rejects an unknown region (400, errors lists region)', async () => {
      const response = await post('/systems', 'nationalAdmin', { name: 'Hotel Test ICS', odsCode: 'QH9', kind: 'ICS', region: 'Atlantis' });
      expectProblem(response, 400, ['region']);
      await expectNotAudited(api, response);
      expect(await countSystems({ odsCode: 'QH9' })).toBe(0);
    });

    it('matches the region exactly, not as a pattern (400 for "North%")', async () => {
      for (const pattern of ['North%', '%', 'Y6_']) {
        const response = await post('/systems', 'nationalAdmin', { name: 'India Test ICS', odsCode: 'QI9', kind: 'ICS', region: pattern });
        expectProblem(response, 400, ['region']);
      }
      expect(await countSystems({ odsCode: 'QI9' })).toBe(0);
    });

    it('rejects a wrong kind, a negative population and unknown fields (400)', async () => {
      const valid = { name: 'Juliet Test ICS', odsCode: 'QJ9', kind: 'ICS', region: 'Y62' };
      expectProblem(await post('/systems', 'nationalAdmin', { ...valid, kind: 'CCG' }), 400, ['kind']);
      expectProblem(await post('/systems', 'nationalAdmin', { ...valid, population: -1 }), 400, ['population']);
      expectProblem(await post('/systems', 'nationalAdmin', { ...valid, id: '00000000-0000-4000-8000-000000000000' }), 400, ['id']);
      expect(await countSystems({ odsCode: 'QJ9' })).toBe(0);
    });

    it('refuses a duplicate system name or ODS code, ignoring case (409)', async () => {
      const sameName = await post('/systems', 'nationalAdmin', { name: 'ALPHA TEST ICS', odsCode: 'QK9', kind: 'ICS', region: 'Y62' });
      expectProblem(sameName, 409);
      await expectNotAudited(api, sameName);
      const sameOds = await post('/systems', 'nationalAdmin', { name: 'Kilo Test ICS', odsCode: systemA.odsCode.toLowerCase(), kind: 'ICS', region: 'Y62' });
      expectProblem(sameOds, 409);
      expect(await countSystems({ odsCode: 'QK9' })).toBe(0);
      expect(await countSystems({ name: 'Kilo Test ICS' })).toBe(0);
    });

    it('compares system names exactly (ignoring case), not as LIKE patterns', async () => {
      // "Alpha_Test ICS" and "Alpha%" are new names, not the existing "Alpha Test ICS".
      const response = await post('/systems', 'nationalAdmin', { name: 'Alpha_Test ICS', odsCode: 'QL9', kind: 'ICS', region: 'Y62' });
      expect(response.status).toBe(201);
      expect((await post('/systems', 'nationalAdmin', { name: 'Alpha%', odsCode: 'QM9', kind: 'ICS', region: 'Y62' })).status).toBe(201);
    });
  });

  describe('places', () => {
    it("lists a system's places to its lead and to any participant", async () => {
      const expected = { id: placeA.id, systemId: systemA.id, name: 'Wigan', wave: 1, maturityLevel: 2 };
      expect((await get(`/systems/${systemA.id}/places`, 'leadA').expect(200)).body).toEqual({ items: [expected], nextCursor: null });
      expect((await get(`/systems/${systemA.id}/places`, 'participant').expect(200)).body.items).toEqual([expected]);
      expect((await get(`/systems/${systemB.id}/places`, 'participant').expect(200)).body.items).toEqual([{ id: placeB.id, systemId: systemB.id, name: 'Sunderland', wave: null, maturityLevel: null }]);
    });

    it("hides another system's places from a programme lead (404)", async () => {
      expectProblem(await get(`/systems/${systemB.id}/places`, 'leadA'), 404);
      expectProblem(await get('/systems/00000000-0000-4000-8000-000000000000/places', 'nationalAdmin'), 404);
    });

    it('lets a system admin add a place to their system (201), audited with the system id', async () => {
      const response = await post(`/systems/${systemA.id}/places`, 'adminA', { name: ' Bolton ', wave: 2, maturityLevel: 3 }).expect(201);
      expect(response.body).toEqual({ id: expect.any(String), systemId: systemA.id, name: 'Bolton', wave: 2, maturityLevel: 3 });
      const row = await expectAudited(response, adminA, 'place.create', 'place', response.body.id);
      expect(row.details).toEqual({ systemId: systemA.id });
      expect((await get(`/systems/${systemA.id}/places`, 'leadA').expect(200)).body.items.map((p: { name: string }) => p.name)).toEqual(['Bolton', 'Wigan']);
    });

    it('lets a national admin add a place to any system', async () => {
      const response = await post(`/systems/${systemB.id}/places`, 'nationalAdmin', { name: 'Gateshead' }).expect(201);
      expect(response.body).toEqual({ id: expect.any(String), systemId: systemB.id, name: 'Gateshead', wave: null, maturityLevel: null });
      await expectAudited(response, nationalAdmin, 'place.create', 'place', response.body.id);
    });

    it('hides another system from a system admin adding a place (404) and records nothing', async () => {
      const response = await post(`/systems/${systemB.id}/places`, 'adminA', { name: 'Durham' });
      expectProblem(response, 404);
      await expectNotAudited(api, response);
      expect(await forkEm(api).count(Place, { name: 'Durham' })).toBe(0);
    });

    it('forbids programme leads and participants from adding a place (403)', async () => {
      for (const caller of ['leadA', 'participant'] as const) {
        const response = await post(`/systems/${systemA.id}/places`, caller, { name: 'Leigh' });
        expectProblem(response, 403);
        await expectNotAudited(api, response);
      }
      expect(await forkEm(api).count(Place, { name: 'Leigh' })).toBe(0);
    });

    it('refuses a second place of the same name in a system, ignoring case (409), but allows it in another system', async () => {
      const duplicate = await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: 'WIGAN' });
      expectProblem(duplicate, 409);
      await expectNotAudited(api, duplicate);
      await post(`/systems/${systemB.id}/places`, 'nationalAdmin', { name: 'Wigan' }).expect(201);
    });

    it('compares place names exactly (ignoring case), not as LIKE patterns', async () => {
      await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: 'W%' }).expect(201);
      await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: 'Wiga_' }).expect(201);
    });

    it('rejects an empty name and out-of-range wave or maturity level (400)', async () => {
      expectProblem(await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: '   ' }), 400, ['name']);
      expectProblem(await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: 'Salford', wave: 0 }), 400, ['wave']);
      expectProblem(await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: 'Salford', maturityLevel: 5 }), 400, ['maturityLevel']);
      expectProblem(await post(`/systems/${systemA.id}/places`, 'nationalAdmin', { name: 'Salford', wave: 1.5 }), 400, ['wave']);
      expect(await forkEm(api).count(Place, { name: 'Salford' })).toBe(0);
    });
  });

  describe('organisations', () => {
    const ids = (response: Response) => (response.body as Page<OrganisationBody>).items.map((o) => o.id);

    it("lists only their own system's organisations to a programme lead", async () => {
      const response = await get('/organisations?limit=200', 'leadA').expect(200);
      expect(ids(response)).toContain(orgA.id);
      expect(ids(response)).not.toContain(orgB.id);
      expect((response.body as Page<OrganisationBody>).items.every((o) => o.systemId === systemA.id)).toBe(true);
    });

    it('lists every organisation to a participant and to a national admin', async () => {
      expect(ids(await get('/organisations?limit=200', 'participant').expect(200))).toEqual(expect.arrayContaining([orgA.id, orgB.id]));
      expect(ids(await get('/organisations?limit=200', 'nationalAdmin').expect(200))).toEqual(expect.arrayContaining([orgA.id, orgB.id]));
    });

    it('filters by system, and hides another system from a lead filtering by it (404)', async () => {
      const response = await get(`/organisations?systemId=${systemB.id}&limit=200`, 'participant').expect(200);
      expect(ids(response)).toContain(orgB.id);
      expect((response.body as Page<OrganisationBody>).items.every((o) => o.systemId === systemB.id)).toBe(true);
      expectProblem(await get(`/organisations?systemId=${systemB.id}`, 'leadA'), 404);
      expectProblem(await get('/organisations?systemId=nope', 'leadA'), 400, ['systemId']);
    });

    it('shows an organisation to a lead of its system and to participants, and hides it from other leads (404)', async () => {
      const expected = { id: orgB.id, name: orgB.name, odsCode: orgB.odsCode, type: 'acute_trust', systemId: systemB.id, placeId: null, closedOn: null };
      expect((await get(`/organisations/${orgB.id}`, 'leadB').expect(200)).body).toEqual(expected);
      expect((await get(`/organisations/${orgB.id}`, 'participant').expect(200)).body).toEqual(expected);
      expectProblem(await get(`/organisations/${orgB.id}`, 'leadA'), 404);
    });

    it('lets a system admin add an organisation to their system (201), audited', async () => {
      const odsCode = ods('rx');
      const response = await post('/organisations', 'adminA', { name: 'Wrightington, Wigan and Leigh', odsCode, type: 'acute_trust', systemId: systemA.id, placeId: placeA.id }).expect(201);
      expect(response.body).toEqual({ id: expect.any(String), name: 'Wrightington, Wigan and Leigh', odsCode: odsCode.toUpperCase(), type: 'acute_trust', systemId: systemA.id, placeId: placeA.id, closedOn: null });
      const row = await expectAudited(response, adminA, 'organisation.create', 'organisation', response.body.id);
      expect(row.details).toEqual({ systemId: systemA.id });
      expect((await get(`/organisations/${response.body.id}`, 'leadA').expect(200)).body).toEqual(response.body);
    });

    it('lets a national admin add an organisation to any system', async () => {
      const response = await post('/organisations', 'nationalAdmin', { name: 'Sunderland City Council', odsCode: ods('LA'), type: 'local_authority', systemId: systemB.id }).expect(201);
      expect(response.body).toMatchObject({ systemId: systemB.id, placeId: null, type: 'local_authority' });
      await expectAudited(response, nationalAdmin, 'organisation.create', 'organisation', response.body.id);
    });

    it("refuses a system admin adding an organisation to a system they cannot see (400 on systemId), creating nothing", async () => {
      const response = await post('/organisations', 'adminA', { name: 'Not Mine Trust', odsCode: ods('NM'), type: 'acute_trust', systemId: systemB.id });
      expectProblem(response, 400, ['systemId']);
      await expectNotAudited(api, response);
      expect(await forkEm(api).count(Organisation, { name: 'Not Mine Trust' })).toBe(0);
    });

    it('forbids programme leads, coaches and participants from adding organisations (403)', async () => {
      for (const caller of ['leadA', 'coachA', 'participant'] as const) {
        const response = await post('/organisations', caller, { name: 'Forbidden Trust', odsCode: ods('FB'), type: 'acute_trust', systemId: systemA.id });
        expectProblem(response, 403);
        await expectNotAudited(api, response);
      }
      expect(await forkEm(api).count(Organisation, { name: 'Forbidden Trust' })).toBe(0);
    });

    it("requires the place to belong to the organisation's system (400 on placeId)", async () => {
      const response = await post('/organisations', 'nationalAdmin', { name: 'Misplaced Trust', odsCode: ods('MP'), type: 'community_trust', systemId: systemA.id, placeId: placeB.id });
      expectProblem(response, 400, ['placeId']);
      await expectNotAudited(api, response);
      expectProblem(await post('/organisations', 'nationalAdmin', { name: 'Misplaced Trust', odsCode: ods('MP'), type: 'community_trust', systemId: systemA.id, placeId: '00000000-0000-4000-8000-000000000000' }), 400, ['placeId']);
      expect(await forkEm(api).count(Organisation, { name: 'Misplaced Trust' })).toBe(0);
    });

    it('refuses a duplicate ODS code, ignoring case (409)', async () => {
      const response = await post('/organisations', 'nationalAdmin', { name: 'Copycat Trust', odsCode: orgA.odsCode.toLowerCase(), type: 'acute_trust', systemId: systemA.id });
      expectProblem(response, 409);
      await expectNotAudited(api, response);
      expect(await forkEm(api).count(Organisation, { name: 'Copycat Trust' })).toBe(0);
    });

    it('rejects a malformed odsCode, an unknown type and unknown fields (400 listing each field)', async () => {
      const valid = { name: 'Invalid Trust', odsCode: ods('IV'), type: 'acute_trust', systemId: systemA.id };
      expectProblem(await post('/organisations', 'nationalAdmin', { ...valid, odsCode: 'R-1' }), 400, ['odsCode']);
      expectProblem(await post('/organisations', 'nationalAdmin', { ...valid, odsCode: 'RABCDEFGHIJK' }), 400, ['odsCode']);
      expectProblem(await post('/organisations', 'nationalAdmin', { ...valid, type: 'hospital' }), 400, ['type']);
      expectProblem(await post('/organisations', 'nationalAdmin', { ...valid, systemId: 'A' }), 400, ['systemId']);
      expectProblem(await post('/organisations', 'nationalAdmin', { ...valid, region: 'Y62' }), 400, ['region']);
      expect(await forkEm(api).count(Organisation, { name: 'Invalid Trust' })).toBe(0);
    });

    it('pages through organisations by keyset, each exactly once and in name order', async () => {
      const em = forkEm(api);
      const paged = await system(em, 'Paging Test ICS');
      const names = ['Echo Trust', 'Alpha Trust', 'Delta Trust', 'Bravo Trust', 'Charlie Trust', 'Bravo Trust'];
      for (const name of names) em.create(Organisation, { name, odsCode: ods('PG'), type: 'gp_practice', system: paged, createdAt: new Date() });
      await em.flush();

      const seen: OrganisationBody[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string | number> = { systemId: paged.id, limit: 2, ...(cursor ? { cursor } : {}) };
        const response = await api.http().get('/api/v1/organisations').query(query).set(auth('participant')).expect(200);
        const page = response.body as Page<OrganisationBody>;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages += 1;
        expect(pages).toBeLessThanOrEqual(4);
      } while (cursor !== null);

      expect(pages).toBe(3);
      expect(seen.map((o) => o.name)).toEqual(['Alpha Trust', 'Bravo Trust', 'Bravo Trust', 'Charlie Trust', 'Delta Trust', 'Echo Trust']);
      expect(new Set(seen.map((o) => o.id)).size).toBe(6);
    });

    async function pageWithCursor(cursor: string) {
      const response = await api.http().get('/api/v1/organisations').query({ cursor, limit: 2 }).set(auth('participant'));
      return { cursor: Buffer.from(cursor, 'base64url').toString(), status: response.status, contentType: response.headers['content-type'] as string, fields: ((response.body.errors ?? []) as { field: string }[]).map((e) => e.field) };
    }
    const rejected = (cursor: string) => ({ cursor: Buffer.from(cursor, 'base64url').toString(), status: 400, contentType: expect.stringMatching(PROBLEM_JSON), fields: ['cursor'] });

    it('rejects a cursor that is not a cursor at all (400 problem+json on cursor)', async () => {
      const expected = rejected('not-a-cursor');
      expect(await pageWithCursor('not-a-cursor')).toEqual(expected);
      const response = await api.http().get('/api/v1/organisations').query({ cursor: 'not-a-cursor' }).set(auth('participant'));
      expect(response.body).toMatchObject({ status: 400, title: 'Invalid input', errors: [{ field: 'cursor', message: expect.any(String) }] });
    });

    it('rejects a well-formed cursor it did not hand out (400 problem+json on cursor), rather than ignoring it or failing with 500', async () => {
      const forged = ['{"name":"x"}', '[1,2,3]', '["Alpha Trust"]', 'null', '["Alpha Trust","not-a-uuid"]'].map((json) => Buffer.from(json).toString('base64url'));
      const answers = await Promise.all(forged.map(pageWithCursor));
      expect(answers).toEqual(forged.map(rejected));
    });

    it('rejects a cursor whose values have the wrong type for their sort key (400, not a 500 from PostgreSQL comparing name to false)', async () => {
      const id = '0195f4a2-7c1e-7000-8000-000000000001';
      const forged = [`[false,"${id}"]`, `[42,"${id}"]`, `[null,"${id}"]`, `["a\\u0000b","${id}"]`].map((json) => Buffer.from(json).toString('base64url'));
      const answers = await Promise.all(forged.map(pageWithCursor));
      expect(answers).toEqual(forged.map(rejected));
      // Control: the same shape with a name is a cursor the list accepts.
      expect((await pageWithCursor(Buffer.from(`["Alpha Trust","${id}"]`).toString('base64url'))).status).toBe(200);
    });

    it('rejects a cursor whose date is not an instant the list could have handed out (400, not a 500)', async () => {
      const id = '0195f4a2-7c1e-7000-8000-000000000001';
      const cursors = ['"not-a-date"', '"2027-02-30T09:00:00.000Z"', '"-271821-04-20T00:00:00.000Z"', '"Tue Mar 01 2027"', 'true'].map((value) => Buffer.from(`[${value},"${id}"]`).toString('base64url'));
      for (const cursor of cursors) expectProblem(await api.http().get('/api/v1/cohorts').query({ cursor }).set(auth('participant')), 400, ['cursor']);
      expect((await api.http().get('/api/v1/cohorts').query({ cursor: Buffer.from(`["2027-03-01T09:00:00.000Z","${id}"]`).toString('base64url') }).set(auth('participant'))).status).toBe(200);
    });

    it('rejects a page size outside 1 to 200 (400 on limit)', async () => {
      expectProblem(await get('/organisations?limit=0', 'participant'), 400, ['limit']);
      expectProblem(await get('/organisations?limit=201', 'participant'), 400, ['limit']);
      expectProblem(await get('/organisations?limit=two', 'participant'), 400, ['limit']);
    });
  });
});
