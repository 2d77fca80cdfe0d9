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

/** One keyset page of `entity`; the order must end in a unique column so pages never overlap. */
export async function findPage<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  orderBy: QueryOrderMap<T>,
  page: PageRequest,
  populate: readonly string[] = [],
): Promise<Page<T>> {
  try {
    const cursor = await em.findByCursor(entity, {
      where: where as never,
      first: page.limit ?? DEFAULT_PAGE_SIZE,
      after: page.cursor,
      orderBy: orderBy as never,
      includeCount: false,
      populate: populate as never,
    });
    return { items: cursor.items as T[], nextCursor: cursor.hasNextPage ? cursor.endCursor : null };
  } catch (error) {
    if (page.cursor && isCursorError(error)) {
      throw new InvalidInputError('The cursor is not one this list handed out.', [{ field: 'cursor', message: 'cursor is invalid' }]);
    }
    throw error;
  }
}

function isCursorError(error: unknown): boolean {
  return error instanceof SyntaxError || (error instanceof Error && /cursor/i.test(error.message));
}
