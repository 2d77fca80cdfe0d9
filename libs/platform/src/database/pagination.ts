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
  if (page.cursor) assertCursorFits(page.cursor, Object.keys(orderBy));
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

/**
 * A cursor is opaque to clients but not trusted: it must decode to one scalar per sort key (and
 * a UUID for `id`), or MikroORM would silently ignore it or the database would reject it.
 */
function assertCursorFits(cursor: string, keys: readonly string[]): void {
  decodeCursor(cursor, keys);
}

/** The sort-key values a cursor stands for (one per key, a UUID for `id`); 400 when it is not one a list handed out. */
export function decodeCursor(cursor: string, keys: readonly string[]): (string | number | boolean | null)[] {
  let values: unknown;
  try {
    values = Cursor.decode(cursor);
  } catch {
    values = undefined;
  }
  const fits =
    Array.isArray(values) &&
    values.length === keys.length &&
    values.every((value, i) => (keys[i] === 'id' ? typeof value === 'string' && UUID.test(value) : value === null || ['string', 'number', 'boolean'].includes(typeof value)));
  if (!fits) throw new InvalidInputError('The cursor is not one this list handed out.', [{ field: 'cursor', message: 'cursor is invalid' }]);
  return values as (string | number | boolean | null)[];
}

/** The cursor `findPage` hands out after an item with these sort-key values (for keyset pages read with SQL). */
export function encodeCursor(values: readonly (string | number | boolean | null)[]): string {
  return Cursor.encode([...values]);
}
