import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId, SqlStatement } from '@slp/platform';

export interface OutboxMessage {
  readonly kind: string;
  readonly recipient: { readonly personId: string | null; readonly email: string; readonly name: string };
  readonly subject: { readonly type: string; readonly id: string };
  /** Distinguishes repeated emails about the same subject (e.g. a session's change sequence). */
  readonly occasion?: string | number;
  readonly data: Record<string, unknown>;
  /**
   * Fields of `data` only the inserting statement can know (e.g. a position counted under a lock
   * the statement runs inside): a jsonb expression merged over `data`, for `insertStatement` only.
   */
  readonly computedData?: SqlStatement;
}

export function dedupeKeyFor(message: OutboxMessage): string {
  const recipient = message.recipient.personId ?? message.recipient.email.toLowerCase();
  return [message.kind, message.subject.type, message.subject.id, recipient, message.occasion].filter((part) => part !== undefined).join(':');
}

/** Writes emails to the outbox inside the caller's transaction; the worker sends them. */
@Injectable()
export class OutboxService {
  /**
   * Inserts now (so it commits or rolls back with the caller's transaction) and ignores a message
   * whose dedupe key already exists: the same occasion never produces two emails.
   */
  async enqueue(em: EntityManager, messages: OutboxMessage | readonly OutboxMessage[]): Promise<void> {
    const statement = this.insertStatement(messages);
    if (statement) await em.execute(statement.sql, [...statement.params]);
  }

  /** The INSERT for `messages` (null when there are none), to run alone or inside a larger statement. */
  insertStatement(messages: OutboxMessage | readonly OutboxMessage[]): SqlStatement | null {
    const list = Array.isArray(messages) ? (messages as readonly OutboxMessage[]) : [messages as OutboxMessage];
    if (!list.length) return null;
    const now = new Date();
    return {
      sql: `insert into notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at)
            values ${list.map((message) => `(?, ?, ?, ?, ?, ?, ?, ?::jsonb${message.computedData ? ` || (${message.computedData.sql})` : ''}, ?, 'pending', 0, ?)`).join(', ')}
            on conflict (dedupe_key) do nothing`,
      params: list.flatMap((message) => [
        newId(),
        message.kind,
        message.recipient.personId,
        message.recipient.email,
        message.recipient.name,
        message.subject.type,
        message.subject.id,
        JSON.stringify(message.data),
        ...(message.computedData?.params ?? []),
        dedupeKeyFor(message),
        now,
      ]),
    };
  }
}
