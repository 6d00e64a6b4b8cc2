/**
 * An engine's SQLite database, from the test's side: read it (read-only, closed afterwards) or
 * prepare a data dir whose database an older Contrail left at some schema.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { applyMigrations } from '../../src/store/schema/migration-runner.js';

/** Opens the engine's database read-only, runs `fn` on it and closes it. */
export function withEngineDb<T>(engine: { readonly dataDir: string }, fn: (db: Database.Database) => T): T {
  const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A fresh data dir (named `<prefix>XXXXXX` in the temp dir) whose database an older Contrail left at migration `to`. */
export async function oldDatabase(prefix: string, to: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const db = openWriterDatabase(join(dataDir, 'contrail.sqlite'));
  await applyMigrations(db, { to });
  db.close();
  return dataDir;
}
