/**
 * What DuckDB holds in memory, as its buffer manager accounts it: `duckdb_memory()` per tag
 * (BASE_TABLE: table blocks cached in the buffer pool; HASH_TABLE, ORDER_BY, WINDOW: a query's
 * working memory; ...). Allocations outside the buffer manager (small ones, the result set on its
 * way to JS) are not in it: process RSS (peak-rss.ts) counts those.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { setTimeout as sleep } from 'node:timers/promises';
import { scalar } from '../../../src/analytics/duck-scalar.js';

const MB = 2 ** 20;

/** Bytes DuckDB's buffer manager holds now, over every tag. */
async function duckdbMemoryBytes(conn: DuckDBConnection): Promise<number> {
  return (await scalar(conn, 'SELECT sum(memory_usage_bytes) FROM duckdb_memory()')) ?? 0;
}

/** Non-zero tags, MB, for a one-off report. */
export async function duckdbMemoryByTag(conn: DuckDBConnection): Promise<Record<string, number>> {
  const rows = (await conn.runAndReadAll('SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0 ORDER BY tag')).getRows();
  return Object.fromEntries(rows.map(([tag, bytes]) => [String(tag), Number((Number(bytes) / MB).toFixed(1))]));
}

export interface MemoryPeak {
  /** Highest buffer-manager total seen (bytes), the reading before the work included. */
  duckdbPeakBytes: number;
  /** Buffer-manager total before the work (bytes). */
  duckdbBeforeBytes: number;
  samples: number;
}

/**
 * Runs `work` while a second connection polls `duckdb_memory()` every
 * `everyMs`: DuckDB runs queries on its own threads, so the poll sees a query's working memory
 * while it is held. The polling costs CPU: time `work` in separate runs.
 */
export async function withMemoryPeak<T>(probe: DuckDBConnection, work: () => Promise<T>, everyMs = 5): Promise<{ result: T; peak: MemoryPeak }> {
  const duckdbBeforeBytes = await duckdbMemoryBytes(probe);
  const peak: MemoryPeak = { duckdbPeakBytes: duckdbBeforeBytes, duckdbBeforeBytes, samples: 0 };
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      const bytes = await duckdbMemoryBytes(probe);
      peak.duckdbPeakBytes = Math.max(peak.duckdbPeakBytes, bytes);
      peak.samples++;
      if (!stop) await sleep(everyMs);
    }
  })();
  try {
    const result = await work();
    return { result, peak };
  } finally {
    stop = true;
    await poll;
    // The state right after the work counts too (a fast query can end between two samples).
    peak.duckdbPeakBytes = Math.max(peak.duckdbPeakBytes, await duckdbMemoryBytes(probe));
  }
}
