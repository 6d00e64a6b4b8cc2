/**
 * The adoption's output file: refused when it holds messages (unless forced), and replaced in
 * one rename once the new database is complete, so a reader sees the old file or the new one.
 */
import { closeSync, existsSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { schemaHas } from '../store/schema/schema-snapshot.js';
import { AdoptError } from './adopt-errors.js';

/** Removes a SQLite file and the WAL files beside it. */
export function removeDatabaseFiles(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
}

export function sameFile(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
}

/** Refuses an output that holds something, unless `force`. */
export function checkOutput(output: string, force: boolean): void {
  if (!existsSync(output)) return;
  if (statSync(output).isDirectory()) throw new AdoptError(`the output ${output} is a directory; give a file path`);
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
    throw new AdoptError(`the output ${output} exists and is not a database Contrail can read (${(cause as Error).message}); pass --force to replace it`, { cause });
  }
  if (messages > 0) {
    throw new AdoptError(`the output ${output} already holds ${messages} messages; pass --force to replace it (it is replaced only if the adoption succeeds)`);
  }
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/** Renames the finished database (closed, its WAL checkpointed away) onto the output. */
export function replaceOutput(building: string, output: string): void {
  // A WAL left by the database being replaced would be replayed into the new one.
  for (const p of [`${output}-wal`, `${output}-shm`, `${building}-wal`, `${building}-shm`]) rmSync(p, { force: true });
  renameSync(building, output);
  fsyncDirectory(dirname(output));
}
