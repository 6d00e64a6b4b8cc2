/**
 * What the data directory holds, per part, by file size: the SQLite file and its WAL, the DuckDB
 * mirror (with its WAL), the journal's segments. For the `contrail_storage_bytes` gauge.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileSizeOrZero } from '../store/maintenance/database-size.js';

function dirSize(dir: string): number {
  let total = 0;
  try {
    for (const f of readdirSync(dir)) total += fileSizeOrZero(join(dir, f));
  } catch {
    // No journal directory yet.
  }
  return total;
}

export function storageBytes(paths: { dbPath: string; duckdbPath: string; journalDir: string }): Record<string, number> {
  return {
    sqlite: fileSizeOrZero(paths.dbPath),
    sqlite_wal: fileSizeOrZero(`${paths.dbPath}-wal`),
    duckdb: fileSizeOrZero(paths.duckdbPath) + fileSizeOrZero(`${paths.duckdbPath}.wal`),
    journal: dirSize(paths.journalDir),
  };
}
