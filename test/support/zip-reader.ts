import type { Response } from 'supertest';
import { fromBufferPromise } from 'yauzl';

/** Collects a binary response body (supertest otherwise only buffers text and JSON). */
export function binaryParser(res: Response, callback: (error: Error | null, body: Buffer) => void): void {
  // At parse time supertest hands over the raw response stream, typed as its Response.
  const response = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
  response.on('error', (error: Error) => callback(error, Buffer.alloc(0)));
}

/** Every file of a ZIP archive by name, read through its central directory. */
export async function readZip(archive: Buffer): Promise<Map<string, string>> {
  const zip = await fromBufferPromise(archive, { lazyEntries: true });
  const files = new Map<string, string>();
  for await (const entry of zip.eachEntry()) {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
  }
  return files;
}

/** The archive of a supertest response requested with `.buffer(true).parse(binaryParser)`. */
export function zipOf(response: Response): Promise<Map<string, string>> {
  return readZip(response.body as Buffer);
}
