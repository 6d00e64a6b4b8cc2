/**
 * The adoption's output file: refused when it is an ACARS Hub database (always) or holds messages
 * (unless forced). How the finished database takes its place is replace-output.ts.
 */
import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { schemaHas } from '../store/schema/schema-snapshot.js';
import { AdoptError, LegacySchemaError } from './adopt-errors.js';
import { SQLITE_SUFFIXES } from './adopt-paths.js';
import { describeGeneration, detectGeneration } from './detect-generation.js';

/** Removes a SQLite file and the WAL files beside it. */
export function removeDatabaseFiles(path: string): void {
  for (const s of SQLITE_SUFFIXES) rmSync(`${path}${s}`, { force: true });
}

export function sameFile(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
}

/**
 * Refuses an output that is an ACARS Hub database, forced or not: adoption reads those and never
 * replaces one. Refuses an output that holds messages or cannot be read, unless `force`.
 */
export function checkOutput(output: string, force: boolean): void {
  if (!existsSync(output)) return;
  if (statSync(output).isDirectory()) throw new AdoptError(`the output ${output} is a directory; give a file path`);
  const unreadable = (cause: unknown): AdoptError =>
    new AdoptError(`the output ${output} exists and is not a database Contrail can read (${(cause as Error).message}); pass --force to replace it (it is moved aside, not deleted)`, { cause });
  let db: Database.Database;
  try {
    db = new Database(output, { readonly: true, fileMustExist: true });
  } catch (cause) {
    // Not a database at all, so not an ACARS Hub one either.
    if (force) return;
    throw unreadable(cause);
  }
  try {
    const legacy = acarsHubKind(db, output);
    if (legacy !== null) {
      throw new AdoptError(
        `the output ${output} is an ACARS Hub database (${legacy}); adoption reads ACARS Hub databases and never replaces one, even with --force. Give --output a new file or a Contrail database, or leave --output out to write the configured data directory's contrail.sqlite`,
      );
    }
    if (force) return;
    let messages: number;
    try {
      messages = schemaHas(db, 'messages') ? (db.prepare('SELECT count(*) FROM messages').pluck().get() as number) : 0;
    } catch (cause) {
      throw unreadable(cause);
    }
    if (messages > 0) {
      throw new AdoptError(`the output ${output} already holds ${messages} messages; pass --force to replace it (it is replaced only if the adoption succeeds, and moved aside, not deleted)`);
    }
  } finally {
    db.close();
  }
}

/** Which ACARS Hub database `db` (opened from `path`) is, in words, or null when it is not one (or not a database at all). */
function acarsHubKind(db: Database.Database, path: string): string | null {
  try {
    return describeGeneration(detectGeneration(db, path));
  } catch (e) {
    if (!(e instanceof LegacySchemaError)) return null;
    // A revision this Contrail does not know (a newer ACARS Hub) is still ACARS Hub's: its
    // bookkeeping table is there, and Contrail's is not.
    return schemaHas(db, 'alembic_version') && !schemaHas(db, 'kysely_migration') ? `an ACARS Hub revision this Contrail does not know` : null;
  }
}
