/**
 * Returns free pages to the file system in small steps (PRAGMA incremental_vacuum(N)): each step
 * moves up to N pages from the end of the file into free slots and truncates the file by as
 * many. Only for databases in auto_vacuum=INCREMENTAL mode (new Contrail databases are); on
 * others the PRAGMA does nothing, and the way to switch is one full VACUUM (full-vacuum.ts).
 * In WAL mode the main file shrinks when the WAL is checkpointed.
 */
import type { Db } from '../open-database.js';

export interface VacuumStep {
  pages: number;
  freelistBefore: number;
  freelistAfter: number;
  /** Pages returned to the file system. */
  freed: number;
}

function freelist(db: Db): number {
  return Number(db.pragma('freelist_count', { simple: true }));
}

/** Frees up to `pages` pages, at most down to `keepPages` free pages (kept for the writer to reuse). One autocommit statement. */
export function incrementalVacuum(db: Db, pages: number, keepPages = 0): VacuumStep {
  const freelistBefore = freelist(db);
  const n = Math.max(0, Math.min(Math.floor(pages), freelistBefore - keepPages));
  // incremental_vacuum(0) would free every page: never pass it.
  if (n > 0) db.exec(`PRAGMA incremental_vacuum(${n})`);
  const freelistAfter = n > 0 ? freelist(db) : freelistBefore;
  return { pages: n, freelistBefore, freelistAfter, freed: freelistBefore - freelistAfter };
}
