/**
 * Putting the adopted database in place. Whatever it replaces is moved aside, never deleted,
 * into `replaced-<UTC time>/` beside the output: the output database with its WAL, and, when the
 * output is a data directory's database (`<dir>/contrail.sqlite`, the only name an engine opens),
 * that directory's journal. The journal holds the old database's raw frames, and an engine
 * replays it from the checkpoint its database records: beside the adopted database (checkpoint 0)
 * every old frame would be replayed into it. The data directory's DuckDB mirror is deleted: it is
 * derived from the database, the engine rebuilds it at its next start, and an old one would keep
 * the old rows (and skip the adopted ones below its last id).
 *
 * An output by any other name has no journal or mirror of its own, so nothing else is touched.
 * No engine runs on the output (adopt checked its lock and holds the migration lock), so moving
 * the old files first and renaming the new one after is safe; if a rename fails, what was moved
 * goes back.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DB_FILE_NAME, DUCKDB_FILE_NAME, JOURNAL_DIR_NAME } from '../config/defaults.js';
import { AdoptError } from './adopt-errors.js';
import { SQLITE_SUFFIXES } from './adopt-paths.js';
import { existingMirrorFiles } from '../analytics/mirror-files.js';

export interface Move {
  from: string;
  to: string;
}

export interface Replacement {
  /** Where the replaced files go; null when nothing is replaced. */
  dir: string | null;
  /** Each file or directory moved there. */
  moved: Move[];
  /** Deleted before anything is moved: the data directory's DuckDB mirror files. */
  removed: string[];
}

/** The journal and mirror an engine pairs with `output`: only when it is `<dir>/contrail.sqlite`. */
function dataDirFiles(output: string): { journal: string; mirror: string } | null {
  if (basename(output) !== DB_FILE_NAME) return null;
  const dir = dirname(output);
  return { journal: join(dir, JOURNAL_DIR_NAME), mirror: join(dir, DUCKDB_FILE_NAME) };
}

function isNonEmptyDirectory(path: string): boolean {
  try {
    return readdirSync(path).length > 0;
  } catch {
    return false;
  }
}

/** `replaced-20260121T101500Z`, with `-2`, `-3`… when one of that second exists. */
function asideDirectory(parent: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  let dir = join(parent, `replaced-${stamp}`);
  for (let n = 2; existsSync(dir); n++) dir = join(parent, `replaced-${stamp}-${n}`);
  return dir;
}

/** What installing the adopted database at `output` will move and delete, from the files there now. Touches nothing. */
export function planReplacement(output: string, now: Date): Replacement {
  const parent = dirname(output);
  const dir = asideDirectory(parent, now);
  const moved: Move[] = SQLITE_SUFFIXES.map((s) => `${output}${s}`)
    .filter((p) => existsSync(p))
    .map((p) => ({ from: p, to: join(dir, basename(p)) }));
  const removed: string[] = [];
  const paired = dataDirFiles(output);
  if (paired) {
    // An empty journal directory holds nothing to keep and nothing to replay: left where it is.
    if (isNonEmptyDirectory(paired.journal)) moved.push({ from: paired.journal, to: join(dir, JOURNAL_DIR_NAME) });
    removed.push(...existingMirrorFiles(paired.mirror));
  }
  return { dir: moved.length > 0 ? dir : null, moved, removed };
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
    // Some filesystems refuse fsync on a directory; the renames themselves are still atomic.
  }
}

/**
 * Deletes the mirror, moves the replaced files aside, then renames the finished database (closed,
 * its WAL checkpointed away) onto `output`. The mirror goes first so that no failure can follow
 * the output's replacement: a failed delete leaves the output untouched, and a mirror lost to a
 * failed rename is harmless, being derived and rebuilt at the engine's next start. On a failed
 * rename the moved files are put back and the output database is as it was.
 */
export function applyReplacement(r: Replacement, building: string, output: string): void {
  for (const p of [`${building}-wal`, `${building}-shm`]) rmSync(p, { force: true });
  for (const p of r.removed) rmSync(p, { recursive: true, force: true });
  const done: Move[] = [];
  try {
    if (r.dir !== null) mkdirSync(r.dir);
    for (const m of r.moved) {
      renameSync(m.from, m.to);
      done.push(m);
    }
    renameSync(building, output);
  } catch (cause) {
    const stuck: string[] = [];
    for (const m of done.reverse()) {
      try {
        renameSync(m.to, m.from);
      } catch {
        stuck.push(m.to);
      }
    }
    if (r.dir !== null && stuck.length === 0) {
      try {
        rmdirSync(r.dir);
      } catch {
        // Not created, or not empty: left as it is.
      }
    }
    const back = stuck.length === 0 ? 'the output is as it was' : `these could not be moved back and are still in ${r.dir}: ${stuck.join(', ')}`;
    throw new AdoptError(`could not put the adopted database in place at ${output}: ${(cause as Error).message}; ${back}`, { cause });
  }
  fsyncDirectory(dirname(output));
  if (r.dir !== null) fsyncDirectory(r.dir);
}
