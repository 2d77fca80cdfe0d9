import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, DEFAULT_PAGE_SIZE, InvalidInputError, MAX_PAGE_SIZE } from '@slp/platform';
import type { Component } from './components';
import { Practice } from './entities';
import { recordablePlace } from './place-access';

export interface PracticeInput {
  readonly placeId: string;
  readonly title: string;
  readonly summary: string;
  readonly component: Component;
  readonly contactPersonId?: string | null;
}

export interface PracticeView {
  readonly id: string;
  readonly placeId: string;
  readonly placeName: string;
  readonly title: string;
  readonly summary: string;
  readonly component: Component;
  readonly contactPersonId: string | null;
  /** Who to ask about it: the contact's name and work email (shared for exactly that). */
  readonly contact: { personId: string; givenName: string; familyName: string; email: string } | null;
  readonly createdAt: string;
}

export interface PracticeSearch {
  readonly component?: Component;
  /** Words to search for (web-search syntax: "quoted phrases", -excluded, or). */
  readonly q?: string;
  readonly limit?: number;
}

interface PracticeRow {
  id: string;
  place_id: string;
  place_name: string;
  title: string;
  summary: string;
  component: Component;
  contact_id: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  created_at: Date;
}

const SELECT = `select pr.id, pr.place_id, pl.name as place_name, pr.title, pr.summary, pr.component, pr.contact_id,
       c.given_name, c.family_name, c.email, pr.created_at
  from nh_practice pr join place pl on pl.id = pr.place_id left join person c on c.id = pr.contact_id and c.erased_at is null`;

/**
 * The practice library: what Places share with each other, readable by every signed-in person and
 * searched with PostgreSQL full-text search (English stemming; titles weigh more than summaries).
 */
@Injectable()
export class PracticesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async create(scope: AccessScope, input: PracticeInput): Promise<PracticeView> {
    return this.em.transactional(async (em) => {
      await recordablePlace(em, scope, input.placeId, 'share its practices');
      if (input.contactPersonId) {
        // The contact's name and work email are shown to everyone who reads the library, so the
        // caller may only name someone whose record they could read themselves (GET /people/:id):
        // themself, or a person of a system they see staff data of. Anyone else answers as unknown,
        // so the check cannot be used to probe ids.
        const [found] = await em.execute<{ id: string; system_id: string | null }[]>(
          `select p.id, o.system_id from person p left join organisation o on o.id = p.organisation_id where p.id = ? and p.erased_at is null`,
          [input.contactPersonId],
        );
        if (!found || (found.id !== scope.personId && !scope.canSeeStaffDataOf(found.system_id))) {
          throw new InvalidInputError(`There is no person ${input.contactPersonId} you can name as the contact.`, [{ field: 'contactPersonId', message: 'contactPersonId must be an existing person whose record you can read' }]);
        }
      }
      const practice = em.create(Practice, {
        placeId: input.placeId,
        title: input.title,
        summary: input.summary,
        component: input.component,
        contact: input.contactPersonId ?? null,
        createdByAccountId: scope.accountId,
        createdAt: new Date(),
      });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'practice.create', objectType: 'practice', objectId: practice.id, details: { placeId: input.placeId, component: input.component } });
      await em.flush();
      return toView((await em.execute<PracticeRow[]>(`${SELECT} where pr.id = ?`, [practice.id]))[0]!);
    });
  }

  /** Best matches first when searching (rank, then newest); otherwise newest first. */
  async search(_scope: AccessScope, filter: PracticeSearch): Promise<PracticeView[]> {
    const limit = Math.min(filter.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const conditions: string[] = ['true'];
    const params: unknown[] = [];
    if (filter.component) {
      conditions.push('pr.component = ?');
      params.push(filter.component);
    }
    const q = filter.q?.trim();
    let order = 'pr.created_at desc, pr.id';
    if (q) {
      conditions.push(`pr.search @@ websearch_to_tsquery('english', ?)`);
      params.push(q);
      order = `ts_rank(pr.search, websearch_to_tsquery('english', ?)) desc, pr.created_at desc, pr.id`;
    }
    const rows = await this.em.execute<PracticeRow[]>(`${SELECT} where ${conditions.join(' and ')} order by ${order} limit ?`, [...params, ...(q ? [q] : []), limit]);
    return rows.map(toView);
  }
}

function toView(row: PracticeRow): PracticeView {
  return {
    id: row.id,
    placeId: row.place_id,
    placeName: row.place_name,
    title: row.title,
    summary: row.summary,
    component: row.component,
    contactPersonId: row.contact_id,
    contact: row.contact_id && row.given_name !== null ? { personId: row.contact_id, givenName: row.given_name, familyName: row.family_name!, email: row.email! } : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
