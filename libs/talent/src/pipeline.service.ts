import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PeopleService } from '@slp/identity';
import { AccessScope } from '@slp/platform';
import { PipelinePosition, pipelinePosition } from './pipeline-stage';

/** Gathers a person's dated pipeline facts and applies the stage rules (pipeline-stage.ts). */
@Injectable()
export class PipelineService {
  constructor(
    private readonly em: EntityManager,
    private readonly people: PeopleService,
  ) {}

  /** For the person themself, or staff of their system. */
  async forPerson(scope: AccessScope, personId: string): Promise<PipelinePosition> {
    await this.people.get(scope, personId);
    const run = <T extends object>(sql: string) => this.em.execute<T[]>(sql, [personId]);
    const [nominations, pools, enrolments, appointments] = await Promise.all([
      run<{ created_at: string; readiness: string; status: string; consented_at: string | null }>(
        `select n.created_at, n.readiness, n.status,
                (select min(e.at) from nomination_event e where e.nomination_id = n.id and e.to_status = 'consented') as consented_at
           from nomination n where n.nominee_id = ?`,
      ),
      run<{ created_at: string }>(`select created_at from talent_membership where person_id = ? and talent_pool_id is not null`),
      run<{ enrolled_at: string | null; completed_at: string | null }>(
        `select enrolled_at, case when status = 'completed' then ended_at end as completed_at from enrolment where person_id = ? and enrolled_at is not null`,
      ),
      run<{ appointed_on: string }>(`select to_char(appointed_on, 'YYYY-MM-DD') as appointed_on from appointment where person_id = ?`),
    ]);
    const date = (value: string | null) => (value === null ? null : new Date(value));
    return pipelinePosition({
      nominations: nominations.map((n) => ({ createdAt: date(n.created_at)!, consentedAt: date(n.consented_at), readiness: n.readiness as never, status: n.status as never })),
      poolMemberships: pools.map((m) => ({ createdAt: date(m.created_at)! })),
      enrolments: enrolments.map((e) => ({ enrolledAt: date(e.enrolled_at), completedAt: date(e.completed_at) })),
      appointments: appointments.map((a) => ({ appointedOn: new Date(`${a.appointed_on}T00:00:00Z`) })),
    });
  }
}
