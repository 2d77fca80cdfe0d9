import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Person } from '@slp/identity';
import { OutboxMessage, OutboxService } from '@slp/notifications';
import { APP_CONFIG, AppConfig, formatLondon } from '@slp/platform';
import type { Nomination } from './nomination.entity';

/** Every email the talent context sends, as outbox kinds (templates are keyed by these). */
export const TALENT_NOTIFICATION_KINDS = [
  'nomination_consent_request',
  'nomination_consented',
  'nomination_declined',
  'nomination_accepted',
  'nomination_rejected',
  'nomination_line_manager_notice',
] as const;
export type TalentNotificationKind = (typeof TALENT_NOTIFICATION_KINDS)[number];

export interface NominationContext {
  readonly nomination: Nomination;
  /** "Programme: …", "Cohort: … (programme)", or "Talent pool: …". */
  readonly targetLabel: string;
}

/** Builds the talent emails' outbox rows with the data each template needs. */
@Injectable()
export class TalentNotifier {
  constructor(
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The consent request carries the single-use link; the token is also needed to render it. */
  async consentRequest(em: EntityManager, context: NominationContext, token: string, expiresAt: Date): Promise<void> {
    const { nomination } = context;
    await this.send(em, 'nomination_consent_request', nomination.nominee, context, {
      consentUrl: `${this.config.publicUrl}/nominations/respond?token=${encodeURIComponent(token)}`,
      consentToken: token,
      consentExpiresAt: expiresAt.toISOString(),
      consentExpiresAtLondon: formatLondon(expiresAt),
      rationale: nomination.rationale,
    });
  }

  /** Tells the nominator the nominee consented or declined. */
  async nomineeAnswered(em: EntityManager, context: NominationContext, consented: boolean): Promise<void> {
    await this.send(em, consented ? 'nomination_consented' : 'nomination_declined', context.nomination.nominator, context, {});
  }

  /** Tells nominee and nominator the decision. */
  async decided(em: EntityManager, context: NominationContext, accepted: boolean, extra: Record<string, unknown>): Promise<void> {
    const kind = accepted ? 'nomination_accepted' : 'nomination_rejected';
    await this.send(em, kind, context.nomination.nominee, context, { ...extra, audience: 'nominee' });
    await this.send(em, kind, context.nomination.nominator, context, { ...extra, audience: 'nominator' });
  }

  /** With the nominee's agreement, tells their line manager they were nominated. */
  async lineManagerNotice(em: EntityManager, context: NominationContext, lineManagerEmail: string): Promise<void> {
    const { nomination } = context;
    await this.outbox.enqueue(em, {
      kind: 'nomination_line_manager_notice',
      recipient: { personId: null, email: lineManagerEmail, name: lineManagerEmail },
      subject: { type: 'nomination', id: nomination.id },
      data: this.data(context, { nomineeName: fullName(nomination.nominee) }),
    });
  }

  private async send(em: EntityManager, kind: TalentNotificationKind, to: Person, context: NominationContext, extra: Record<string, unknown>): Promise<void> {
    const message: OutboxMessage = {
      kind,
      recipient: { personId: to.id, email: to.email, name: fullName(to) },
      subject: { type: 'nomination', id: context.nomination.id },
      data: this.data(context, { givenName: to.givenName, ...extra }),
    };
    await this.outbox.enqueue(em, message);
  }

  private data(context: NominationContext, extra: Record<string, unknown>): Record<string, unknown> {
    const { nomination } = context;
    return {
      nominationId: nomination.id,
      target: context.targetLabel,
      nomineeName: fullName(nomination.nominee),
      nominatorName: fullName(nomination.nominator),
      nominationUrl: `${this.config.publicUrl}/nominations/${nomination.id}`,
      ...extra,
    };
  }
}

function fullName(person: Pick<Person, 'givenName' | 'familyName'>): string {
  return `${person.givenName} ${person.familyName}`;
}
