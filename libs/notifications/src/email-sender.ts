import { Inject, Injectable, Logger } from '@nestjs/common';
import { escapeLiteral, type Pool, type QueryResult } from 'pg';
import { APP_CONFIG, AppConfig } from '@slp/platform';
import { DELIVERY_POOL } from './delivery-pool';
import { addressOf, SessionForInvitation, sessionInvitation } from './calendar-invitation';
import { isPermanentMailError, MailTransport, OutgoingEmail } from './mail-transport';
import { isReminder } from './notification-kinds';
import { NotificationPreferencesService } from './notification-preferences.service';
import { TemplateRenderer } from './template-renderer';

export type DeliveryOutcome = 'sent' | 'already_done' | 'retry' | 'dead';

interface Row {
  id: string;
  kind: string;
  status: string;
  recipient_person_id: string | null;
  recipient_email: string;
  recipient_name: string;
  data: Record<string, unknown>;
  attempts: number;
}

/** Data fields that grant access (single-use links): removed from the row once the email is sent. */
export const SECRET_DATA_FIELDS = ['consentToken', 'consentUrl', 'acceptUrl'] as const;

const SESSION_KINDS = new Set(['session_scheduled', 'session_changed', 'session_cancelled', 'session_reminder_7d', 'session_reminder_24h']);

/**
 * Renders and sends one outbox row, exactly once per row: the row is locked for the send and
 * marked sent with the provider's message id in the same transaction, so a retried or redelivered
 * job for a sent row sends nothing.
 */
@Injectable()
export class EmailSender {
  private readonly logger = new Logger('EmailSender');

  constructor(
    @Inject(DELIVERY_POOL) private readonly pool: Pool,
    private readonly renderer: TemplateRenderer,
    private readonly transport: MailTransport,
    private readonly preferences: NotificationPreferencesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async deliver(notificationId: string, attempt: number, maxAttempts: number): Promise<DeliveryOutcome> {
    // The hottest loop of the worker: plain pg on a pool of its own (no unit of work), one
    // transaction per email that holds the row's lock across the send. Two round trips: each pair
    // of statements goes as one simple query (values quoted as literals; pg sends no parameters
    // in that protocol), so the transaction costs half the trips and half the server work.
    const client = await this.pool.connect();
    const id = escapeLiteral(notificationId);
    let broken: Error | undefined;
    try {
      const [, locked] = (await client.query(
        `begin; select id, kind, status, recipient_person_id, recipient_email, recipient_name, data, attempts from notification where id = ${id} for update`,
      )) as unknown as [QueryResult, QueryResult<Row>];
      const row = locked.rows[0];
      if (!row || row.status === 'sent' || row.status === 'dead') {
        await client.query('commit');
        return 'already_done';
      }
      let outcome: DeliveryOutcome;
      let update: string;
      try {
        const sent = await this.transport.send(this.compose(row));
        // Secrets the email needed (a consent or invitation link) leave the outbox once it is sent.
        update = `update notification set status = 'sent', provider_message_id = ${escapeLiteral(sent.messageId)}, sent_at = now(), attempts = attempts + 1, last_error = null,
                  data = data ${SECRET_DATA_FIELDS.map((field) => `- '${field}'`).join(' ')} where id = ${id}`;
        outcome = 'sent';
      } catch (error) {
        const permanent = isPermanentMailError(error) || error instanceof RenderError;
        const final = permanent || attempt >= maxAttempts;
        const message = describe(error);
        update = `update notification set status = '${final ? 'dead' : 'failed'}', attempts = attempts + 1, last_error = ${escapeLiteral(message)} where id = ${id}`;
        if (final) this.logger.warn(`Notification ${row.id} (${row.kind}) is dead after ${attempt} attempt(s): ${message}`);
        outcome = final ? 'dead' : 'retry';
      }
      await client.query(`${update}; commit`);
      return outcome;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      broken = error as Error;
      throw error;
    } finally {
      // A connection that failed mid-transaction is thrown away rather than reused.
      client.release(broken);
    }
  }

  private compose(row: Row): OutgoingEmail {
    const data = { ...row.data };
    const headers: Record<string, string> = {};
    if (isReminder(row.kind) && row.recipient_person_id) {
      const unsubscribeUrl = this.preferences.unsubscribeUrl(row.recipient_person_id);
      Object.assign(data, { unsubscribeUrl, preferencesUrl: `${this.config.publicUrl}/account/notifications` });
      headers['List-Unsubscribe'] = `<${unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    let rendered;
    try {
      rendered = this.renderer.render(row.kind, data);
    } catch (error) {
      throw new RenderError(describe(error));
    }
    return {
      to: { name: row.recipient_name, address: row.recipient_email },
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: `<${row.id}@system-leadership-platform>`,
      headers,
      calendar: SESSION_KINDS.has(row.kind) ? this.invitation(row) : undefined,
    };
  }

  /** Session emails carry the invitation, so calendars add, move or cancel the event themselves. */
  private invitation(row: Row): OutgoingEmail['calendar'] {
    const session = row.data.session as SessionForInvitation | undefined;
    if (!session) return undefined;
    return sessionInvitation(session, {
      programmeTitle: String(row.data.programmeTitle),
      cohortName: String(row.data.cohortName),
      organiserEmail: addressOf(this.config.mail.from),
      cancelled: row.kind === 'session_cancelled',
      attendee: { name: row.recipient_name, email: row.recipient_email },
    });
  }

}

/** A template that cannot render the row's data will never succeed: the row goes dead at once. */
class RenderError extends Error {}

function describe(error: unknown): string {
  const mailError = error as { responseCode?: number; response?: string; message?: string };
  // An SMTP reply already starts with its code ("550 No such user"); other errors get it in front.
  const text = mailError?.response ?? (mailError?.responseCode ? `${mailError.responseCode} ${mailError.message}` : (mailError?.message ?? String(error)));
  return text.slice(0, 1_000);
}
