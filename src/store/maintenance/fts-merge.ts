/**
 * Bounded merges of the full-text index, so the entries of deleted rows do not pile up.
 *
 * Why: `messages_fts` is an external-content FTS5 table. Deleting a row does not remove its
 * entries from the index; it appends delete markers (tombstones) in a new segment. FTS5's
 * automatic merges (automerge, default 4 segments per level, done by the writer's own inserts)
 * merge segments of similar size, and a delete marker is only dropped when a merge writes the
 * oldest segment of the index. With pruning, that segment holds the oldest rows, the ones
 * deleted first; it is rarely part of an automatic merge, so it keeps its dead entries and the
 * newer segments keep the markers. That is how ACARS Hub's index grew to 2.6 GB of tombstones.
 *
 * What: a full merge of every segment, done in small steps. FTS5's 'merge' command with a
 * negative N first puts every segment on one level and starts merging them all (its minimum
 * merge width drops to 2); each later 'merge' with a positive N continues the merge in progress,
 * writing about N leaf pages (FTS5 pgsz, ~4 KB each) per call and trimming the input pages it has
 * consumed, so every call is bounded and the merge survives restarts. Only the first call is
 * negative: a negative N would restart the merge with segments written since (FTS5 docs, 'merge'
 * command). Not 'optimize': that does the same merge in one statement, holding the write lock
 * for as long as rewriting the whole index takes.
 *
 * When (ftsMergeDue): a merge into the oldest segment is in progress (continue it); or the rows
 * deleted since the last full merge started reach `deletedShare` of the documents in the index
 * (the scheduler counts its own deletes: the dead part of the index stays below about that
 * share); or the segments other than the oldest hold at least `ratio` times its leaf pages (and
 * at least `minPages`). The last is read from the structure record alone, so it also covers
 * deletes the scheduler did not count (another process, a restart), and an index that only
 * grows: that is then fully merged each time it grows by the ratio, a geometric series, so the
 * total merge work stays a small multiple of the index size.
 * automerge and crisismerge stay at FTS5's defaults: they bound the writer's own merge work.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../open-database.js';
import { prepareFtsStructure, type FtsStructure } from './fts-structure.js';

export interface FtsMergeStep {
  /** Leaf pages asked for (FTS5 writes about this many). */
  pages: number;
  /** The command changed the index (FTS5: a no-op changes fewer than 2 rows). */
  worked: boolean;
  /** This step started a full merge (negative N). */
  started: boolean;
  after: FtsStructure;
}

export interface FtsMergePolicy {
  ratio: number;
  minPages: number;
  deletedShare: number;
}

/** Rows deleted since the last full merge started make one worth it. */
export function deletesWarrantMerge(s: FtsStructure, deletedSinceMerge: number, deletedShare: number): boolean {
  return deletedSinceMerge > 0 && s.segmentCount > 0 && deletedSinceMerge >= deletedShare * s.documents;
}

/**
 * A full merge is worth starting, or a merge into the oldest segment is in progress (after a
 * restart, or one FTS5 started itself): continuing it drops delete markers. Other merges in
 * progress are FTS5's automatic merges, which the writer's inserts continue.
 */
export function ftsMergeDue(s: FtsStructure, policy: FtsMergePolicy, deletedSinceMerge = 0): boolean {
  if (s.fullMergeInProgress) return true;
  if (deletesWarrantMerge(s, deletedSinceMerge, policy.deletedShare)) return true;
  if (s.segmentCount < 2) return false;
  const newer = s.leafPages - s.oldestLeaves;
  return newer >= policy.minPages && newer >= policy.ratio * s.oldestLeaves;
}

export class FtsMerger {
  readonly #structure: () => FtsStructure;
  readonly #merge: Statement<[number]>;
  readonly #totalChanges: Statement<[], number>;

  constructor(db: Db, table = 'messages_fts') {
    this.#structure = prepareFtsStructure(db, table);
    this.#merge = db.prepare(`INSERT INTO "${table}" ("${table}", rank) VALUES ('merge', ?)`);
    this.#totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  structure(): FtsStructure {
    return this.#structure();
  }

  /**
   * One bounded step of a full merge: starts one unless a merge into the oldest segment is in
   * progress, else continues it. The full merge is done when `after.fullMergeInProgress` is
   * false. One autocommit statement: never call it inside a transaction.
   */
  step(pages: number): FtsMergeStep {
    const before = this.structure();
    const started = !before.fullMergeInProgress;
    const n = Math.max(1, Math.floor(pages));
    const changesBefore = this.#totalChanges.get()!;
    this.#merge.run(started ? -n : n);
    const worked = this.#totalChanges.get()! - changesBefore >= 2;
    return { pages: n, worked, started, after: this.structure() };
  }
}
