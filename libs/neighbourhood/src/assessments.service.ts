import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, InvalidInputError } from '@slp/platform';
import { COMPONENTS, type Component } from './components';
import { Assessment, AssessmentComponent } from './entities';
import { recordablePlace, readablePlace } from './place-access';

export interface ComponentRating {
  readonly level: number;
  readonly evidence: string;
}

export interface AssessmentInput {
  readonly assessedOn: string;
  readonly components: Partial<Record<Component, ComponentRating>>;
}

export interface AssessmentView {
  readonly id: string;
  readonly placeId: string;
  readonly assessedOn: string;
  readonly components: Partial<Record<Component, ComponentRating>>;
  readonly recordedByAccountId: string | null;
  readonly createdAt: string;
}

export interface MaturityHistory {
  /** Oldest first. */
  readonly assessments: AssessmentView[];
  /** Per component: the first and the latest level, and the change between them. */
  readonly change: Partial<Record<Component, { first: number; latest: number; change: number; firstOn: string; latestOn: string }>>;
}

/** Maturity self-assessments over the six components; every one is kept, so a Place's progress shows. */
@Injectable()
export class AssessmentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async record(scope: AccessScope, placeId: string, input: AssessmentInput): Promise<AssessmentView> {
    const rated = COMPONENTS.filter((c) => input.components[c] !== undefined);
    if (!rated.length) throw new InvalidInputError('An assessment rates at least one component.', [{ field: 'components', message: `components must rate at least one of ${COMPONENTS.join(', ')}` }]);
    return this.em.transactional(async (em) => {
      await recordablePlace(em, scope, placeId, 'record its maturity assessments');
      const assessment = em.create(Assessment, { placeId, assessedOn: input.assessedOn, recordedByAccountId: scope.accountId, createdAt: new Date() });
      for (const component of rated) {
        const rating = input.components[component]!;
        em.create(AssessmentComponent, { assessment, component, level: rating.level, evidence: rating.evidence });
      }
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'maturity_assessment.create', objectType: 'maturity_assessment', objectId: assessment.id, details: { placeId, components: rated } });
      await em.flush();
      return (await this.load(em, placeId, assessment.id))[0]!;
    });
  }

  async history(scope: AccessScope, placeId: string): Promise<MaturityHistory> {
    await readablePlace(this.em, scope, placeId);
    const assessments = await this.load(this.em, placeId);
    const change: MaturityHistory['change'] = {};
    for (const component of COMPONENTS) {
      const rated = assessments.filter((a) => a.components[component]);
      if (!rated.length) continue;
      const first = rated[0]!;
      const latest = rated[rated.length - 1]!;
      change[component] = {
        first: first.components[component]!.level,
        latest: latest.components[component]!.level,
        change: latest.components[component]!.level - first.components[component]!.level,
        firstOn: first.assessedOn,
        latestOn: latest.assessedOn,
      };
    }
    return { assessments, change };
  }

  private async load(em: EntityManager, placeId: string, id?: string): Promise<AssessmentView[]> {
    const assessments = await em.find(Assessment, id ? { id } : { placeId }, { orderBy: { assessedOn: 'asc', createdAt: 'asc', id: 'asc' } });
    const ratings = assessments.length ? await em.find(AssessmentComponent, { assessment: { $in: assessments.map((a) => a.id) } }) : [];
    return assessments.map((a) => ({
      id: a.id,
      placeId: a.placeId,
      assessedOn: a.assessedOn,
      recordedByAccountId: a.recordedByAccountId ?? null,
      createdAt: a.createdAt.toISOString(),
      components: Object.fromEntries(
        COMPONENTS.flatMap((component) => {
          const rating = ratings.find((r) => r.assessment.id === a.id && r.component === component);
          return rating ? [[component, { level: rating.level, evidence: rating.evidence }]] : [];
        }),
      ),
    }));
  }
}
