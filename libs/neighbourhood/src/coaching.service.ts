import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ForbiddenError } from '@slp/platform';
import type { Component } from './components';
import { CoachingSession } from './entities';
import { PlaceAccess, readablePlace } from './place-access';

export interface CoachingSessionInput {
  readonly heldOn: string;
  readonly component?: Component | null;
  readonly attendees: readonly string[];
  readonly summary: string;
  readonly actions?: string;
}

export interface CoachingSessionView {
  readonly id: string;
  readonly placeId: string;
  readonly coachPersonId: string | null;
  readonly heldOn: string;
  readonly component: Component | null;
  readonly attendees: string[];
  readonly summary: string;
  readonly actions: string;
  readonly createdAt: string;
}

/** Coaching sessions: written by the Place's coaches, read by the Place's staff (and national admins). */
@Injectable()
export class CoachingSessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async record(scope: AccessScope, placeId: string, input: CoachingSessionInput): Promise<CoachingSessionView> {
    return this.em.transactional(async (em) => {
      const place = await readablePlace(em, scope, placeId);
      if (!PlaceAccess.isCoach(scope, place)) throw new ForbiddenError("Only the Place's Improvement Coaches record its coaching sessions.");
      const session = em.create(CoachingSession, {
        placeId,
        coach: scope.personId,
        heldOn: input.heldOn,
        component: input.component ?? null,
        attendees: [...input.attendees],
        summary: input.summary,
        actions: input.actions ?? '',
        createdAt: new Date(),
      });
      // Ids only: attendees' names and the notes stay out of the audit log.
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'coaching_session.create', objectType: 'coaching_session', objectId: session.id, details: { placeId, attendees: input.attendees.length } });
      await em.flush();
      return toView(session);
    });
  }

  /** Newest first. */
  async list(scope: AccessScope, placeId: string): Promise<CoachingSessionView[]> {
    await readablePlace(this.em, scope, placeId);
    const sessions = await this.em.find(CoachingSession, { placeId }, { orderBy: { heldOn: 'desc', createdAt: 'desc', id: 'asc' } });
    return sessions.map(toView);
  }
}

function toView(session: CoachingSession): CoachingSessionView {
  return {
    id: session.id,
    placeId: session.placeId,
    coachPersonId: session.coach?.id ?? null,
    heldOn: session.heldOn,
    component: session.component ?? null,
    attendees: session.attendees,
    summary: session.summary,
    actions: session.actions,
    createdAt: session.createdAt.toISOString(),
  };
}
