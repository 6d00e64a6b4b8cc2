/**
 * Backups: SQLite's online backup API (consistent while the engine writes), one file per backup
 * with a JSON sidecar saying when, why and at which schema it was taken. Retention keeps the
 * newest `keep`, and beyond the newest one, none older than `keepDays`.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { NotFoundError, StoreError } from '../../errors.js';
import type { Db } from '../open-database.js';
import { schemaHas } from './schema-snapshot.js';

export interface BackupInfo {
  /** File name without extension, sortable by time, e.g. 20261121T103000123Z-pre-migrate. */
  id: string;
  path: string;
  createdAt: string;
  /** Why it was taken: manual, pre-migrate, pre-restore, pre-rollback, api. */
  reason: string;
  /** The last migration applied in the backed-up database. */
  schema: string | null;
  bytes: number;
  ms: number;
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** How far a backup has come, 0 to 100. */
export function backupPercent(p: BackupProgress): number {
  return p.totalPages === 0 ? 100 : Math.round(((p.totalPages - p.remainingPages) / p.totalPages) * 100);
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

function lastMigration(db: Db): string | null {
  return schemaHas(db, 'kysely_migration') ? ((db.prepare('SELECT max(name) FROM kysely_migration').pluck().get() as string | null) ?? null) : null;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Backs `db` up into `dir`. Written under a temporary name and renamed when complete, so a
 * backup listed is a whole one. The copy is switched out of WAL mode: a backup is one file.
 */
export async function createBackup(db: Db, dir: string, reason: string, onProgress?: (p: BackupProgress) => void): Promise<BackupInfo> {
  mkdirSync(dir, { recursive: true });
  const created = new Date();
  const id = `${stamp(created)}-${reason}`;
  const path = join(dir, `${id}.sqlite`);
  const partial = `${path}.partial`;
  const started = performance.now();
  try {
    await db.backup(partial, {
      progress: (p) => {
        onProgress?.(p);
        // Pages per step: ~25 ms of copying on this class of machine keeps a busy writer responsive.
        return 256;
      },
    });
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fsyncPath(partial);
    renameSync(partial, path);
    fsyncPath(dir);
  } catch (cause) {
    rmSync(partial, { force: true });
    throw new StoreError(`backup to ${path} failed: ${(cause as Error).message}`, { cause });
  }
  const info: BackupInfo = { id, path, createdAt: created.toISOString(), reason, schema: lastMigration(db), bytes: statSync(path).size, ms: Math.round(performance.now() - started) };
  const { path: _p, ...sidecar } = info;
  writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
  return info;
}

/** Every complete backup, newest first. A backup whose sidecar is missing is still listed. */
export function listBackups(dir: string): BackupInfo[] {
  if (!existsSync(dir)) return [];
  const out: BackupInfo[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.sqlite')) continue;
    const id = f.slice(0, -'.sqlite'.length);
    const path = join(dir, f);
    let meta: Partial<BackupInfo> = {};
    try {
      meta = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as Partial<BackupInfo>;
    } catch {
      // No sidecar: what the file itself tells is enough to list and restore it.
    }
    out.push({
      id,
      path,
      createdAt: meta.createdAt ?? statSync(path).mtime.toISOString(),
      reason: meta.reason ?? (id.split('-').slice(1).join('-') || 'unknown'),
      schema: meta.schema ?? null,
      bytes: statSync(path).size,
      ms: meta.ms ?? 0,
    });
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function findBackup(dir: string, id: string): BackupInfo {
  const all = listBackups(dir);
  const found = all.find((b) => b.id === id || basename(b.path) === id);
  if (!found) {
    const known = all.slice(0, 5).map((b) => b.id);
    throw new NotFoundError(`no backup ${JSON.stringify(id)} in ${dir}${known.length ? `; newest: ${known.join(', ')}` : ' (there are none)'}; see contrail db backups`);
  }
  return found;
}

/** Deletes backups past the retention; returns what it deleted. The newest always stays. */
export function pruneBackups(dir: string, keep: number, keepDays: number, now = Date.now()): BackupInfo[] {
  const all = listBackups(dir);
  const cutoff = now - keepDays * 86_400_000;
  const doomed = all.filter((b, i) => i > 0 && (i >= keep || Date.parse(b.createdAt) < cutoff));
  for (const b of doomed) {
    rmSync(b.path, { force: true });
    rmSync(join(dir, `${b.id}.json`), { force: true });
  }
  return doomed;
}

/** `PRAGMA integrity_check` of a database file, opened read-only; 'ok' or the problems found. */
export function checkFileIntegrity(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => String(r.integrity_check));
  } finally {
    db.close();
  }
}

/**
 * Puts the backup's content in place of the database at `dbPath`, atomically: copied beside it,
 * synced, then renamed over it. The caller has closed every connection and checkpointed the WAL
 * (a backup of the current database was taken through SQLite first), so leftover -wal and -shm
 * files are empty and removed.
 */
export function swapInBackup(backup: BackupInfo, dbPath: string): void {
  if (!existsSync(backup.path)) throw new NotFoundError(`backup ${backup.id} has no file at ${backup.path}`);
  const staging = `${dbPath}.restoring`;
  const src = new Database(backup.path, { readonly: true, fileMustExist: true });
  try {
    // Through SQLite rather than a file copy: correct even if the backup was left in WAL mode.
    src.exec(`VACUUM INTO '${staging.replace(/'/g, "''")}'`);
  } finally {
    src.close();
  }
  fsyncPath(staging);
  rmSync(`${dbPath}-wal`, { force: true });
  rmSync(`${dbPath}-shm`, { force: true });
  renameSync(staging, dbPath);
  fsyncPath(dirname(dbPath));
}
