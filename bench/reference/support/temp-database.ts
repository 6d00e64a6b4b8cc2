/**
 * A fresh Contrail database in its own temp dir, opened and migrated exactly as the writer
 * thread does it (same PRAGMAs, same schema, FTS triggers and indexes), removed on dispose.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { openWriterDatabase, type Db } from '../../../src/store/open-database.js';

export interface TempDatabase {
  db: Db;
  path: string;
  /** Main file size after a TRUNCATE checkpoint, so the WAL's content is counted once, in place. */
  checkpointedBytes(): number;
  /** Closes the connection and deletes the temp dir. Safe to call twice. */
  dispose(): void;
}

export async function openTempDatabase(prefix: string): Promise<TempDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `contrail-${prefix}-`));
  const path = join(dir, 'contrail.sqlite');
  let db: Db;
  try {
    db = openWriterDatabase(path);
    await migrateToLatest(db);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    db,
    path,
    checkpointedBytes() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      return statSync(path).size;
    },
    dispose() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
