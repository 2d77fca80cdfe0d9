import { IsBoolean, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { NOTIFICATION_STATUSES, type Notification, type NotificationStatus } from '@slp/notifications';
import { PageQueryDto } from '../../http/page-query.dto';

export class NotificationsQueryDto extends PageQueryDto {
  /** Recipient email (exact, case-insensitive). */
  @IsOptional()
  @IsEmail({}, { message: 'recipient must be an email address' })
  recipient?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  kind?: string;

  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES)
  status?: NotificationStatus;
}

export class NotificationDto {
  id!: string;
  kind!: string;
  recipientEmail!: string;
  subjectType!: string;
  subjectId!: string;
  status!: NotificationStatus;
  attempts!: number;
  lastError!: string | null;
  providerMessageId!: string | null;
  createdAt!: string;
  sentAt!: string | null;
}

export function toNotificationDto(notification: Notification): NotificationDto {
  return {
    id: notification.id,
    kind: notification.kind,
    recipientEmail: notification.recipientEmail,
    subjectType: notification.subjectType,
    subjectId: notification.subjectId,
    status: notification.status,
    attempts: notification.attempts,
    lastError: notification.lastError ?? null,
    providerMessageId: notification.providerMessageId ?? null,
    createdAt: notification.createdAt.toISOString(),
    sentAt: notification.sentAt?.toISOString() ?? null,
  };
}

export class PreferencesDto {
  /** Session reminders (7 days and 24 hours before). Service emails cannot be switched off. */
  @IsBoolean()
  reminders!: boolean;
}

export class UnsubscribeQueryDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}
