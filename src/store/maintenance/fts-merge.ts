/**
 * Bounded merges of the full-text index: the index stays in few segments, the entries of deleted
 * rows do not pile up, and no merge runs inside the writer's batch transactions.
 *
 * FTS5 keeps the index as b-tree segments on levels; every commit that touches the index adds a
 * segment on level 0, and merges move data to higher levels. Its settings (FTS5 docs):
 * - automerge (default 4): after each commit, merge work proportional to what was written, on a
 *   level with that many segments, inside the committing transaction. Measured on 300,000 corpus
 *   messages: single commits doing 1,000+ pages of merge work, 50-120 ms of CPU.
 * - crisismerge (default 16): a level reaching that many segments is merged at once, in full.
 * - usermerge (default 4): the minimum width the 'merge' command merges.
 * - 'merge', N: merges about N leaf pages (pgsz, ~4 KB) of levels with usermerge segments or of
 *   a merge in progress, then stops; the partial output and the trimmed inputs are recorded, so
 *   the next call continues (also after a restart). A negative N first puts every segment on one
 *   level and merges them all, width 2 allowed: a full merge, done in steps. Only the first call
 *   of a full merge is negative: another negative call restarts it with segments written since.
 * - 'optimize': the full merge in one statement, holding the write lock for as long as
 *   rewriting the whole index takes. Never used here.
 *
 * What we chose (takeOverMerges): automerge = 0, so commits (the writer's batches, our deletes)
 * never merge, and the scheduler runs 'merge' +N in slices sized to its budget whenever a level
 * has usermerge segments or a merge is in progress. crisismerge stays at 16: if the scheduler
 * falls behind (not called, or starved), FTS5 still keeps each level below 16 segments itself.
 * The setting is stored in the database (messages_fts_config); without the scheduler running,
 * only crisismerge merges: queries read more segments, nothing grows without bound.
 *
 * Deleted rows: deleting a row of the external-content table appends delete markers in a new
 * segment; a marker and the entry it cancels disappear only when a merge writes the oldest
 * segment of the index. With pruning, the oldest segment holds the oldest rows, the ones deleted
 * first, and level merges of similar-sized segments rarely reach it: its dead entries and the
 * markers stay (ACARS Hub's index grew to 2.6 GB of them). So a full merge ('merge' -N, then +N
 * until it is done) runs when fullMergeDue says so.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../open-database.js';
import { prepareFtsStructure, type FtsStructure } from './fts-structure.js';

export interface FtsMergeStep {
  /** Leaf pages asked for (FTS5 writes about this many). */
  pages: number;
  /** The command changed the index (FTS5: a no-op changes fewer than 2 rows). */
  worked: boolean;
  /**
   * Rows of the index's shadow tables it changed: about two per leaf page merged (one written,
   * one trimmed from an input). The measure of the work done, which may be far less than asked.
   */
  changes: number;
  /** This step started a full merge (negative N). */
  started: boolean;
  after: FtsStructure;
}

export interface FtsMergePolicy {
  ratio: number;
  minPages: number;
  deletedShare: number;
}

/** FTS5's default usermerge: the width 'merge' +N needs on a level. */
export const USERMERGE = 4;

/** Rows deleted since the last full merge started make one worth it. */
export function deletesWarrantMerge(s: FtsStructure, deletedSinceMerge: number, deletedShare: number): boolean {
  return deletedSinceMerge > 0 && s.segmentCount > 0 && deletedSinceMerge >= deletedShare * s.documents;
}

/**
 * A full merge is worth starting, or a merge into the oldest segment is in progress (continuing
 * it drops delete markers). Started when the rows deleted since the last full merge started
 * reach `deletedShare` of the documents (the scheduler counts its own deletes: the dead part of
 * the index stays below about that share), or when the segments other than the oldest hold at
 * least `ratio` times its leaf pages (and at least `minPages`). Delete markers are smaller than
 * the entries they cancel, so the ratio alone would let a lot of dead data stay; but it is read
 * from the structure record alone, so it covers deletes the scheduler did not count (another
 * process, a restart), and an index that only grows: that is fully merged each time it grows by
 * the ratio, a geometric series, so the total merge work stays a small multiple of its size.
 */
export function fullMergeDue(s: FtsStructure, policy: FtsMergePolicy, deletedSinceMerge = 0): boolean {
  if (s.fullMergeInProgress) return true;
  if (deletesWarrantMerge(s, deletedSinceMerge, policy.deletedShare)) return true;
  if (s.segmentCount < 2) return false;
  const newer = s.leafPages - s.oldestLeaves;
  return newer >= policy.minPages && newer >= policy.ratio * s.oldestLeaves;
}

/** The widest level, in segments. */
export function widestLevel(s: FtsStructure): number {
  return Math.max(0, ...s.levels.map((l) => l.segments.length));
}

/** Level merges are due: a merge is in progress, or a level has `usermerge` segments. */
export function levelMergeDue(s: FtsStructure, usermerge = USERMERGE): boolean {
  return s.mergeInProgress || widestLevel(s) >= usermerge;
}

export class FtsMerger {
  readonly #db: Db;
  readonly #table: string;
  readonly #structure: () => FtsStructure;
  readonly #merge: Statement<[number]>;
  readonly #totalChanges: Statement<[], number>;

  constructor(db: Db, table = 'messages_fts') {
    this.#db = db;
    this.#table = table;
    this.#structure = prepareFtsStructure(db, table);
    this.#merge = db.prepare(`INSERT INTO "${table}" ("${table}", rank) VALUES ('merge', ?)`);
    this.#totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  structure(): FtsStructure {
    return this.#structure();
  }

  /** FTS5's automerge setting as stored (4 when never set). */
  automerge(): number {
    const v = this.#db.prepare<[], number>(`SELECT v FROM "${this.#table}_config" WHERE k = 'automerge'`).pluck().get();
    return v ?? 4;
  }

  /** Stores FTS5's automerge setting (0: commits never merge; 2 to 16 otherwise). */
  setAutomerge(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 16) throw new RangeError(`automerge must be an integer 0-16, got ${n}`);
    // FTS5 takes only an SQL integer here, and better-sqlite3 binds numbers as REAL.
    this.#db.exec(`INSERT INTO "${this.#table}" ("${this.#table}", rank) VALUES ('automerge', ${n})`);
  }

  /**
   * One bounded step: with `full`, starts a full merge unless one into the oldest segment is in
   * progress; otherwise continues the merges in progress or merges a level of `usermerge`
   * segments. A full merge is done when `after.fullMergeInProgress` is false. One autocommit
   * statement: never call it inside a transaction.
   */
  step(pages: number, full = true): FtsMergeStep {
    const started = full && !this.structure().fullMergeInProgress;
    const n = Math.max(1, Math.floor(pages));
    const changesBefore = this.#totalChanges.get()!;
    this.#merge.run(started ? -n : n);
    const changes = this.#totalChanges.get()! - changesBefore;
    return { pages: n, worked: changes >= 2, changes, started, after: this.structure() };
  }
}
