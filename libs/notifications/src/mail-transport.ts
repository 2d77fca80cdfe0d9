import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { APP_CONFIG, AppConfig, describeUrl } from '@slp/platform';

export interface OutgoingEmail {
  readonly to: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Our Message-ID: the notification's id, so a duplicate can be recognised downstream. */
  readonly messageId: string;
  readonly headers?: Record<string, string>;
  readonly calendar?: { readonly method: 'REQUEST' | 'CANCEL'; readonly content: string };
}

export interface SentEmail {
  readonly messageId: string;
  readonly response: string;
}

/**
 * Sends through pooled SMTP (`SMTP_URL`), or, when none is configured, writes each message as an
 * `.eml` file under `MAIL_SINK_DIR` so the platform runs without a mail server.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly transport;
  private readonly sinkDir: string | null;
  private sinkDirReady: Promise<unknown> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.mail.smtpUrl) {
      const url = new URL(config.mail.smtpUrl);
      if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
      this.transport = createTransport(url.toString());
      this.sinkDir = null;
      this.logger.log(`Sending email through SMTP at ${describeUrl(config.mail.smtpUrl)}`);
    } else {
      this.transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
      this.sinkDir = config.mail.sinkDir;
      this.logger.log(`No SMTP_URL: writing email as .eml files to ${config.mail.sinkDir}`);
    }
  }

  async send(email: OutgoingEmail): Promise<SentEmail> {
    const info = await this.transport.sendMail({
      from: this.config.mail.from,
      to: { name: email.to.name, address: email.to.address },
      subject: email.subject,
      html: email.html,
      text: email.text,
      messageId: email.messageId,
      headers: email.headers,
      ...(email.calendar ? { icalEvent: { method: email.calendar.method, filename: 'invite.ics', content: email.calendar.content } } : {}),
    });
    if (this.sinkDir) {
      this.sinkDirReady ??= mkdir(this.sinkDir, { recursive: true });
      await this.sinkDirReady;
      const name = email.messageId.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_');
      await writeFile(join(this.sinkDir, `${name}.eml`), (info as { message: Buffer }).message);
      return { messageId: info.messageId, response: 'written to the file sink' };
    }
    return { messageId: info.messageId, response: String((info as { response?: string }).response ?? '') };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/**
 * Permanent failures stop at once: the server refused for good (5xx), or the address is unusable.
 * Everything else (4xx like 451, timeouts, connection errors) is worth retrying.
 */
export function isPermanentMailError(error: unknown): boolean {
  const mailError = error as { responseCode?: number; code?: string };
  if (typeof mailError?.responseCode === 'number') return mailError.responseCode >= 500 && mailError.responseCode < 600;
  return mailError?.code === 'EENVELOPE';
}
