import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ConflictError, ForbiddenError, InvalidInputError, isUniqueViolation, NotFoundError } from '@slp/platform';
import type { Component, MentoringStatus } from './components';
import { Mentoring } from './entities';
import { NeighbourhoodNotifier } from './neighbourhood-notifier';
import { loadProgrammePlace, PlaceAccess, ProgrammePlace, readablePlace, recordablePlace } from './place-access';

export interface MentorSuggestion {
  readonly placeId: string;
  readonly name: string;
  readonly systemName: string;
  readonly regionName: string;
  readonly level: number;
  readonly assessedOn: string;
  readonly sameRegion: boolean;
  /** Mentoring the Place is already giving (proposed or accepted). */
  readonly openMentoring: number;
  /** Practices it has shared in the component. */
  readonly practices: number;
}

export interface MentoringInput {
  readonly menteePlaceId: string;
  readonly mentorPlaceId: string;
  readonly component: Component;
  readonly goal: string;
}

export interface MentoringView {
  readonly id: string;
  readonly menteePlaceId: string;
  readonly menteePlaceName: string;
  readonly mentorPlaceId: string;
  readonly mentorPlaceName: string;
  readonly component: Component;
  readonly goal: string;
  readonly status: MentoringStatus;
  readonly decisionNote: string | null;
  readonly reflection: string | null;
  readonly proposedAt: string;
  readonly decidedAt: string | null;
  readonly closedAt: string | null;
}

/** Latest level of each programme Place in one component. */
const LATEST_LEVEL = `select distinct on (a.place_id) a.place_id, ac.level, to_char(a.assessed_on, 'YYYY-MM-DD') as assessed_on
  from nh_assessment a join nh_assessment_component ac on ac.assessment_id = a.id
 where ac.component = ?
 order by a.place_id, a.assessed_on desc, a.created_at desc`;

/**
 * Places learning from each other: suggestions of mentors (Places at level 3–4 in a component for
 * a Place at 1–2), proposals, the mentor Place's answer, and closing with a reflection. Both
 * Places' staff are emailed at each step.
 */
@Injectable()
export class MentoringService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly notifier: NeighbourhoodNotifier,
  ) {}

  /**
   * Ranked: level 4 before level 3; then Places in the mentee's region (easier to visit, same
   * regional team); then those giving the least mentoring already (spreading the load); then
   * those that have shared the most practices in the component; then the most recent assessment;
   * then by name.
   */
  async suggestions(scope: AccessScope, menteePlaceId: string, component: Component, limit = 10): Promise<MentorSuggestion[]> {
    await readablePlace(this.em, scope, menteePlaceId);
    await this.assertMenteeLevel(this.em, menteePlaceId, component);
    const rows = await this.em.execute<{ place_id: string; name: string; system_name: string; region_name: string; level: number; assessed_on: string; same_region: boolean; open_mentoring: string; practices: string }[]>(
      `with latest as (${LATEST_LEVEL}),
            mentee as (select s.region_code from place p join system s on s.id = p.system_id where p.id = ?)
       select l.place_id, p.name, s.name as system_name, r.name as region_name, l.level, l.assessed_on,
              (s.region_code = (select region_code from mentee)) as same_region,
              (select count(*) from nh_mentoring m where m.mentor_place_id = l.place_id and m.status in ('proposed', 'accepted')) as open_mentoring,
              (select count(*) from nh_practice pr where pr.place_id = l.place_id and pr.component = ?) as practices
         from latest l join nh_place np on np.place_id = l.place_id join place p on p.id = l.place_id
         join system s on s.id = p.system_id join region r on r.code = s.region_code
        where l.level >= 3 and l.place_id <> ?
        order by l.level desc, same_region desc, open_mentoring asc, practices desc, l.assessed_on desc, lower(p.name::text), l.place_id
        limit ?`,
      [component, menteePlaceId, component, menteePlaceId, limit],
    );
    return rows.map((r) => ({
      placeId: r.place_id,
      name: r.name,
      systemName: r.system_name,
      regionName: r.region_name,
      level: r.level,
      assessedOn: r.assessed_on,
      sameRegion: r.same_region,
      openMentoring: Number(r.open_mentoring),
      practices: Number(r.practices),
    }));
  }

  /** The mentee Place's staff or coaches propose; the mentor Place must be at level 3–4 in the component. */
  async propose(scope: AccessScope, input: MentoringInput): Promise<MentoringView> {
    if (input.menteePlaceId === input.mentorPlaceId) throw new InvalidInputError('A Place cannot mentor itself.', [{ field: 'mentorPlaceId', message: 'mentorPlaceId must differ from menteePlaceId' }]);
    return this.em.transactional(async (em) => {
      const mentee = await recordablePlace(em, scope, input.menteePlaceId, 'ask for mentoring');
      const mentor = await loadProgrammePlace(em, input.mentorPlaceId);
      if (!mentor) throw new InvalidInputError(`There is no programme Place ${input.mentorPlaceId}.`, [{ field: 'mentorPlaceId', message: 'mentorPlaceId must be a Place in the programme' }]);
      await this.assertMenteeLevel(em, mentee.placeId, input.component);
      const mentorLevel = await this.levelOf(em, mentor.placeId, input.component);
      if (mentorLevel === null || mentorLevel < 3) throw new ConflictError(`${mentor.name} is not at level 3 or 4 in this component, so cannot mentor in it.`);
      const mentoring = em.create(Mentoring, { menteePlaceId: mentee.placeId, mentorPlaceId: mentor.placeId, component: input.component, goal: input.goal, status: 'proposed', proposedByAccountId: scope.accountId, proposedAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'mentoring.propose', objectType: 'mentoring', objectId: mentoring.id, details: { menteePlaceId: mentee.placeId, mentorPlaceId: mentor.placeId, component: input.component } });
      try {
        await em.flush();
      } catch (error) {
        if (isUniqueViolation(error, 'nh_mentoring_open_unique')) throw new ConflictError(`${mentee.name} and ${mentor.name} already have mentoring in this component under way.`);
        throw error;
      }
      await this.notifier.mentoring(em, 'mentoring_proposed', mentoring, mentee, mentor);
      return this.view(em, mentoring);
    });
  }

  async accept(scope: AccessScope, id: string, note?: string): Promise<MentoringView> {
    return this.decide(scope, id, 'accepted', note);
  }

  async decline(scope: AccessScope, id: string, note?: string): Promise<MentoringView> {
    return this.decide(scope, id, 'declined', note);
  }

  /** Either Place's staff close accepted mentoring with a reflection on what was learnt. */
  async close(scope: AccessScope, id: string, reflection: string): Promise<MentoringView> {
    return this.em.transactional(async (em) => {
      const { mentoring, mentee, mentor } = await this.locked(em, scope, id);
      if (!PlaceAccess.isStaff(scope, mentee) && !PlaceAccess.isStaff(scope, mentor)) throw new ForbiddenError("Only either Place's staff can close mentoring.");
      if (mentoring.status !== 'accepted') throw new ConflictError(`This mentoring is ${mentoring.status}; only accepted mentoring can be closed.`);
      mentoring.status = 'closed';
      mentoring.reflection = reflection;
      mentoring.closedAt = new Date();
      mentoring.closedByAccountId = scope.accountId;
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'mentoring.close', objectType: 'mentoring', objectId: id });
      await em.flush();
      await this.notifier.mentoring(em, 'mentoring_closed', mentoring, mentee, mentor);
      return this.view(em, mentoring);
    });
  }

  async get(scope: AccessScope, id: string): Promise<MentoringView> {
    const mentoring = await this.em.findOne(Mentoring, { id });
    if (!mentoring || !(await this.canSee(this.em, scope, mentoring))) throw NotFoundError.of('mentoring', id);
    return this.view(this.em, mentoring);
  }

  /** Mentoring a Place gives or receives, newest first. */
  async forPlace(scope: AccessScope, placeId: string): Promise<MentoringView[]> {
    await readablePlace(this.em, scope, placeId);
    const list = await this.em.find(Mentoring, { $or: [{ menteePlaceId: placeId }, { mentorPlaceId: placeId }] }, { orderBy: { proposedAt: 'desc', id: 'asc' } });
    const names = await this.placeNames(this.em, list.flatMap((m) => [m.menteePlaceId, m.mentorPlaceId]));
    return list.map((m) => toView(m, names));
  }

  private async decide(scope: AccessScope, id: string, to: 'accepted' | 'declined', note?: string): Promise<MentoringView> {
    return this.em.transactional(async (em) => {
      const { mentoring, mentee, mentor } = await this.locked(em, scope, id);
      if (!PlaceAccess.isStaff(scope, mentor)) throw new ForbiddenError("Only the mentor Place's staff can answer a mentoring proposal.");
      if (mentoring.status !== 'proposed') throw new ConflictError(`This mentoring is already ${mentoring.status}.`);
      mentoring.status = to;
      mentoring.decisionNote = note ?? null;
      mentoring.decidedAt = new Date();
      mentoring.decidedByAccountId = scope.accountId;
      this.audit.record(em, { actorAccountId: scope.accountId, action: to === 'accepted' ? 'mentoring.accept' : 'mentoring.decline', objectType: 'mentoring', objectId: id });
      await em.flush();
      await this.notifier.mentoring(em, to === 'accepted' ? 'mentoring_accepted' : 'mentoring_declined', mentoring, mentee, mentor);
      return this.view(em, mentoring);
    });
  }

  /** The mentoring, row-locked, with both Places; 404 unless the caller can read one of them. */
  private async locked(em: EntityManager, scope: AccessScope, id: string): Promise<{ mentoring: Mentoring; mentee: ProgrammePlace; mentor: ProgrammePlace }> {
    const rows = await em.execute<{ id: string }[]>(`select id from nh_mentoring where id = ? for update`, [id]);
    const mentoring = rows.length ? await em.findOne(Mentoring, { id }, { refresh: true }) : null;
    if (!mentoring) throw NotFoundError.of('mentoring', id);
    const mentee = (await loadProgrammePlace(em, mentoring.menteePlaceId))!;
    const mentor = (await loadProgrammePlace(em, mentoring.mentorPlaceId))!;
    if (!PlaceAccess.canRead(scope, mentee) && !PlaceAccess.canRead(scope, mentor)) throw NotFoundError.of('mentoring', id);
    return { mentoring, mentee, mentor };
  }

  private async canSee(em: EntityManager, scope: AccessScope, mentoring: Mentoring): Promise<boolean> {
    const mentee = await loadProgrammePlace(em, mentoring.menteePlaceId);
    const mentor = await loadProgrammePlace(em, mentoring.mentorPlaceId);
    return Boolean((mentee && PlaceAccess.canRead(scope, mentee)) || (mentor && PlaceAccess.canRead(scope, mentor)));
  }

  private async view(em: EntityManager, mentoring: Mentoring): Promise<MentoringView> {
    return toView(mentoring, await this.placeNames(em, [mentoring.menteePlaceId, mentoring.mentorPlaceId]));
  }

  /** Both Places' names: each side's staff see the other Place's name, though not the rest of it. */
  private async placeNames(em: EntityManager, ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await em.execute<{ id: string; name: string }[]>(`select id, name from place where id = any(?::uuid[])`, [`{${[...new Set(ids)].join(',')}}`]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async levelOf(em: EntityManager, placeId: string, component: Component): Promise<number | null> {
    const rows = await em.execute<{ level: number }[]>(`select level from (${LATEST_LEVEL}) l where l.place_id = ?`, [component, placeId]);
    return rows[0]?.level ?? null;
  }

  private async assertMenteeLevel(em: EntityManager, placeId: string, component: Component): Promise<void> {
    const level = await this.levelOf(em, placeId, component);
    if (level === null) throw new ConflictError('The Place has not assessed its maturity in this component yet; mentoring suggestions follow an assessment.');
    if (level > 2) throw new ConflictError(`The Place is at level ${level} in this component; mentoring is for Places at level 1 or 2.`);
  }
}

function toView(m: Mentoring, names: ReadonlyMap<string, string>): MentoringView {
  return {
    id: m.id,
    menteePlaceId: m.menteePlaceId,
    menteePlaceName: names.get(m.menteePlaceId) ?? '',
    mentorPlaceId: m.mentorPlaceId,
    mentorPlaceName: names.get(m.mentorPlaceId) ?? '',
    component: m.component,
    goal: m.goal,
    status: m.status,
    decisionNote: m.decisionNote ?? null,
    reflection: m.reflection ?? null,
    proposedAt: m.proposedAt.toISOString(),
    decidedAt: m.decidedAt?.toISOString() ?? null,
    closedAt: m.closedAt?.toISOString() ?? null,
  };
}
