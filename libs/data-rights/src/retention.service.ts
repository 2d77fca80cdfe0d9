import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { NotificationsPersonalData } from '@slp/notifications';
import { APP_CONFIG, AppConfig, AuditService, PersonalDataRegistry, SqlStatement } from '@slp/platform';
import { ErasureService } from './erasure.service';

/** Ids a preview lists at most. */
const PREVIEW_IDS = 100;
const BATCH = 200;

export interface RetentionPreview {
  readonly inactiveYears: number;
  /** People with no activity since this instant are erased. */
  readonly inactiveBefore: string;
  readonly people: { readonly count: number; readonly ids: readonly string[] };
  readonly notificationPayloadDays: number;
  /** Emails sent before this instant have their template data cleared. */
  readonly payloadsSentBefore: string;
  readonly emailPayloads: { readonly count: number };
}

export interface RetentionRun {
  readonly erased: number;
  readonly payloadsCleared: number;
}

/**
 * The retention rules (README "Data rights and retention"): people with no activity for
 * RETENTION_INACTIVE_YEARS are erased, and sent emails' template data is cleared after
 * NOTIFICATION_PAYLOAD_DAYS. "Activity" is whatever any personal-data area reports as recent
 * (sign-in, anything done with the account, changes to the person, enrolments, attendance,
 * nominations, appointments, equality monitoring). The worker runs this weekly.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly em: EntityManager,
    private readonly registry: PersonalDataRegistry,
    private readonly erasure: ErasureService,
    private readonly notifications: NotificationsPersonalData,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async preview(now = new Date()): Promise<RetentionPreview> {
    const { inactiveBefore, payloadsSentBefore } = this.cutoffs(now);
    const em = this.em.fork();
    const candidates = this.candidates(inactiveBefore);
    const [count] = await em.execute<{ count: string }[]>(`select count(*) as count from (${candidates.sql}) c`, [...candidates.params]);
    const ids = await this.candidateIds(em, inactiveBefore, null, PREVIEW_IDS);
    return {
      inactiveYears: this.config.retention.inactiveYears,
      inactiveBefore: inactiveBefore.toISOString(),
      people: { count: Number(count?.count ?? 0), ids },
      notificationPayloadDays: this.config.retention.notificationPayloadDays,
      payloadsSentBefore: payloadsSentBefore.toISOString(),
      emailPayloads: { count: await this.notifications.countSentPayloads(em, payloadsSentBefore) },
    };
  }

  /** Safe to run twice or from two workers: an erased person is no longer a candidate, and erasure is idempotent under the person's lock. */
  async run(now = new Date()): Promise<RetentionRun> {
    const { inactiveBefore, payloadsSentBefore } = this.cutoffs(now);
    const reason = `retention: no activity for ${this.config.retention.inactiveYears} years`;
    let erased = 0;
    let after: string | null = null;
    for (;;) {
      const ids = await this.candidateIds(this.em.fork(), inactiveBefore, after, BATCH);
      for (const id of ids) {
        if ((await this.erasure.eraseForRetention(id, reason)).erasedNow) erased++;
      }
      if (ids.length < BATCH) break;
      after = ids[ids.length - 1]!;
    }
    const payloadsCleared = await this.em.fork().transactional(async (em) => {
      const cleared = await this.notifications.clearSentPayloads(em, payloadsSentBefore);
      if (erased || cleared) {
        this.audit.record(em, { actorAccountId: null, action: 'retention.run', objectType: 'retention', details: { erased, payloadsCleared: cleared, inactiveYears: this.config.retention.inactiveYears, notificationPayloadDays: this.config.retention.notificationPayloadDays } });
      }
      return cleared;
    });
    if (erased || payloadsCleared) this.logger.log(`Retention: ${erased} people erased, ${payloadsCleared} email payloads cleared`);
    return { erased, payloadsCleared };
  }

  private cutoffs(now: Date): { inactiveBefore: Date; payloadsSentBefore: Date } {
    const at = DateTime.fromJSDate(now, { zone: 'utc' });
    return {
      inactiveBefore: at.minus({ years: this.config.retention.inactiveYears }).toJSDate(),
      payloadsSentBefore: at.minus({ days: this.config.retention.notificationPayloadDays }).toJSDate(),
    };
  }

  /** People not yet erased whom no area calls active since `cutoff`. */
  private candidates(cutoff: Date, after: string | null = null): SqlStatement {
    const activity = this.registry.areas.flatMap((area) => (area.recentActivity ? [area.recentActivity(cutoff)] : []));
    const recent = activity.map((statement) => `not exists (select 1 from (${statement.sql}) r where r.person_id = p.id)`);
    return {
      sql: `select p.id from person p where p.erased_at is null ${after ? 'and p.id > ?' : ''} ${recent.map((clause) => `and ${clause}`).join(' ')}`,
      params: [...(after ? [after] : []), ...activity.flatMap((statement) => statement.params)],
    };
  }

  private async candidateIds(em: EntityManager, cutoff: Date, after: string | null, limit: number): Promise<string[]> {
    const candidates = this.candidates(cutoff, after);
    const rows = await em.execute<{ id: string }[]>(`${candidates.sql} order by p.id limit ?`, [...candidates.params, limit]);
    return rows.map((row) => row.id);
  }
}
