/**
 * What the data directory holds, per part, by file size: the SQLite file and its WAL, the DuckDB
 * mirror (with its WAL), the journal's segments. For the `contrail_storage_bytes` gauge.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function dirSize(dir: string): number {
  let total = 0;
  try {
    for (const f of readdirSync(dir)) total += size(join(dir, f));
  } catch {
    // No journal directory yet.
  }
  return total;
}

export function storageBytes(paths: { dbPath: string; duckdbPath: string; journalDir: string }): Record<string, number> {
  return {
    sqlite: size(paths.dbPath),
    sqlite_wal: size(`${paths.dbPath}-wal`),
    duckdb: size(paths.duckdbPath) + size(`${paths.duckdbPath}.wal`),
    journal: dirSize(paths.journalDir),
  };
}
