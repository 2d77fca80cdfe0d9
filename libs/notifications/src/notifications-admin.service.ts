import { Injectable } from '@nestjs/common';
import { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AccessScope, AuditService, ConflictError, findPage, NotFoundError, Page, PageRequest } from '@slp/platform';
import { Notification, NotificationStatus } from './notification.entity';

export interface NotificationFilter {
  readonly recipient?: string;
  readonly kind?: string;
  readonly status?: NotificationStatus;
}

/** The outbox as national admins see it: what was sent, what failed and why, and a way to send again. */
@Injectable()
export class NotificationsAdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  list(scope: AccessScope, filter: NotificationFilter, page: PageRequest): Promise<Page<Notification>> {
    scope.assertNationalAdmin('read the outbox');
    const where: FilterQuery<Notification> = {};
    if (filter.recipient) where.recipientEmail = filter.recipient;
    if (filter.kind) where.kind = filter.kind;
    if (filter.status) where.status = filter.status;
    return findPage(this.em, Notification, where, { createdAt: 'desc', id: 'desc' }, page);
  }

  async counts(scope: AccessScope): Promise<Record<NotificationStatus, number>> {
    scope.assertNationalAdmin('read the outbox');
    const rows = await this.em.execute<{ status: NotificationStatus; count: string }[]>(`select status, count(*) as count from notification group by status`);
    const counts = { pending: 0, queued: 0, sent: 0, failed: 0, dead: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** A dead (or failing) email goes back to the outbox; the relay queues it again. */
  async requeue(scope: AccessScope, id: string): Promise<Notification> {
    scope.assertNationalAdmin('requeue emails');
    return this.em.transactional(async (em) => {
      const notification = await em.findOne(Notification, { id }, { refresh: true });
      if (!notification) throw NotFoundError.of('notification', id);
      if (notification.status !== 'dead' && notification.status !== 'failed') throw new ConflictError(`Only dead or failed emails can be requeued; this one is ${notification.status}.`);
      notification.status = 'pending';
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'notification.requeue', objectType: 'notification', objectId: id });
      return notification;
    });
  }
}
