import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** When each reminder goes out: `window` before the session starts, until the next reminder's window. */
const REMINDERS = [
  { kind: 'session_reminder_7d', from: '7 days', until: '24 hours' },
  { kind: 'session_reminder_24h', from: '24 hours', until: '0 seconds' },
] as const;

/**
 * Writes reminder emails to the outbox for enrolled people, 7 days and 24 hours before each
 * scheduled session, skipping people who switched reminders off. One INSERT … SELECT per kind;
 * the dedupe key makes each reminder exist once however often (or on however many workers) it runs.
 */
@Injectable()
export class SessionRemindersService {
  constructor(private readonly em: EntityManager) {}

  async createDue(now = new Date()): Promise<number> {
    let created = 0;
    for (const reminder of REMINDERS) {
      const rows = await this.em.fork().execute<{ id: string }[]>(
        `insert into notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at)
         select gen_random_uuid(), ?, p.id, p.email, p.given_name || ' ' || p.family_name, 'session', s.id,
                json_build_object(
                  'givenName', p.given_name, 'programmeTitle', pr.title, 'cohortName', c.name, 'cohortId', c.id,
                  'session', json_build_object(
                    'id', s.id, 'sequence', s.sequence, 'title', s.title, 'kind', s.kind,
                    'startsAt', to_char(s.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'endsAt', to_char(s.ends_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'startsAtLondon', to_char(s.starts_at at time zone 'Europe/London', 'FMDay FMDD FMMonth YYYY, FMHH12:MIam'),
                    'endsAtLondon', to_char(s.ends_at at time zone 'Europe/London', 'FMDay FMDD FMMonth YYYY, FMHH12:MIam'),
                    'location', s.location, 'onlineUrl', s.online_url)),
                ? || ':session:' || s.id || ':' || p.id, 'pending', 0, now()
           from session s
           join cohort c on c.id = s.cohort_id
           join programme pr on pr.id = c.programme_id
           join enrolment e on e.cohort_id = c.id and e.status = 'enrolled'
           join person p on p.id = e.person_id
           left join notification_preference np on np.person_id = p.id
          where s.status = 'scheduled'
            and s.starts_at > ?::timestamptz + interval '${reminder.until}'
            and s.starts_at <= ?::timestamptz + interval '${reminder.from}'
            and coalesce(np.reminders_enabled, true)
         on conflict (dedupe_key) do nothing
         returning id`,
        [reminder.kind, reminder.kind, now, now],
      );
      created += rows.length;
    }
    return created;
  }
}
