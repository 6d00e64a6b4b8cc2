/** How `contrail db` commands open the database and respect the engine and migration locks. */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Config } from '../config/config-types.js';
import { LockedError, UsageError } from '../errors.js';
import { openWriterDatabase, type Db } from '../store/open-database.js';
import { engineLockPath, migrationLockPath } from '../store/schema/lock-paths.js';
import { describeHolder, lockHolder, ProcessLock, type LockHolder } from '../store/schema/process-lock.js';

/** A typo in CONTRAIL_DATA_DIR must not create an empty database. */
export function requireDatabase(config: Config): void {
  if (!existsSync(config.dbPath)) {
    throw new UsageError(`no database at ${config.dbPath} (the engine creates it at its first start; check CONTRAIL_DATA_DIR)`);
  }
}

/** Opens the configured database for writing; it must exist. */
export function openExisting(config: Config): Db {
  requireDatabase(config);
  return openWriterDatabase(config.dbPath);
}

/** A read-only connection, for commands that only look (the file is not written, not even its header). */
export function openReadOnly(config: Config): Db {
  requireDatabase(config);
  return new Database(config.dbPath, { readonly: true, fileMustExist: true });
}

export function runningEngine(config: Config): LockHolder | null {
  return lockHolder(engineLockPath(config.dbPath));
}

/** For commands that replace or reshape the database under a running engine: refuse. */
export function requireEngineStopped(config: Config, what: string): void {
  const engine = runningEngine(config);
  if (engine) {
    throw new LockedError(`cannot ${what} while the engine runs on this database: ${describeHolder(engine)}. Stop it first, or use the admin API (POST /api/v1/db/…)`);
  }
}

/** The migration lock, held for the duration of `fn`. */
export async function withMigrationLock<T>(config: Config, command: string, what: string, fn: (lock: ProcessLock) => Promise<T>): Promise<T> {
  const lock = ProcessLock.acquire(migrationLockPath(config.dbPath), command, what);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
