import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import { AccessScope, AuditService, InvalidInputError, Page } from '@slp/platform';
import { reportSystems, systemsClause } from './report-scope';
import { REPORTS_POOL } from './reports-pool';

export const PEOPLE_COLUMNS = ['personId', 'givenName', 'familyName', 'organisation', 'system', 'place', 'staffGroup', 'grade', 'stage', 'identifiedAt', 'nominatedAt', 'inDevelopmentAt', 'completedAt', 'readyAt', 'appointedAt'] as const;

export interface PipelinePerson {
  readonly personId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly organisation: string | null;
  readonly system: string | null;
  readonly place: string | null;
  readonly staffGroup: string | null;
  readonly grade: string | null;
  readonly stage: string;
  readonly identifiedAt: string | null;
  readonly nominatedAt: string | null;
  readonly inDevelopmentAt: string | null;
  readonly completedAt: string | null;
  readonly readyAt: string | null;
  readonly appointedAt: string | null;
}

const SELECT = `select pp.person_id as "personId", pe.given_name as "givenName", pe.family_name as "familyName", o.name as organisation, s.name as system, pl.name as place,
       pp.staff_group as "staffGroup", pp.grade, pp.stage,
       pp.identified_at as "identifiedAt", pp.nominated_at as "nominatedAt", pp.in_development_at as "inDevelopmentAt",
       pp.completed_at as "completedAt", pp.ready_at as "readyAt", pp.appointed_at as "appointedAt"
  from person_pipeline pp
  join person pe on pe.id = pp.person_id
  left join organisation o on o.id = pp.organisation_id
  left join system s on s.id = pp.system_id
  left join place pl on pl.id = pp.place_id`;

const STAGES = ['identified', 'nominated', 'in_development', 'completed', 'ready', 'appointed'];

/** The people behind the funnel, for admins in scope: a keyset page, or every row streamed from a cursor. Exports are audited. */
@Injectable()
export class PipelinePeopleService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    @Inject(REPORTS_POOL) private readonly pool: Pool,
  ) {}

  async page(scope: AccessScope, filter: { systemId?: string; stage?: string }, page: { limit?: number; cursor?: string }): Promise<Page<PipelinePerson>> {
    const { where, params } = this.where(scope, filter);
    if (page.cursor && !/^[0-9a-f-]{36}$/i.test(page.cursor)) throw new InvalidInputError('The cursor is not one this list handed out.', [{ field: 'cursor', message: 'cursor is invalid' }]);
    const limit = page.limit ?? 50;
    const rows = await this.em.getConnection('read').execute<PipelinePerson[]>(
      `${SELECT} where ${where}${page.cursor ? ' and pp.person_id > ?' : ''} order by pp.person_id limit ?`,
      [...params, ...(page.cursor ? [page.cursor] : []), limit + 1],
    );
    const items = rows.slice(0, limit).map(normaliseDates);
    return { items, nextCursor: rows.length > limit ? items.at(-1)!.personId : null };
  }

  /** Every matching row, read through a server-side cursor in batches: memory stays flat. */
  async *stream(scope: AccessScope, filter: { systemId?: string; stage?: string }): AsyncGenerator<unknown[]> {
    const { where, params } = this.where(scope, filter);
    await this.em.transactional(async (em) => {
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'report.export', objectType: 'report', objectId: 'pipeline_people', details: { ...filter } });
    });
    const client = await this.pool.connect();
    try {
      let index = 0;
      const text = `${SELECT} where ${where} order by pp.person_id`.replace(/\?/g, () => `$${++index}`);
      const cursor = client.query(new Cursor(text, params));
      for (;;) {
        const rows = (await cursor.read(2_000)) as PipelinePerson[];
        if (!rows.length) break;
        for (const row of rows) yield PEOPLE_COLUMNS.map((column) => row[column] ?? null);
      }
      await cursor.close();
    } finally {
      client.release();
    }
  }

  private where(scope: AccessScope, filter: { systemId?: string; stage?: string }): { where: string; params: string[] } {
    const inScope = systemsClause(reportSystems(scope, filter.systemId));
    if (filter.stage && !STAGES.includes(filter.stage)) throw new InvalidInputError('Unknown stage.', [{ field: 'stage', message: `stage must be one of ${STAGES.join(', ')}` }]);
    return { where: `pp.stage is not null and ${inScope.sql}${filter.stage ? ' and pp.stage = ?' : ''}`, params: [...inScope.params, ...(filter.stage ? [filter.stage] : [])] };
  }
}

function normaliseDates(row: PipelinePerson): PipelinePerson {
  const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
  return { ...row, identifiedAt: iso(row.identifiedAt), nominatedAt: iso(row.nominatedAt), inDevelopmentAt: iso(row.inDevelopmentAt), completedAt: iso(row.completedAt), readyAt: iso(row.readyAt), appointedAt: iso(row.appointedAt) };
}
