import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSubject, Erasure, ExportRequest, PersonalDataArea, RegisterPersonalData, SqlStatement } from '@slp/platform';
import { Assessment, CoachingSession, Mentoring, PlaceCoach, Practice, Story } from './entities';

/**
 * What neighbourhood health holds about a person: the Places they coach, the coaching sessions
 * they recorded or are named in as an attendee, the practices they are the contact for, and the
 * assessments and mentoring steps their account recorded.
 */
@Injectable()
@RegisterPersonalData()
export class NeighbourhoodPersonalData implements PersonalDataArea {
  readonly name = 'neighbourhood-health';
  readonly summary = 'The Places you coach as an Improvement Coach, coaching sessions you recorded or are named in as an attendee, practices you are the contact for, stories you wrote, and maturity assessments and mentoring steps you recorded.';
  readonly onErasure = 'Coaching assignments are removed; you are taken off the coaching sessions you recorded and your name is removed from attendee lists; practices no longer name you as their contact and stories no longer name you as their author; assessments and mentoring no longer say who recorded them. The Places’ records stay.';
  readonly entities = [PlaceCoach, CoachingSession, Practice, Assessment, Mentoring, Story];
  readonly erasePhase = 30;

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const fullName = `${subject.givenName} ${subject.familyName}`;
    const coaching = await em.execute<{ place_id: string; assigned_at: Date }[]>(`select place_id, assigned_at from nh_place_coach where person_id = ? order by assigned_at`, [subject.personId]);
    const sessions = await em.execute<{ id: string; place_id: string; held_on: string; component: string | null; attendees: string[]; summary: string; actions: string; recorded: boolean }[]>(
      `select id, place_id, to_char(held_on, 'YYYY-MM-DD') as held_on, component, attendees, summary, actions, (coach_id = ?) as recorded
         from nh_coaching_session where coach_id = ? or ? = any(attendees) order by held_on, id`,
      [subject.personId, subject.personId, fullName],
    );
    const practices = await em.execute<{ id: string; place_id: string; title: string; component: string }[]>(`select id, place_id, title, component from nh_practice where contact_id = ? order by created_at, id`, [subject.personId]);
    const stories = await em.execute<{ id: string; place_id: string; title: string; text: string; shared_nationally: boolean }[]>(`select id, place_id, title, text, shared_nationally from nh_story where author_id = ? order by created_at, id`, [subject.personId]);
    const assessments = subject.accountId ? await em.execute<{ id: string; place_id: string; assessed_on: string }[]>(`select id, place_id, to_char(assessed_on, 'YYYY-MM-DD') as assessed_on from nh_assessment where recorded_by_account_id = ? order by assessed_on, id`, [subject.accountId]) : [];
    const mentoring = subject.accountId
      ? await em.execute<{ id: string; status: string; proposed: boolean; decided: boolean; closed: boolean }[]>(
          `select id, status, proposed_by_account_id = ? as proposed, coalesce(decided_by_account_id = ?, false) as decided, coalesce(closed_by_account_id = ?, false) as closed
             from nh_mentoring where ? in (proposed_by_account_id, decided_by_account_id, closed_by_account_id) order by proposed_at, id`,
          [subject.accountId, subject.accountId, subject.accountId, subject.accountId],
        )
      : [];
    return {
      placesCoached: coaching.map((c) => ({ placeId: c.place_id, assignedAt: new Date(c.assigned_at).toISOString() })),
      coachingSessions: sessions.map((s) => ({ id: s.id, placeId: s.place_id, heldOn: s.held_on, component: s.component, role: s.recorded ? 'coach' : 'attendee', attendees: s.recorded ? s.attendees : [fullName], summary: s.recorded ? s.summary : undefined, actions: s.recorded ? s.actions : undefined })),
      storiesWritten: stories.map((s) => ({ id: s.id, placeId: s.place_id, title: s.title, text: s.text, sharedNationally: s.shared_nationally })),
      practicesAsContact: practices.map((p) => ({ id: p.id, placeId: p.place_id, title: p.title, component: p.component })),
      assessmentsRecorded: assessments.map((a) => ({ id: a.id, placeId: a.place_id, assessedOn: a.assessed_on })),
      mentoringSteps: mentoring.map((m) => ({ id: m.id, status: m.status, proposed: m.proposed, decided: m.decided, closed: m.closed })),
    };
  }

  async erase(em: EntityManager, { subject }: Erasure): Promise<Record<string, number>> {
    const fullName = `${subject.givenName} ${subject.familyName}`;
    const coaching = await em.execute<{ place_id: string }[]>(`delete from nh_place_coach where person_id = ? returning place_id`, [subject.personId]);
    const recorded = await em.execute<{ id: string }[]>(`update nh_coaching_session set coach_id = null where coach_id = ? returning id`, [subject.personId]);
    const attended = await em.execute<{ id: string }[]>(`update nh_coaching_session set attendees = array_remove(attendees, ?) where ? = any(attendees) returning id`, [fullName, fullName]);
    const practices = await em.execute<{ id: string }[]>(`update nh_practice set contact_id = null where contact_id = ? returning id`, [subject.personId]);
    const stories = await em.execute<{ id: string }[]>(`update nh_story set author_id = null where author_id = ? returning id`, [subject.personId]);
    let accountRows = 0;
    if (subject.accountId) {
      accountRows += (await em.execute<{ id: string }[]>(`update nh_assessment set recorded_by_account_id = null where recorded_by_account_id = ? returning id`, [subject.accountId])).length;
      accountRows += (await em.execute<{ id: string }[]>(`update nh_practice set created_by_account_id = null where created_by_account_id = ? returning id`, [subject.accountId])).length;
      for (const column of ['proposed_by_account_id', 'decided_by_account_id', 'closed_by_account_id']) {
        accountRows += (await em.execute<{ id: string }[]>(`update nh_mentoring set ${column} = null where ${column} = ? returning id`, [subject.accountId])).length;
      }
    }
    return { coachingAssignmentsRemoved: coaching.length, coachingSessionsUnlinked: recorded.length, attendeeListsCleared: attended.length, practicesUnlinked: practices.length, storiesUnlinked: stories.length, recordsUnattributed: accountRows };
  }

  recentActivity(cutoff: Date): SqlStatement {
    return {
      sql: `select coach_id as person_id from nh_coaching_session where coach_id is not null and created_at >= ?
            union all select person_id from nh_place_coach where assigned_at >= ?
            union all select contact_id from nh_practice where contact_id is not null and created_at >= ?
            union all select author_id from nh_story where author_id is not null and created_at >= ?`,
      params: [cutoff, cutoff, cutoff, cutoff],
    };
  }
}
