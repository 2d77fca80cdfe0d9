import type { EntityManager } from '@mikro-orm/postgresql';
import type { Organisation, System } from '@slp/directory';
import { account, AccountFixture, organisation, system } from './factories';
import type { TestApi } from './test-api';

/** Systems A and B with one organisation each: the setting for checking who may see and change what. */
export interface TwoSystems {
  readonly systemA: System;
  readonly systemB: System;
  readonly orgA: Organisation;
  readonly orgB: Organisation;
}

/** Creates {@link TwoSystems}: both systems first, then organisation A and organisation B. */
export async function twoSystems(em: EntityManager): Promise<TwoSystems> {
  const systemA = await system(em);
  const systemB = await system(em);
  const orgA = await organisation(em, systemA);
  const orgB = await organisation(em, systemB);
  return { systemA, systemB, orgA, orgB };
}

/** A national admin, then an admin and a programme lead of system A, both working for organisation A. */
export async function staffAccounts(em: EntityManager, { systemA, orgA }: Pick<TwoSystems, 'systemA' | 'orgA'>): Promise<Record<'nationalAdmin' | 'adminA' | 'leadA', AccountFixture>> {
  const nationalAdmin = await account(em, { roles: ['admin'] });
  const adminA = await account(em, { roles: ['admin'], systems: [systemA], organisation: orgA });
  const leadA = await account(em, { roles: ['programme_lead'], systems: [systemA], organisation: orgA });
  return { nationalAdmin, adminA, leadA };
}

/**
 * Requests to `/api/v1…` made as one of the callers in `token`, with that caller's bearer token.
 * `api` and the token are read when each request is made, so both may be filled in `beforeAll`.
 */
export function requestsAs<Caller extends string>(api: () => TestApi, token: Record<Caller, string>) {
  const auth = (as: Caller) => ({ Authorization: `Bearer ${token[as]}` });
  return {
    get: (path: string, as: Caller) => api().http().get(`/api/v1${path}`).set(auth(as)),
    post: (path: string, as: Caller, body?: object) => api().http().post(`/api/v1${path}`).set(auth(as)).send(body),
    patch: (path: string, as: Caller, body: object) => api().http().patch(`/api/v1${path}`).set(auth(as)).send(body),
    put: (path: string, as: Caller, body: object) => api().http().put(`/api/v1${path}`).set(auth(as)).send(body),
  };
}
