/** One number from DuckDB: the first cell of a query's result. */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The first cell of `sql`'s result as a number (BIGINT and counts come back as bigint); null for no row or NULL. */
export async function scalar(conn: DuckDBConnection, sql: string): Promise<number | null> {
  const v = (await conn.runAndReadAll(sql)).getRows()[0]?.[0];
  return v === null || v === undefined ? null : Number(v);
}
