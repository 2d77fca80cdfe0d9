import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxMessage, OutboxService } from '@slp/notifications';
import { APP_CONFIG, AppConfig } from '@slp/platform';
import { COMPONENT_LABELS } from './components';
import type { Mentoring } from './entities';
import type { ProgrammePlace } from './place-access';

/** Every email the neighbourhood context writes to the outbox (templates are keyed by these). */
export const NEIGHBOURHOOD_NOTIFICATION_KINDS = ['mentoring_proposed', 'mentoring_accepted', 'mentoring_declined', 'mentoring_closed'] as const;
export type NeighbourhoodNotificationKind = (typeof NEIGHBOURHOOD_NOTIFICATION_KINDS)[number];

interface StaffRow {
  person_id: string;
  email: string;
  given_name: string;
  family_name: string;
  system_id: string;
}

/** Emails both Places' staff (programme leads and system admins of each Place's system) about a mentoring relationship. */
@Injectable()
export class NeighbourhoodNotifier {
  constructor(
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async mentoring(em: EntityManager, kind: NeighbourhoodNotificationKind, mentoring: Mentoring, mentee: ProgrammePlace, mentor: ProgrammePlace): Promise<void> {
    const staff = await em.execute<StaffRow[]>(
      `select distinct on (p.id) p.id as person_id, p.email, p.given_name, p.family_name, s.system_id
         from account a join person p on p.id = a.person_id
         cross join lateral unnest(a.system_ids::uuid[]) as s(system_id)
        where a.status = 'active' and a.roles && '{programme_lead,admin}'::text[] and p.erased_at is null and s.system_id = any(?::uuid[])
        order by p.id, (s.system_id = ?::uuid) desc`,
      [`{${mentee.systemId},${mentor.systemId}}`, mentee.systemId],
    );
    const messages: OutboxMessage[] = staff.map((row) => ({
      kind,
      recipient: { personId: row.person_id, email: row.email, name: `${row.given_name} ${row.family_name}` },
      subject: { type: 'mentoring', id: mentoring.id },
      data: {
        givenName: row.given_name,
        audience: row.system_id === mentee.systemId ? 'mentee' : 'mentor',
        menteePlace: mentee.name,
        mentorPlace: mentor.name,
        component: COMPONENT_LABELS[mentoring.component],
        goal: mentoring.goal,
        note: mentoring.decisionNote ?? null,
        reflection: mentoring.reflection ?? null,
        mentoringUrl: `${this.config.publicUrl}/neighbourhood/mentoring/${mentoring.id}`,
      },
    }));
    await this.outbox.enqueue(em, messages);
  }
}
