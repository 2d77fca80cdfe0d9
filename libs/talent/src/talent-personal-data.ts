import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSubject, Erasure, ExportRequest, PersonalDataArea, RegisterPersonalData, SqlStatement } from '@slp/platform';
import { Appointment } from './appointment.entity';
import { Membership } from './membership.entity';
import { NominationEvent } from './nomination-event.entity';
import { Nomination } from './nomination.entity';
import { canMoveNomination, NominationStatus, NOMINATION_STATUSES } from './nomination-status';

/** Statuses erasure withdraws: those a withdrawal may still leave (before a decision). */
const WITHDRAWABLE: readonly NominationStatus[] = NOMINATION_STATUSES.filter((status) => canMoveNomination(status, 'withdrawn'));

/**
 * Nominations of the person (with their talent grid ratings and every transition), their talent
 * pool places and appointments. Nominations they made of others are the nominees' data, not theirs.
 */
@Injectable()
@RegisterPersonalData()
export class TalentPersonalData implements PersonalDataArea {
  readonly name = 'nominations';
  readonly summary = 'Nominations of you (target, status, readiness, talent grid performance and potential, the rationale, decisions) with the history of each, your places in talent pools and programmes, and appointments recorded for you.';
  readonly onErasure = 'Nominations still awaiting a decision are withdrawn; rationales, reasons and appointment posts are cleared; consent links stop working. The rows stay, anonymous, so the pipeline funnel keeps its counts and dates.';
  readonly entities = [Nomination, NominationEvent, Membership, Appointment];
  readonly erasePhase = 20;

  async ownedObjects(em: EntityManager, subject: DataSubject) {
    const nominations = await em.find(Nomination, { nominee: subject.personId }, { fields: ['id'] });
    const appointments = await em.find(Appointment, { person: subject.personId }, { fields: ['id'] });
    return [...nominations.map((n) => ({ type: 'nomination', id: n.id })), ...appointments.map((a) => ({ type: 'appointment', id: a.id }))];
  }

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const nominations = await em.find(Nomination, { nominee: subject.personId }, { populate: ['programme', 'cohort', 'talentPool'], orderBy: { createdAt: 'asc', id: 'asc' } });
    const events = nominations.length ? await em.find(NominationEvent, { nomination: { $in: nominations.map((n) => n.id) } }, { orderBy: { at: 'asc', id: 'asc' } }) : [];
    const memberships = await em.find(Membership, { person: subject.personId }, { populate: ['programme', 'talentPool'], orderBy: { createdAt: 'asc', id: 'asc' } });
    const appointments = await em.find(Appointment, { person: subject.personId }, { populate: ['organisation'], orderBy: { appointedOn: 'asc', id: 'asc' } });
    return {
      nominations: nominations.map((n) => ({
        id: n.id,
        target: n.programme ? { kind: 'programme', id: n.programme.id, title: n.programme.title } : n.cohort ? { kind: 'cohort', id: n.cohort.id, name: n.cohort.name } : { kind: 'talent_pool', id: n.talentPool!.id, name: n.talentPool!.name },
        status: n.status,
        readiness: n.readiness,
        performance: n.performance,
        potential: n.potential,
        rationale: n.rationale,
        lineManagerNotified: n.lineManagerNotified,
        decisionReason: n.decisionReason ?? null,
        createdAt: n.createdAt.toISOString(),
        updatedAt: n.updatedAt.toISOString(),
        history: events
          .filter((event) => event.nomination.id === n.id)
          .map((event) => ({ from: event.fromStatus ?? null, to: event.toStatus, by: event.actorRole, reason: event.reason ?? null, at: event.at.toISOString() })),
      })),
      memberships: memberships.map((m) => ({
        programme: m.programme ? { id: m.programme.id, title: m.programme.title } : null,
        talentPool: m.talentPool ? { id: m.talentPool.id, name: m.talentPool.name } : null,
        createdAt: m.createdAt.toISOString(),
      })),
      appointments: appointments.map((a) => ({ id: a.id, post: a.post, organisation: { id: a.organisation.id, name: a.organisation.name }, appointedOn: a.appointedOn, createdAt: a.createdAt.toISOString() })),
    };
  }

  async erase(em: EntityManager, { subject, actorAccountId, at }: Erasure): Promise<Record<string, number>> {
    const withdrawn = await em.execute<{ id: string; from_status: string }[]>(
      `with active as (select id, status from nomination where nominee_id = ? and status = any(?::text[]) for update)
       update nomination n set status = 'withdrawn', updated_at = ? from active where n.id = active.id returning n.id, active.status as from_status`,
      [subject.personId, `{${WITHDRAWABLE.join(',')}}`, at],
    );
    for (const row of withdrawn) {
      em.create(NominationEvent, { nomination: em.getReference(Nomination, row.id), fromStatus: row.from_status as NominationStatus, toStatus: 'withdrawn', actorAccountId, actorRole: 'system', reason: 'person erased', at });
    }
    await em.flush();
    const nominations = await em.execute<{ id: string }[]>(
      `update nomination set rationale = '', decision_reason = null, consent_token_hash = null, used_consent_token_hash = null, consent_token_expires_at = null, updated_at = ? where nominee_id = ? returning id`,
      [at, subject.personId],
    );
    await em.execute(`update nomination_event set reason = null where reason is not null and reason <> 'person erased' and nomination_id in (select id from nomination where nominee_id = ?)`, [subject.personId]);
    const appointments = await em.execute<{ id: string }[]>(`update appointment set post = '' where person_id = ? returning id`, [subject.personId]);
    return { nominationsWithdrawn: withdrawn.length, nominationsCleared: nominations.length, appointmentsCleared: appointments.length };
  }

  recentActivity(cutoff: Date): SqlStatement {
    return {
      sql: `select nominee_id as person_id from nomination where updated_at >= ?
            union all select nominator_id from nomination where created_at >= ?
            union all select n.nominee_id from nomination_event ev join nomination n on n.id = ev.nomination_id where ev.at >= ?
            union all select person_id from talent_membership where created_at >= ?
            union all select person_id from appointment where created_at >= ? or appointed_on >= ?::date`,
      params: [cutoff, cutoff, cutoff, cutoff, cutoff, cutoff],
    };
  }
}
