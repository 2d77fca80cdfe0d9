import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { finished, type Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { escapeLiteral, type PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { AccessScope, AuditService, InvalidInputError, Page, ReplicaReads } from '@slp/platform';
import type { PipelineStage } from '@slp/talent';
import { FORMULA_TRIGGERS } from './csv';
import { reportSystems, systemsClause } from './report-scope';
import { ReportFreshness, reportFreshness } from './report-freshness';

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

const FROM = `from person_pipeline pp
  join person pe on pe.id = pp.person_id
  left join organisation o on o.id = pp.organisation_id
  left join system s on s.id = pp.system_id
  left join place pl on pl.id = pp.place_id`;

const SELECT = `select pp.person_id as "personId", pe.given_name as "givenName", pe.family_name as "familyName", o.name as organisation, s.name as system, pl.name as place,
       pp.staff_group as "staffGroup", pp.grade, pp.stage,
       pp.identified_at as "identifiedAt", pp.nominated_at as "nominatedAt", pp.in_development_at as "inDevelopmentAt",
       pp.completed_at as "completedAt", pp.ready_at as "readyAt", pp.appointed_at as "appointedAt"
  ${FROM}`;

/** A text cell a spreadsheet would run as a formula gets a leading apostrophe: `neutraliseFormula` in SQL. */
const safe = (expr: string) => `case when left(${expr}, 1) in (${FORMULA_TRIGGERS.map((c) => escapeLiteral(c)).join(', ')}) then '''' || ${expr} else ${expr} end`;
/** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it. */
const isoText = (expr: string) => `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const EXPORT_SELECT = `select pp.person_id as "personId", ${safe('pe.given_name')} as "givenName", ${safe('pe.family_name')} as "familyName",
       ${safe('o.name')} as organisation, ${safe('s.name')} as system, ${safe('pl.name')} as place,
       ${safe('pp.staff_group')} as "staffGroup", ${safe('pp.grade')} as grade, pp.stage,
       ${isoText('pp.identified_at')} as "identifiedAt", ${isoText('pp.nominated_at')} as "nominatedAt", ${isoText('pp.in_development_at')} as "inDevelopmentAt",
       ${isoText('pp.completed_at')} as "completedAt", ${isoText('pp.ready_at')} as "readyAt", ${isoText('pp.appointed_at')} as "appointedAt"
  ${FROM}`;

export interface PeopleFilter {
  readonly systemId?: string;
  readonly stage?: PipelineStage;
}

/** The people behind the funnel, for admins in scope: a keyset page, or every row streamed as CSV. Exports are audited. */
@Injectable()
export class PipelinePeopleService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly replicaReads: ReplicaReads,
  ) {}

  async page(scope: AccessScope, filter: PeopleFilter, page: { limit?: number; cursor?: string }): Promise<Page<PipelinePerson> & { freshness: ReportFreshness }> {
    const { where, params } = this.where(scope, filter);
    if (page.cursor && !/^[0-9a-f-]{36}$/i.test(page.cursor)) throw new InvalidInputError('The cursor is not one this list handed out.', [{ field: 'cursor', message: 'cursor is invalid' }]);
    const limit = page.limit ?? 50;
    const { result: rows, source } = await this.replicaReads.read('report.pipeline-people', (db) =>
      db.execute<PipelinePerson>(`${SELECT} where ${where}${page.cursor ? ' and pp.person_id > ?' : ''} order by pp.person_id limit ?`, [...params, ...(page.cursor ? [page.cursor] : []), limit + 1]),
    );
    const items = rows.slice(0, limit).map(normaliseDates);
    return { items, nextCursor: rows.length > limit ? items.at(-1)!.personId : null, freshness: reportFreshness(source) };
  }

  /**
   * Every matching row as RFC 4180 CSV with a header line, produced by PostgreSQL itself:
   * `COPY (query) TO STDOUT` runs the query through a portal (a server-side cursor) and sends rows
   * as it produces them; the stream reads from the socket only as fast as its reader takes the
   * data, so the server waits and memory stays flat however many rows there are. Formula-looking
   * text cells are neutralised in the query. Scope and filters are checked, and the export
   * audited, before any data flows. A reader that goes away ends the query (the connection is
   * dropped, not returned to the pool). A replica fit to answer streams it, else the primary.
   */
  async exportCsv(scope: AccessScope, filter: PeopleFilter): Promise<{ stream: Readable; freshness: ReportFreshness }> {
    const { where, params } = this.where(scope, filter);
    await this.em.transactional(async (em) => {
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'report.export', objectType: 'report', objectId: 'pipeline_people', details: { ...filter } });
    });
    // COPY takes no bind parameters: the values (validated system ids and a known stage) are quoted as literals.
    let index = 0;
    const query = `${EXPORT_SELECT} where ${where.replace(/\?/g, () => escapeLiteral(params[index++]!))} order by pp.person_id`;
    const { client, source } = await this.replicaReads.connect('export.pipeline-people');
    const ignore = () => undefined;
    client.on('error', ignore);
    const stream = client.query(copyTo(`copy (${query}) to stdout with (format csv, header true)`));
    finished(stream, (error) => {
      if (error) {
        // The reader left (or the query failed). PostgreSQL may be blocked writing to this socket and
        // reads nothing until it can write: only closing the socket ends the query. The connection is
        // dropped, never returned to the pool.
        socketOf(client).destroy();
        client.release(error);
        return;
      }
      client.removeListener('error', ignore);
      client.release();
    });
    return { stream, freshness: reportFreshness(source) };
  }

  private where(scope: AccessScope, filter: PeopleFilter): { where: string; params: string[] } {
    const inScope = systemsClause(reportSystems(scope, filter.systemId));
    return { where: `pp.stage is not null and ${inScope.sql}${filter.stage ? ' and pp.stage = ?' : ''}`, params: [...inScope.params, ...(filter.stage ? [filter.stage] : [])] };
  }
}

/** The connection's socket (pg-copy-streams reads the very same one). */
function socketOf(client: PoolClient): Socket {
  return (client as unknown as { connection: { stream: Socket } }).connection.stream;
}

function normaliseDates(row: PipelinePerson): PipelinePerson {
  const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());
  return { ...row, identifiedAt: iso(row.identifiedAt), nominatedAt: iso(row.nominatedAt), inDevelopmentAt: iso(row.inDevelopmentAt), completedAt: iso(row.completedAt), readyAt: iso(row.readyAt), appointedAt: iso(row.appointedAt) };
}
