/**
 * What an adoption killed before it could clean up leaves beside its output: the database it was
 * building and its copy of the source (`<db>.adopting*`, together about the size of both
 * databases), and a migration lock naming a dead process. Nothing reads them; the next adoption
 * into the same output removes them, and `contrail db status` and the engine's start name them.
 */
import { statSync } from 'node:fs';
import { migrationLockPath } from '../store/schema/lock-paths.js';
import { describeHolder, isStale, readLock, type LockHolder } from '../store/schema/process-lock.js';
import { adoptionTempPaths, SQLITE_SUFFIXES } from './adopt-paths.js';

export interface AdoptLeftovers {
  files: { path: string; bytes: number }[];
  /** The migration lock, when its holder is a dead adoption (the next migrate or adopt takes it over). */
  staleLock: { path: string; holder: LockHolder } | null;
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/** Leftovers of a killed adoption into `dbPath`; null when there are none, or while a live process holds the lock (its files are in use). */
export function adoptLeftovers(dbPath: string): AdoptLeftovers | null {
  const lockPath = migrationLockPath(dbPath);
  const holder = readLock(lockPath);
  if (holder !== null && !isStale(holder)) return null;
  const { building, copy } = adoptionTempPaths(dbPath);
  const files = [building, copy].flatMap((p) => SQLITE_SUFFIXES.map((s) => `${p}${s}`)).flatMap((path) => {
    const bytes = sizeOf(path);
    return bytes === null ? [] : [{ path, bytes }];
  });
  const staleLock = holder !== null && (holder.command === 'contrail db adopt' || files.length > 0) ? { path: lockPath, holder } : null;
  return files.length > 0 || staleLock !== null ? { files, staleLock } : null;
}

/** One line for a log or a terminal. */
export function describeAdoptLeftovers(l: AdoptLeftovers): string {
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  const parts: string[] = [];
  if (l.files.length > 0) {
    const total = l.files.reduce((s, f) => s + f.bytes, 0);
    parts.push(
      `an interrupted \`contrail db adopt\` left ${l.files.length} temporary files (${mb(total)}): ${l.files.map((f) => `${f.path} (${mb(f.bytes)})`).join(', ')}; nothing uses them and they can be deleted (the next adopt into this database removes them too)`,
    );
  }
  if (l.staleLock) {
    parts.push(`${l.staleLock.path} names a process that is gone (${describeHolder(l.staleLock.holder)}); the next migrate or adopt takes it over, and it can be deleted`);
  }
  return parts.join('; ');
}
