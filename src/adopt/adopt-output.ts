/**
 * The adoption's output file: refused when it is an ACARS Hub database (always) or holds messages
 * (unless forced). How the finished database takes its place is replace-output.ts.
 */
import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { schemaHas } from '../store/schema/schema-snapshot.js';
import { AdoptError, LegacySchemaError } from './adopt-errors.js';
import { detectGeneration } from './detect-generation.js';

/** Removes a SQLite file and the WAL files beside it. */
export function removeDatabaseFiles(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
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
  const legacy = acarsHubKind(output);
  if (legacy !== null) {
    throw new AdoptError(
      `the output ${output} is an ACARS Hub database (${legacy}); adoption reads ACARS Hub databases and never replaces one, even with --force. Give --output a new file or a Contrail database, or leave --output out to write the configured data directory's contrail.sqlite`,
    );
  }
  if (force) return;
  let messages: number;
  try {
    const db = new Database(output, { readonly: true, fileMustExist: true });
    try {
      messages = schemaHas(db, 'messages') ? (db.prepare('SELECT count(*) FROM messages').pluck().get() as number) : 0;
    } finally {
      db.close();
    }
  } catch (cause) {
    throw new AdoptError(`the output ${output} exists and is not a database Contrail can read (${(cause as Error).message}); pass --force to replace it (it is moved aside, not deleted)`, { cause });
  }
  if (messages > 0) {
    throw new AdoptError(`the output ${output} already holds ${messages} messages; pass --force to replace it (it is replaced only if the adoption succeeds, and moved aside, not deleted)`);
  }
}

/** Which ACARS Hub database `path` is, in words, or null when it is not one (or not a database at all). */
function acarsHubKind(path: string): string | null {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    const shape = detectGeneration(db, path);
    return shape.revision === null ? 'generation 1, before Alembic' : `generation ${shape.generation}, revision ${shape.revision}`;
  } catch (e) {
    if (!(e instanceof LegacySchemaError)) return null;
    // A revision this Contrail does not know (a newer ACARS Hub) is still ACARS Hub's: its
    // bookkeeping table is there, and Contrail's is not.
    return schemaHas(db, 'alembic_version') && !schemaHas(db, 'kysely_migration') ? `an ACARS Hub revision this Contrail does not know` : null;
  } finally {
    db.close();
  }
}
