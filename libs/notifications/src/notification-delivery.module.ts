import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DeliveryPoolLifecycle, deliveryPoolProvider } from './delivery-pool';
import { EmailProcessor } from './email.processor';
import { EmailSender } from './email-sender';
import { MailTransport } from './mail-transport';
import { NotificationsModule } from './notifications.module';
import { OutboxRelay } from './outbox-relay';
import { EMAIL_QUEUE } from './queues';
import { TemplateRenderer } from './template-renderer';

/** Sending, for the worker only: the outbox relay, the email queue's processor, templates and transport. */
@Module({
  imports: [NotificationsModule, BullModule.registerQueue({ name: EMAIL_QUEUE })],
  providers: [OutboxRelay, EmailSender, EmailProcessor, MailTransport, deliveryPoolProvider, DeliveryPoolLifecycle, { provide: TemplateRenderer, useFactory: () => TemplateRenderer.fromDirectory() }],
  exports: [TemplateRenderer, OutboxRelay],
})
export class NotificationDeliveryModule {}
