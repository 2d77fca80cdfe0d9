import { Cursor } from '@mikro-orm/core';
import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { InvalidInputError } from '../errors/domain-errors';

/** Keyset page request, as every list route takes it: `?limit=&cursor=`. */
export interface PageRequest {
  readonly limit?: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One keyset page of `entity`; the order must end in a unique `id` so pages never overlap. */
export async function findPage<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  orderBy: QueryOrderMap<T>,
  page: PageRequest,
  populate: readonly string[] = [],
): Promise<Page<T>> {
  if (page.cursor) assertCursorFits(page.cursor, Object.keys(orderBy).map((key) => (em.getMetadata(entity).properties as Record<string, SortKeyProperty | undefined>)[key]));
  const cursor = await em.findByCursor(entity, {
    where: where as never,
    first: page.limit ?? DEFAULT_PAGE_SIZE,
    after: page.cursor,
    orderBy: orderBy as never,
    includeCount: false,
    populate: populate as never,
  });
  return { items: cursor.items as T[], nextCursor: cursor.hasNextPage ? cursor.endCursor : null };
}

/** What the cursor check needs to know about a sort key's property. */
export interface SortKeyProperty {
  readonly name: string;
  readonly runtimeType?: string;
  readonly type?: string;
  readonly nullable?: boolean;
}

/**
 * A cursor is opaque to clients but not trusted: it must decode to one value per sort key, of
 * that key's type (a UUID for `id`, a string that is an instant for a date, a finite number for a
 * number; null only where the column may be null), or MikroORM would silently ignore it or the
 * database would reject the comparison (a 500).
 */
function assertCursorFits(cursor: string, keys: readonly (SortKeyProperty | undefined)[]): void {
  decodeCursor(cursor, keys);
}

/**
 * The sort-key values a cursor stands for (one per key, of that key's type); 400 when it is not one
 * a list handed out. Keys are the entity's property metadata, or plain descriptors for SQL read models.
 */
export function decodeCursor(cursor: string, keys: readonly (SortKeyProperty | undefined)[]): (string | number | boolean | null)[] {
  let values: unknown;
  try {
    values = Cursor.decode(cursor);
  } catch {
    values = undefined;
  }
  const fits = Array.isArray(values) && values.length === keys.length && values.every((value, i) => fitsKey(value, keys[i]));
  if (!fits) throw new InvalidInputError('The cursor is not one this list handed out.', [{ field: 'cursor', message: 'cursor is invalid' }]);
  return values as (string | number | boolean | null)[];
}

/** The cursor `findPage` hands out after an item with these sort-key values (for keyset pages read with SQL). */
export function encodeCursor(values: readonly (string | number | boolean | null)[]): string {
  return Cursor.encode([...values]);
}

function fitsKey(value: unknown, key: SortKeyProperty | undefined): boolean {
  if (!key) return false;
  if (value === null) return key.nullable === true;
  if (key.name === 'id') return typeof value === 'string' && UUID.test(value);
  switch (key.runtimeType ?? key.type) {
    case 'Date':
      // Exactly what a Date serialises to (PostgreSQL parses the text itself, and more loosely than this).
      return typeof value === 'string' && ISO_INSTANT.test(value) && new Date(value).toISOString() === value;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && value.isWellFormed() && !value.includes('\u0000');
    default:
      return false;
  }
}
