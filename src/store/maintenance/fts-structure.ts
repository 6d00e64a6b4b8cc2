/**
 * Reads the FTS5 structure record: the list of b-tree segments that make up the full-text index,
 * level by level. Cheap (one blob of a few hundred bytes), so the scheduler reads it to decide
 * whether the index needs merging and to measure a merge's progress.
 *
 * Format (SQLite ext/fts5/fts5_index.c, fts5StructureDecode): a 4-byte configuration cookie;
 * for contentless_delete tables the 4 bytes FF 00 00 01; then SQLite varints: level count,
 * segment count, write counter, and for each level its in-progress merge width (nMerge: how
 * many of its oldest segments are being merged into the level below) and segment count, and
 * for each segment its id and first and last leaf page (plus five more varints in the V2 form).
 */
import type { Db } from '../open-database.js';

export interface FtsSegment {
  id: number;
  /** Leaf pages still in the segment. An incremental merge trims the pages it has consumed. */
  leaves: number;
}

export interface FtsLevel {
  /** Segments of this level (oldest first) being merged into the next level; 0 when none. */
  merging: number;
  segments: FtsSegment[];
}

export interface FtsStructure {
  /** Rows in the index (live documents: FTS5's averages record). */
  documents: number;
  levels: FtsLevel[];
  segmentCount: number;
  leafPages: number;
  /** Some merge was started and not finished (FTS5's automatic merges leave these routinely). */
  mergeInProgress: boolean;
  /**
   * A merge into the last level is in progress: its output is the oldest segment, the only merge
   * that drops delete markers. A full merge ('merge' with a negative N) is one of these.
   */
  fullMergeInProgress: boolean;
  /** Leaf pages that merge still has to read. */
  fullMergeInputLeaves: number;
  /** Leaf pages of the oldest segment: the only one whose merge drops delete markers. */
  oldestLeaves: number;
}

export const EMPTY_STRUCTURE: FtsStructure = { documents: 0, levels: [], segmentCount: 0, leafPages: 0, mergeInProgress: false, fullMergeInProgress: false, fullMergeInputLeaves: 0, oldestLeaves: 0 };

const AVERAGES_ROWID = 1;
const STRUCTURE_ROWID = 10;
const V2_MARKER = [0xff, 0x00, 0x00, 0x01];

class VarintReader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /** An SQLite varint: big-endian 7 bits per byte, the ninth byte contributes all 8 bits. */
  next(): number {
    let v = 0;
    for (let i = 0; i < 9; i++) {
      if (this.pos >= this.bytes.length) throw new RangeError('FTS5 structure record is truncated');
      const b = this.bytes[this.pos++]!;
      if (i === 8) return v * 256 + b;
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return v;
    }
    return v;
  }
}

/** `averages`: FTS5's averages record, a varint row count followed by token counts per column. */
export function decodeFtsStructure(bytes: Uint8Array, averages?: Uint8Array): FtsStructure {
  let start = 4;
  const v2 = V2_MARKER.every((b, i) => bytes[4 + i] === b);
  if (v2) start += 4;
  const r = new VarintReader(bytes, start);
  const levelCount = r.next();
  const segmentCount = r.next();
  r.next(); // write counter
  const levels: FtsLevel[] = [];
  for (let l = 0; l < levelCount; l++) {
    const merging = r.next();
    const n = r.next();
    const segments: FtsSegment[] = [];
    for (let s = 0; s < n; s++) {
      const id = r.next();
      const first = r.next();
      const last = r.next();
      if (v2) for (let k = 0; k < 5; k++) r.next();
      segments.push({ id, leaves: last - first + 1 });
    }
    levels.push({ merging, segments });
  }
  let leafPages = 0;
  for (const level of levels) for (const seg of level.segments) leafPages += seg.leaves;
  // Level 0 takes new segments; merges move data to higher levels. A level merging into the
  // deepest level that holds data writes the oldest segment.
  let deepest = levels.length - 1;
  while (deepest > 0 && levels[deepest]!.segments.length === 0) deepest--;
  const feeder = deepest >= 1 ? levels[deepest - 1]! : null;
  const fullMergeInProgress = feeder !== null && feeder.merging > 0;
  const fullMergeInputLeaves = fullMergeInProgress ? feeder.segments.slice(0, feeder.merging).reduce((n, seg) => n + seg.leaves, 0) : 0;
  const lastLevel = levels[deepest];
  return {
    documents: averages && averages.length > 0 ? new VarintReader(averages, 0).next() : 0,
    levels,
    segmentCount,
    leafPages,
    mergeInProgress: levels.some((l) => l.merging > 0),
    fullMergeInProgress,
    fullMergeInputLeaves,
    oldestLeaves: lastLevel?.segments[0]?.leaves ?? 0,
  };
}

/** A reader of the structure of the FTS5 table `table` (its `<table>_data` shadow table), statement prepared once. */
export function prepareFtsStructure(db: Db, table = 'messages_fts'): () => FtsStructure {
  const select = db.prepare<[number], Uint8Array>(`SELECT block FROM "${table}_data" WHERE id = ?`).pluck();
  return () => {
    const row = select.get(STRUCTURE_ROWID);
    return row ? decodeFtsStructure(row, select.get(AVERAGES_ROWID)) : EMPTY_STRUCTURE;
  };
}

export function readFtsStructure(db: Db, table = 'messages_fts'): FtsStructure {
  return prepareFtsStructure(db, table)();
}
