import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService } from '@slp/platform';
import type { Component } from './components';
import { Story } from './entities';
import { PlaceAccess, readablePlace, recordablePlace } from './place-access';

export interface StoryInput {
  readonly title: string;
  readonly text: string;
  readonly component?: Component | null;
  readonly sharedNationally?: boolean;
}

export interface StoryView {
  readonly id: string;
  readonly placeId: string;
  readonly placeName: string;
  readonly title: string;
  readonly text: string;
  readonly component: Component | null;
  readonly sharedNationally: boolean;
  readonly createdAt: string;
}

interface StoryRow {
  id: string;
  place_id: string;
  place_name: string;
  title: string;
  text: string;
  component: Component | null;
  shared_nationally: boolean;
  created_at: Date;
}

const SELECT = `select st.id, st.place_id, p.name as place_name, st.title, st.text, st.component, st.shared_nationally, st.created_at
  from nh_story st join nh_place np on np.place_id = st.place_id join place p on p.id = np.place_id`;

/** Stories: the qualitative side of the Intelligence Centre. A Place's own are for its staff and coaches; shared ones for the whole programme. */
@Injectable()
export class StoriesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async create(scope: AccessScope, placeId: string, input: StoryInput): Promise<StoryView> {
    return this.em.transactional(async (em) => {
      await recordablePlace(em, scope, placeId, 'tell its stories');
      const story = em.create(Story, { placeId, title: input.title, text: input.text, component: input.component ?? null, sharedNationally: input.sharedNationally ?? false, author: scope.personId, createdAt: new Date() });
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'story.create', objectType: 'story', objectId: story.id, details: { placeId, sharedNationally: story.sharedNationally } });
      await em.flush();
      return toView((await em.execute<StoryRow[]>(`${SELECT} where st.id = ?`, [story.id]))[0]!);
    });
  }

  /** Every story of one Place, newest first. */
  async forPlace(scope: AccessScope, placeId: string): Promise<StoryView[]> {
    await readablePlace(this.em, scope, placeId);
    return (await this.em.execute<StoryRow[]>(`${SELECT} where st.place_id = ? order by st.created_at desc, st.id`, [placeId])).map(toView);
  }

  /** Stories shared nationally, and the unshared ones of the Places the caller works with; newest first. */
  async list(scope: AccessScope, filter: { component?: Component; limit?: number }): Promise<StoryView[]> {
    const visible = PlaceAccess.visibleWhere(scope);
    const params: unknown[] = [...visible.params];
    let where = `(st.shared_nationally or ${visible.sql})`;
    if (filter.component) {
      where += ' and st.component = ?';
      params.push(filter.component);
    }
    return (await this.em.execute<StoryRow[]>(`${SELECT} where ${where} order by st.created_at desc, st.id limit ?`, [...params, Math.min(filter.limit ?? 50, 200)])).map(toView);
  }
}

function toView(row: StoryRow): StoryView {
  return {
    id: row.id,
    placeId: row.place_id,
    placeName: row.place_name,
    title: row.title,
    text: row.text,
    component: row.component,
    sharedNationally: row.shared_nationally,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
