/** One SQL statement with its positional (`?`) parameters, for composing writes into a single round trip. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The statement's `?` placeholders (MikroORM's) as `$1`, `$2`, … (node-postgres's), for a statement run on a raw pg client. */
export function withPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Whether `error` is PostgreSQL's unique violation on `constraint` (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const cause = error as { code?: string; constraint?: string; cause?: unknown };
  if (cause?.code === '23505' && cause.constraint === constraint) return true;
  return cause?.cause !== undefined && cause.cause !== error && isUniqueViolation(cause.cause, constraint);
}
