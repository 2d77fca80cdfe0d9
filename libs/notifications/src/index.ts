export * from './notification.entity';
export * from './outbox.service';
export * from './notifications.module';
