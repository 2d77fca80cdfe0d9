import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { OutboxService } from '@slp/notifications';
import { APP_CONFIG, AppConfig, LONDON } from '@slp/platform';

interface LeadRow {
  account_id: string;
  person_id: string;
  email: string;
  given_name: string;
  family_name: string;
  system_ids: string[];
}

/**
 * The weekly digest: tells each programme lead what awaits them (applications to approve in
 * cohorts of their systems, consented nominations to decide). Once per lead per ISO week.
 */
@Injectable()
export class LeadDigestService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createWeekly(now = new Date()): Promise<number> {
    const em = this.em.fork();
    const week = DateTime.fromJSDate(now, { zone: LONDON });
    const occasion = `${week.weekYear}-W${String(week.weekNumber).padStart(2, '0')}`;
    const leads = await em.execute<LeadRow[]>(
      `select a.id as account_id, p.id as person_id, p.email, p.given_name, p.family_name, a.system_ids
         from account a join person p on p.id = a.person_id
        where a.status = 'active' and 'programme_lead' = any(a.roles) and cardinality(a.system_ids) > 0`,
    );
    let created = 0;
    for (const lead of leads) {
      // An array literal (the driver would expand a JS array into a list of values); system ids are UUIDs.
      const systems = `{${lead.system_ids.join(',')}}`;
      const applications = await em.execute<{ cohort_name: string; programme_title: string; count: string }[]>(
        `select c.name as cohort_name, pr.title as programme_title, count(*) as count
           from enrolment e join cohort c on c.id = e.cohort_id join programme pr on pr.id = c.programme_id
          where e.status = 'pending_approval' and pr.system_id::text = any(?::text[])
          group by c.name, pr.title order by c.name`,
        [systems],
      );
      const nominations = await em.execute<{ target: string; count: string }[]>(
        `select coalesce(pr.title, c.name, tp.name) as target, count(*) as count
           from nomination n
           left join programme pr on pr.id = n.programme_id
           left join cohort c on c.id = n.cohort_id
           left join talent_pool tp on tp.id = n.talent_pool_id
          where n.status = 'consented' and n.target_system_id::text = any(?::text[])
          group by 1 order by 1`,
        [systems],
      );
      const pendingApplications = applications.reduce((sum, a) => sum + Number(a.count), 0);
      const consentedNominations = nominations.reduce((sum, n) => sum + Number(n.count), 0);
      if (!pendingApplications && !consentedNominations) continue;
      await this.outbox.enqueue(em, {
        kind: 'lead_digest',
        recipient: { personId: lead.person_id, email: lead.email, name: `${lead.given_name} ${lead.family_name}` },
        subject: { type: 'account', id: lead.account_id },
        occasion,
        data: {
          givenName: lead.given_name,
          weekOf: week.startOf('week').toFormat('cccc d LLLL yyyy'),
          pendingApplications,
          consentedNominations,
          applications: applications.map((a) => ({ cohortName: a.cohort_name, programmeTitle: a.programme_title, count: Number(a.count) })),
          nominations: nominations.map((n) => ({ target: n.target, count: Number(n.count) })),
          dashboardUrl: `${this.config.publicUrl}/staff`,
        },
      });
      created += 1;
    }
    return created;
  }
}
