/** Every email the identity context sends, as outbox kinds (templates are keyed by these). */
export const IDENTITY_NOTIFICATION_KINDS = ['account_invitation', 'email_verification', 'registration_known_person', 'registration_existing_account', 'sign_in_attempts_alert', 'password_reset', 'password_changed', 'mfa_disabled', 'mfa_recovery_code_used'] as const;
export type IdentityNotificationKind = (typeof IDENTITY_NOTIFICATION_KINDS)[number];
