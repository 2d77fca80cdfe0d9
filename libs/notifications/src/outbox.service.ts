import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@slp/platform';
import { Notification } from './notification.entity';

export interface OutboxMessage {
  readonly kind: string;
  readonly recipient: { readonly personId: string | null; readonly email: string; readonly name: string };
  readonly subject: { readonly type: string; readonly id: string };
  /** Distinguishes repeated emails about the same subject (e.g. a session's change sequence). */
  readonly occasion?: string | number;
  readonly data: Record<string, unknown>;
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
    const list = Array.isArray(messages) ? (messages as readonly OutboxMessage[]) : [messages as OutboxMessage];
    if (!list.length) return;
    await em
      .createQueryBuilder(Notification)
      .insert(
        list.map((message) => ({
          id: newId(),
          kind: message.kind,
          recipientPersonId: message.recipient.personId,
          recipientEmail: message.recipient.email,
          recipientName: message.recipient.name,
          subjectType: message.subject.type,
          subjectId: message.subject.id,
          data: message.data,
          dedupeKey: dedupeKeyFor(message),
          status: 'pending' as const,
          attempts: 0,
          createdAt: new Date(),
        })),
      )
      .onConflict('dedupeKey')
      .ignore()
      .execute();
  }
}
