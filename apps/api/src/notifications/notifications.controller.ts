import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import { EMAIL_QUEUE, NotificationPreferencesService, NotificationsAdminService } from '@slp/notifications';
import { AccessScope, Authenticated, CurrentPrincipal, Principal, Public, Roles } from '@slp/platform';
import { PageDto, toPageDto } from '../http/page-query.dto';
import { NotificationDto, NotificationsQueryDto, PreferencesDto, toNotificationDto, UnsubscribeQueryDto } from './dto/notification.dto';

@ApiTags('notifications')
@Controller()
export class NotificationsController {
  constructor(
    private readonly admin: NotificationsAdminService,
    private readonly preferences: NotificationPreferencesService,
    @InjectQueue(EMAIL_QUEUE) private readonly emailQueue: Queue,
  ) {
    // Redis outages show in readiness and metrics; an unhandled 'error' event would stop the API.
    emailQueue.on('error', () => undefined);
  }

  /** The outbox and its delivery state (national admins). */
  @Roles('admin')
  @Get('notifications')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: NotificationsQueryDto): Promise<PageDto<NotificationDto>> {
    const { limit, cursor, ...filter } = query;
    return toPageDto(await this.admin.list(AccessScope.of(principal), filter, { limit, cursor }), toNotificationDto);
  }

  /** Outbox rows by status, and the email queue's counts (null while Redis is unreachable). */
  @Roles('admin')
  @Get('notifications/metrics')
  async metrics(@CurrentPrincipal() principal: Principal): Promise<{ outbox: Record<string, number>; queue: Record<string, number> | null }> {
    const outbox = await this.admin.counts(AccessScope.of(principal));
    const queue = await Promise.race([
      this.emailQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_500)),
    ]).catch(() => null);
    return { outbox, queue };
  }

  /** Sends a dead or failed email again. */
  @Roles('admin')
  @Post('notifications/:notificationId/requeue')
  @HttpCode(200)
  async requeue(@CurrentPrincipal() principal: Principal, @Param('notificationId', ParseUUIDPipe) id: string): Promise<NotificationDto> {
    return toNotificationDto(await this.admin.requeue(AccessScope.of(principal), id));
  }

  @Authenticated()
  @Get('me/notification-preferences')
  getPreferences(@CurrentPrincipal() principal: Principal): Promise<PreferencesDto> {
    return this.preferences.get(principal.personId);
  }

  @Authenticated()
  @Put('me/notification-preferences')
  putPreferences(@CurrentPrincipal() principal: Principal, @Body() body: PreferencesDto): Promise<PreferencesDto> {
    return this.preferences.put(AccessScope.of(principal), body);
  }

  /** RFC 8058 one-click unsubscribe from reminders (the link in each reminder's List-Unsubscribe header). */
  @Public()
  @Post('notification-preferences/unsubscribe')
  @HttpCode(204)
  async unsubscribe(@Query() query: UnsubscribeQueryDto): Promise<void> {
    await this.preferences.unsubscribe(query.token);
  }
}
