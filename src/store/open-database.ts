/**
 * Opens the SQLite database for the one writer with the PRAGMAs Contrail relies
 * on, and checks the ones SQLite may silently refuse.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

export type Db = Database.Database;

export function openWriterDatabase(path: string): Db {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === 'EEXIST' ? 'a file with that name is in the way' : (cause as Error).message;
    throw new StoreError(`cannot create the data directory ${dir}: ${why} (set CONTRAIL_DATA_DIR)`, { cause });
  }
  let db: Db;
  try {
    db = new Database(path);
  } catch (cause) {
    throw new StoreError(`cannot open database ${path}: ${(cause as Error).message}`, { cause });
  }
  // Takes effect only on a database with no tables yet (a new one): space freed by pruning can
  // then be returned in small steps (PRAGMA incremental_vacuum) instead of a full VACUUM.
  db.pragma('auto_vacuum = INCREMENTAL');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    db.close();
    throw new StoreError(`database ${path} refused WAL mode (journal_mode is ${String(mode)})`);
  }
  // NORMAL in WAL mode: a commit survives a process crash; power loss may lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
  return db;
}
