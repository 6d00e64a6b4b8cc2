/**
 * The adoption reads a private copy, never the user's file: SQLite's online backup from a
 * read-only connection gives a consistent snapshot even while ACARS Hub keeps writing (WAL
 * content included), and the original's bytes are never written.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AdoptError, LegacySchemaError } from './adopt-errors.js';

export async function copyLegacy(source: string, copy: string, progress: (done: number, total: number) => void): Promise<void> {
  if (!existsSync(source)) throw new AdoptError(`cannot adopt ${source}: no such file`);
  if (statSync(source).isDirectory()) throw new AdoptError(`cannot adopt ${source}: it is a directory, not a database file`);
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new AdoptError(`cannot open ${source}: ${(cause as Error).message}`, { cause });
  }
  try {
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (cause) {
      throw new LegacySchemaError(`${source} is not an ACARS Hub database: SQLite cannot read it (${(cause as Error).message})`);
    }
    const done = await db.backup(copy, {
      // The first step (of no pages) tells the size; the rest goes in one step, under one read
      // transaction: copied in small steps, a database ACARS Hub writes to every second would
      // make the backup start over after each write and never finish.
      progress: ({ totalPages, remainingPages }) => {
        progress(totalPages - remainingPages, totalPages);
        return 0x7fffffff;
      },
    });
    progress(done.totalPages, done.totalPages);
  } finally {
    db.close();
  }
}
