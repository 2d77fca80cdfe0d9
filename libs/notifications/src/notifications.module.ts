import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Notification } from './notification.entity';
import { OutboxService } from './outbox.service';

export const NOTIFICATION_ENTITIES = [Notification];

@Module({ imports: [MikroOrmModule.forFeature(NOTIFICATION_ENTITIES)], providers: [OutboxService], exports: [OutboxService] })
export class NotificationsModule {}
