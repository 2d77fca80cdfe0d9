import { Client } from 'pg';

/**
 * A cheap fingerprint of everything stored in one database, to prove that a request changed
 * nothing: for each table, its row count and the newest `xmin` among its rows. Every insert or
 * update writes a row version stamped with a transaction id newer than any before it (so the
 * table's max(xmin) moves), and a delete lowers the count; a delete balanced by an insert still
 * moves max(xmin). Unlike pg_stat_user_tables (flushed to shared memory at most once a second, and
 * only when the backend goes idle) it is exact the moment the writing transaction commits.
 */
export class DatabaseFingerprint {
  private constructor(
    private readonly client: Client,
    private readonly query: string,
    readonly tables: readonly string[],
  ) {}

  static async open(databaseUrl: string): Promise<DatabaseFingerprint> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public' order by tablename`);
    const tables = rows.map((row) => row.name);
    if (!tables.length) throw new Error('The database has no tables to fingerprint');
    const parts = tables.map((table) => `select '${table}' as t, count(*)::text as n, coalesce(max(xmin::text::bigint), 0)::text as x from "${table}"`);
    return new DatabaseFingerprint(client, parts.join(' union all '), tables);
  }

  /** Table name → "rows:newest xmin". */
  async take(): Promise<Record<string, string>> {
    const { rows } = await this.client.query<{ t: string; n: string; x: string }>(this.query);
    return Object.fromEntries(rows.map((row) => [row.t, `${row.n}:${row.x}`]));
  }

  /** Runs a read on the same connection (e.g. to see which audit rows a request wrote). */
  async rows<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }

  /** The tables whose fingerprint differs between `before` and `after`. */
  static changed(before: Record<string, string>, after: Record<string, string>): string[] {
    return Object.keys(after).filter((table) => before[table] !== after[table]);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
