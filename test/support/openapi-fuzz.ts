import fc from 'fast-check';
import { randomUUID } from 'node:crypto';

/**
 * Bad inputs for the operations of an OpenAPI 3 document, as fast-check arbitraries: the pieces
 * the API fuzzer (test/api-fuzz.e2e-spec.ts) puts together. Everything is generated from the
 * document's own schemas, so a new operation or field is fuzzed without editing anything here.
 */

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Schema;
}

export interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** As the document writes it, `/api/v1/cohorts/{cohortId}`. */
  readonly path: string;
  readonly parameters: readonly Parameter[];
  /** The JSON body's schema (refs resolved), when the operation takes one. */
  readonly body?: Schema;
  /** Request content types the operation declares (`application/json`, `text/csv`). */
  readonly consumes: readonly string[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, refs resolved. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 20) return schema;
    if (schema.$ref) return resolve(document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')], depth + 1);
    if (schema.allOf?.length) return resolve(Object.assign({}, ...schema.allOf.map((s) => resolve(s, depth + 1))), depth + 1);
    const out: Schema = { ...schema };
    if (schema.items) out.items = resolve(schema.items, depth + 1);
    if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, depth + 1)!]));
    return out;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      operations.push({
        method,
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
        body: resolve(content['application/json']?.schema),
        consumes: Object.keys(content),
      });
    }
  }
  return operations;
}

/** Ids of real objects, by the path parameter or body field name that refers to them. */
export type KnownIds = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Hostile building blocks

const CONTROL = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\u202e', '\u2066', '\u200b', '\ufeff', '\ud800', '\udfff'];

/** Strings that break naive code: control characters, lone surrogates, bidi overrides, quotes, SQL and path syntax. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', ' ', 'é', '😀', '%', "'", '"', '\\', '_', ';', '$', '{', '}', '/', '..', '\n', '\r', '\t', ...CONTROL), maxLength: 60 }) },
  { weight: 3, arbitrary: fc.constantFrom('', ' ', '   ', 'null', 'undefined', 'true', 'NaN', 'Infinity', '-0', '1e400', "' or 1=1 --", '%00', '%', '../../etc/passwd', '${jndi:x}', '{{7*7}}', '<script>', '=cmd|x', '__proto__', 'constructor') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((k) => 'x'.repeat(2 ** k * 31 + 1)) },
  { weight: 1, arbitrary: fc.constant('é'.repeat(20_000)) },
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, -0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 123456789012345680000),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Not a UUID, or a UUID of nothing. */
export const badUuid: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('not-a-uuid', '1', '0', '-1', 'null', '00000000-0000-0000-0000-00000000000', '00000000-0000-0000-0000-0000000000000', 'g0000000-0000-0000-0000-000000000000', '{00000000-0000-0000-0000-000000000000}', '00000000000000000000000000000000', ' 00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000\u0000', "00000000-0000-0000-0000-000000000000' or '1'='1", 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ'),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}x`),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.uuid(),
  hostileString,
);

const badDateTime: fc.Arbitrary<string> = fc.constantFrom(
  '2027-02-30T09:00:00Z',
  '2027-13-01T09:00:00Z',
  '2027-03-01T25:00:00Z',
  '2027-03-01',
  '0000-01-01T00:00:00Z',
  '-004714-01-01T00:00:00Z',
  '-177993-10-25T05:54:25Z',
  '+275760-09-13T00:00:00Z',
  '+200000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '1969-12-31T23:59:59Z',
  'yesterday',
  '2027-03-01T09:00:00+99:00',
  '1e12',
  '',
);

const badEmail: fc.Arbitrary<string> = fc.constantFrom('no-at-sign', '@nhs.example', 'a@', 'a@b', 'a b@nhs.example', `${'a'.repeat(250)}@nhs.example`, 'a@nhs.example\u0000', '"quoted"@nhs.example', 'a@[127.0.0.1]', 'Ä@nhs.example');

/** Cursors a list never handed out: garbage, or base64url JSON of the wrong shape and types (past a shape check, into SQL). */
export const badCursor: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.constantFrom('!!!', 'e30', 'W10', 'bnVsbA', 'WzFd', 'W251bGxd'),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('not-a-date', '2027-02-30T00:00:00Z', '+275760-09-13T00:00:00Z', '0000-01-01', 'x'.repeat(900), '\u0000', '', "'", 'true', '1e400', 'NaN'),
        hostileNumber,
        fc.boolean(),
        fc.constant(null),
        fc.uuid(),
        fc.constant({ $gt: 0 }),
        fc.constant([1]),
      ),
      { minLength: 0, maxLength: 4 },
    )
    .chain((values) => fc.oneof(fc.constant(values), fc.uuid().map((id) => [...values, id])))
    .map((values) => Buffer.from(JSON.stringify(values)).toString('base64url')),
);

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(fc.constant(null), fc.boolean(), hostileNumber, hostileString, badUuid, badDateTime);

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Any JSON that no schema field wants: nulls, wrong types, structures, deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', 'prototype', '$where', 'id', ''), hostileScalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }).map(nested) },
);

// ---------------------------------------------------------------------------------------------
// Schema-driven values

/** A plausible value for the schema (real ids where the field names one), for bad values to sit among. */
export function plausible(schema: Schema | undefined, name: string, ids: KnownIds, depth = 0): unknown {
  if (!schema) return 'x';
  if (schema.enum?.length) return schema.enum.find((v) => v !== null);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(key) || depth === 0) out[key] = plausible(sub, key, ids, depth + 1);
      }
      return out;
    }
    case 'array':
      return depth > 4 ? [] : Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => plausible(schema.items, name, ids, depth + 1));
    case 'number':
    case 'integer':
      return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 3, 3));
    case 'boolean':
      return true;
    default:
      if (schema.format === 'uuid') return ids[name] ?? randomUUID();
      if (schema.format === 'email') return `fuzz.${randomUUID().slice(0, 8)}@nhs.example`;
      if (schema.format === 'date-time') return '2027-03-01T09:00:00Z';
      if (schema.format === 'uri') return 'https://meet.nhs.example/fuzz';
      if (schema.pattern) return 'QF1';
      if (/On$/.test(name)) return '2026-11-02';
      return 'Fuzz value '.slice(0, Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 11, 11))).padEnd(schema.minLength ?? 0, 'x');
  }
}

/** A value the schema refuses (or sits right on its edge): wrong type, null, out of range, too long, bad format, bad enum. */
export function badValue(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [hostileJson];
  if (!schema) return hostileJson;
  if (!schema.nullable) options.push(fc.constant(null));
  if (schema.enum?.length) {
    const first = String(schema.enum.find((v) => v !== null) ?? 'x');
    options.push(fc.constantFrom(`${first} `, first.toUpperCase() === first ? first.toLowerCase() : first.toUpperCase(), `${first}\u0000`, 'not_one_of_them', ''), fc.constant(schema.enum));
  }
  switch (schema.type) {
    case 'number':
    case 'integer': {
      const edges = [schema.minimum, schema.maximum].filter((v): v is number => v !== undefined).flatMap((v) => [v - 1, v + 1, v - 0.5, v + 0.5, v]);
      options.push(hostileNumber, fc.constantFrom('1', '1e3', '0x10', ' 2'), ...(edges.length ? [fc.constantFrom(...edges)] : []));
      break;
    }
    case 'boolean':
      options.push(fc.constantFrom('true', 'false', 0, 1, 'yes', ''));
      break;
    case 'array': {
      const over = (schema.maxItems ?? 1000) + 1;
      options.push(fc.constant([]), fc.constant(Array.from({ length: Math.min(over, 20_000) }, () => 'x')), fc.array(depth < 3 ? badValue(schema.items, depth + 1) : hostileJson, { minLength: 1, maxLength: 4 }), hostileScalar);
      break;
    }
    case 'object':
      options.push(depth < 3 ? badObject(schema, {}, depth + 1) : hostileJson, fc.constant([]), hostileScalar);
      break;
    default: {
      options.push(hostileString, hostileNumber, fc.boolean(), fc.constant({}), fc.constant(['x']));
      if (schema.maxLength !== undefined) options.push(fc.constantFrom('x'.repeat(schema.maxLength + 1), ' '.repeat(schema.maxLength + 1), '😀'.repeat(schema.maxLength)));
      if (schema.minLength) options.push(fc.constant('x'.repeat(schema.minLength - 1)));
      if (schema.format === 'uuid') options.push(badUuid);
      if (schema.format === 'date-time') options.push(badDateTime);
      if (schema.format === 'email') options.push(badEmail);
      if (schema.format === 'uri') options.push(fc.constantFrom('javascript:alert(1)', 'not a url', 'http://', `https://x.example/${'a'.repeat(3000)}`, 'file:///etc/passwd'));
    }
  }
  return fc.oneof(...options);
}

const EXTRA_FIELDS = ['unknownField', 'id', 'roles', 'isAdmin', 'systemIds', 'status', 'seatsTaken', '__proto__', 'constructor', '', 'x'.repeat(300)];

/** An object for the schema with one to three things wrong: a field bad, null, missing, or one too many. */
export function badObject(schema: Schema, ids: KnownIds, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(schema.properties ?? {});
  type Mutation = { kind: 'bad'; field: string; value: unknown } | { kind: 'drop'; field: string } | { kind: 'extra'; field: string; value: unknown };
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    ...(fields.length
      ? [
          { weight: 5, arbitrary: fc.constantFrom(...fields).chain((field) => badValue(schema.properties![field], depth).map((value): Mutation => ({ kind: 'bad', field, value }))) },
          { weight: 1, arbitrary: fc.constantFrom(...fields).map((field): Mutation => ({ kind: 'drop', field })) },
        ]
      : []),
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...EXTRA_FIELDS), hostileJson).map(([field, value]): Mutation => ({ kind: 'extra', field, value })) },
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    const out = plausible(schema, '', ids, depth === 0 ? 0 : 1) as Record<string, unknown>;
    for (const m of mutations) {
      if (m.kind === 'drop') delete out[m.field];
      // defineProperty, so "__proto__" becomes a real key of the JSON rather than the prototype.
      else Object.defineProperty(out, m.field, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
}

/** A query value (text) the parameter refuses, or several of them (`?a=1&a=2`). */
export function badQueryValue(parameter: Parameter): fc.Arbitrary<string | string[]> {
  const schema = parameter.schema ?? {};
  const text: fc.Arbitrary<string>[] = [hostileString.map((s) => s.slice(0, 2000))];
  if (parameter.name === 'cursor') text.push(badCursor, badCursor);
  if (schema.enum?.length) text.push(fc.constantFrom('nope', `${String(schema.enum[0])} `, String(schema.enum[0]).toUpperCase(), `${String(schema.enum[0])},${String(schema.enum[0])}`));
  if (schema.type === 'number' || schema.type === 'integer') text.push(fc.constantFrom('abc', '-1', '0', '1.5', '201', '1e400', '1e3', 'Infinity', '-Infinity', 'NaN', '0x10', ' 5', '5 ', '', '9'.repeat(400), '00001', '+1'));
  if (schema.type === 'boolean') text.push(fc.constantFrom('maybe', 'TRUE', 'True', '1', '0', 'yes', '', 'null'));
  if (schema.format === 'uuid') text.push(badUuid);
  if (schema.format === 'date-time') text.push(badDateTime);
  const one = fc.oneof(...text);
  return fc.oneof({ weight: 6, arbitrary: one }, { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) });
}

/** A path segment for an id parameter: not a UUID, a UUID of nothing, or (sometimes) the real one. */
export function pathValue(parameter: Parameter, ids: KnownIds, allowReal: boolean): fc.Arbitrary<{ value: string; real: boolean }> {
  const bad = fc.oneof(badUuid, fc.constantFrom('..', '.', '%2e%2e', 'a%2Fb', `${'9'.repeat(40)}`, 'x'.repeat(3000))).map((value) => ({ value, real: false }));
  const real = ids[parameter.name];
  if (!allowReal || !real) return bad;
  return fc.oneof({ weight: 3, arbitrary: bad }, { weight: 2, arbitrary: fc.constant({ value: real, real: true }) });
}

/** How a request body goes wrong as a whole: not JSON, the wrong JSON, the wrong media type. */
export type RawBody = { contentType: string; payload: string | Buffer } | undefined;

export const badRawBody: fc.Arbitrary<RawBody> = fc.oneof(
  fc.constantFrom<RawBody>(
    { contentType: 'application/json', payload: '' },
    { contentType: 'application/json', payload: '{' },
    { contentType: 'application/json', payload: '{"a":1,}' },
    { contentType: 'application/json', payload: "{'a':1}" },
    { contentType: 'application/json', payload: 'NaN' },
    { contentType: 'application/json', payload: '{"__proto__":{"isAdmin":true}}' },
    { contentType: 'application/json', payload: '{"constructor":{"prototype":{"isAdmin":true}}}' },
    { contentType: 'application/json', payload: '\ufeff{}' },
    { contentType: 'application/json', payload: `${'['.repeat(5000)}${']'.repeat(5000)}` },
    { contentType: 'application/json', payload: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
    { contentType: 'application/json; charset=latin1', payload: '{}' },
    { contentType: 'text/plain', payload: '{}' },
    { contentType: 'application/xml', payload: '<a/>' },
    { contentType: 'application/x-www-form-urlencoded', payload: 'a=1&a=2&__proto__[x]=1' },
    { contentType: 'multipart/form-data; boundary=x', payload: '--x\r\n\r\n--x--' },
    { contentType: 'text/csv', payload: 'a,b\n1,2\n' },
  ),
  hostileJson.map((value): RawBody => ({ contentType: 'application/json', payload: JSON.stringify(value) ?? 'null' })),
);
