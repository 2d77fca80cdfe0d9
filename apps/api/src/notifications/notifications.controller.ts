import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, Header, Headers, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
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
  ) {}

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

  /**
   * The reminder's unsubscribe link, opened in a browser: a page asking to confirm. Opening it
   * changes nothing (link scanners open links too); the button POSTs (RFC 8058 §3.2).
   */
  @Public()
  @Get('notification-preferences/unsubscribe')
  @Header('Content-Type', 'text/html; charset=utf-8')
  confirmUnsubscribe(@Query() query: UnsubscribeQueryDto): string {
    return page('Stop session reminders?', `<p>You will still get emails about your applications, places and session changes.</p>
<form method="post" action="?token=${encodeURIComponent(query.token)}"><button type="submit">Stop session reminders</button></form>`);
  }

  /** RFC 8058 one-click unsubscribe (mail clients POST `List-Unsubscribe=One-Click`), or the confirmation page's button. */
  @Public()
  @Post('notification-preferences/unsubscribe')
  async unsubscribe(@Query() query: UnsubscribeQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | void> {
    await this.preferences.unsubscribe(query.token);
    if (accept?.includes('text/html')) {
      void reply.status(200).header('Content-Type', 'text/html; charset=utf-8');
      return page('Session reminders stopped', '<p>You will no longer get session reminders. You can switch them back on in your notification preferences.</p>');
    }
    void reply.status(204);
  }
}

/** A minimal accessible page; `body` is trusted markup built here, never user input. */
function page(title: string, body: string): string {
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:Arial,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#212b32}h1{font-size:1.75rem}button{background:#007f3b;color:#fff;border:0;padding:.75rem 1rem;font-size:1rem;cursor:pointer}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
}

