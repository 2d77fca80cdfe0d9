import { Writable } from 'node:stream';

export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly req?: { id: string; method: string; url: string };
  readonly res?: { statusCode: number };
  readonly [key: string]: unknown;
}

/** A pino destination that keeps every line, to assert on what an app really logs. */
export class LogCapture extends Writable {
  readonly raw: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.raw.push(...chunk.toString().split('\n').filter(Boolean));
    callback();
  }

  get lines(): LogLine[] {
    return this.raw.map((line) => JSON.parse(line) as LogLine);
  }

  get text(): string {
    return this.raw.join('\n');
  }

  /** The completed-request line for a request id, waiting briefly: Fastify logs after the response is sent. */
  async requestLine(requestId: string, timeoutMs = 2_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((entry) => entry.msg === 'request completed' && entry.req?.id === requestId);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`No request log line for ${requestId}; got:\n${this.text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
