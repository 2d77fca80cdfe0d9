import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { NotificationPreference } from './notification-preference.entity';
import { NotificationPreferencesService } from './notification-preferences.service';
import { Notification } from './notification.entity';
import { OutboxService } from './outbox.service';
import { NotificationsAdminService } from './notifications-admin.service';
import { NotificationsPersonalData } from './notifications-personal-data';

export const NOTIFICATION_ENTITIES = [Notification, NotificationPreference];

/** The outbox and preferences: what the API and feature modules need. Sending lives in the worker. */
@Module({
  imports: [MikroOrmModule.forFeature(NOTIFICATION_ENTITIES)],
  providers: [OutboxService, NotificationPreferencesService, NotificationsAdminService, NotificationsPersonalData],
  exports: [OutboxService, NotificationPreferencesService, NotificationsAdminService, NotificationsPersonalData],
})
export class NotificationsModule {}
