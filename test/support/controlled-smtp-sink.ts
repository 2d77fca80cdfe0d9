import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { headersOf } from './mime';

export interface AcceptedEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  /** The Message-ID header, with its angle brackets. */
  readonly messageId: string;
  /** When the sink answered 250 (ms since the epoch). */
  readonly acceptedAt: number;
  /** Header lookup on the raw message (first occurrence, unfolded). */
  header(name: string): string | undefined;
}

/** Every DATA the sink saw and what it answered. */
export interface DeliveryAttempt {
  readonly messageId: string;
  readonly to: readonly string[];
  readonly at: number;
  /** accepted (250), refused (4xx/5xx), or dropped: the client went away before the sink answered. */
  readonly outcome: 'accepted' | 'refused' | 'dropped';
  readonly code?: number;
}

export interface ControlledSmtpSinkOptions {
  /** How long the sink takes over each message before answering it (as a slow mail server does). */
  readonly delayMs?: number;
}

/**
 * A real SMTP server (the `smtp-server` package) for tests, which they can steer: it answers
 * each message after `delayMs`, can refuse the next messages (`failNext`), can stop answering
 * (`hold`) until `release`, and can run a hook just before it accepts a message (for
 * example to cut the sender off from its database at the moment its mail is accepted). A message
 * counts as received only if the sink answered 250 while the client was still connected: a
 * message whose client disconnected first was never accepted, as with any SMTP server.
 */
export class ControlledSmtpSink {
  readonly received: AcceptedEmail[] = [];
  readonly attempts: DeliveryAttempt[] = [];
  private failures: { code: number; message: string }[] = [];
  private held = false;
  private waiting: (() => void)[] = [];
  private readonly closedSessions = new Set<string>();
  private readonly openSessions = new Set<string>();
  private beforeAcceptHook: ((email: { messageId: string; to: readonly string[]; index: number }) => Promise<void> | void) | undefined;
  private readonly server: SMTPServer;
  private dataCount = 0;

  private constructor(private readonly options: ControlledSmtpSinkOptions) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onConnect: (session, callback) => {
        this.openSessions.add(session.id);
        callback();
      },
      onClose: (session) => {
        this.openSessions.delete(session.id);
        this.closedSessions.add(session.id);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const to = session.envelope.rcptTo.map((r) => r.address);
          const headers = headersOf(raw);
          const messageId = headers['message-id'] ?? '';
          const index = this.dataCount++;
          void (async () => {
            if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
            while (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
            if (this.closedSessions.has(session.id)) {
              this.attempts.push({ messageId, to, at: Date.now(), outcome: 'dropped' });
              return;
            }
            const failure = this.failures.shift();
            if (failure) {
              this.attempts.push({ messageId, to, at: Date.now(), outcome: 'refused', code: failure.code });
              return callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
            }
            const hook = this.beforeAcceptHook;
            if (hook) {
              this.beforeAcceptHook = undefined;
              await hook({ messageId, to, index });
            }
            if (this.closedSessions.has(session.id)) {
              this.attempts.push({ messageId, to, at: Date.now(), outcome: 'dropped' });
              return;
            }
            const acceptedAt = Date.now();
            this.attempts.push({ messageId, to, at: acceptedAt, outcome: 'accepted' });
            this.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to,
              raw,
              messageId,
              acceptedAt,
              header: (name) => headers[name.toLowerCase()],
            });
            callback();
          })();
        });
      },
    });
  }

  static async start(options: ControlledSmtpSinkOptions = {}): Promise<ControlledSmtpSink> {
    const sink = new ControlledSmtpSink(options);
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** The next `count` messages are refused with `code` (e.g. 451 try later, 550 no such user). */
  failNext(count: number, code: number, message = code >= 500 ? 'Mailbox unavailable' : 'Try again later'): void {
    for (let i = 0; i < count; i++) this.failures.push({ code, message });
  }

  /** Messages from now on wait, unanswered, until {@link release}. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Runs `hook` once, for the next message the sink is about to accept, before it answers 250. */
  beforeNextAccept(hook: (email: { messageId: string; to: readonly string[]; index: number }) => Promise<void> | void): void {
    this.beforeAcceptHook = hook;
  }

  /** How many times each Message-ID was accepted. */
  acceptedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const email of this.received) counts.set(email.messageId, (counts.get(email.messageId) ?? 0) + 1);
    return counts;
  }

  /** Messages accepted for `address` (compared case-insensitively). */
  to(address: string): AcceptedEmail[] {
    return this.received.filter((email) => email.to.some((to) => to.toLowerCase() === address.toLowerCase()));
  }

  /** Waits until `count` messages have been accepted (or fails after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 15_000): Promise<AcceptedEmail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`Expected ${count} email(s), got ${this.received.length}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.received;
  }

  /** SMTP connections open now. */
  get connections(): number {
    return this.openSessions.size;
  }

  /** Waits until every client has disconnected (e.g. after its process was killed). */
  async waitForNoConnections(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.openSessions.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.openSessions.size} SMTP connection(s) still open`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
