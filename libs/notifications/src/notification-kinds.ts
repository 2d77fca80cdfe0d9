/** Reminder emails: the only kind a person can switch off; they carry List-Unsubscribe (RFC 2369, RFC 8058). */
export const REMINDER_KINDS = ['session_reminder_7d', 'session_reminder_24h'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const DIGEST_KINDS = ['lead_digest'] as const;

export function isReminder(kind: string): kind is ReminderKind {
  return (REMINDER_KINDS as readonly string[]).includes(kind);
}
