/**
 * A small MIME reader for tests (RFC 2045/2046): splits a raw message into its parts, following
 * multipart boundaries, and decodes base64 and quoted-printable bodies. Written against the RFCs
 * rather than with a mail library, so the messages nodemailer writes are not read back by code
 * like it.
 */

export interface MimePart {
  /** Header names lower-cased, folded lines unfolded; first occurrence wins. */
  readonly headers: Record<string, string>;
  /** `type/subtype`, lower-cased (text/plain when the part has no Content-Type). */
  readonly type: string;
  /** Content-Type parameters, names lower-cased, quotes removed. */
  readonly params: Record<string, string>;
  /** The decoded body of a leaf part (empty for a multipart). */
  readonly body: string;
  readonly parts: MimePart[];
}

function splitHead(raw: string): [head: string, body: string] {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return [raw, ''];
  return [raw.slice(0, match.index), raw.slice(match.index + match[0].length)];
}

function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    params[param.slice(0, eq).trim().toLowerCase()] = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: type!.trim().toLowerCase(), params };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const input = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < input.length; i++) {
    const char = input[i]!;
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** The headers of a raw message (names lower-cased, folded lines unfolded, first occurrence wins). */
export function headersOf(raw: string): Record<string, string> {
  return parseHeaders(splitHead(raw)[0]);
}

/** Parses a raw message (or part) into its MIME tree. */
export function parseMime(raw: string): MimePart {
  const [head, body] = splitHead(raw);
  const headers = parseHeaders(head);
  const { type, params } = parseContentType(headers['content-type']);
  if (!type.startsWith('multipart/')) {
    return { headers, type, params, body: decodeBody(body, headers['content-transfer-encoding']), parts: [] };
  }
  const boundary = params.boundary;
  if (!boundary) throw new Error(`${type} without a boundary`);
  const delimiter = `--${boundary}`;
  const parts: MimePart[] = [];
  const sections = body.split(new RegExp(`(?:^|\\r?\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // sections[0] is the preamble; a section starting with "--" is the closing delimiter (epilogue follows).
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    parts.push(parseMime(section.replace(/^[ \t]*\r?\n/, '')));
  }
  if (!parts.length) throw new Error(`${type} with no parts`);
  return { headers, type, params, body: '', parts };
}

/** Every leaf part of the tree, depth first. */
export function leafParts(part: MimePart): MimePart[] {
  return part.parts.length ? part.parts.flatMap(leafParts) : [part];
}
