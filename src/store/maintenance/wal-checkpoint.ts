/**
 * WAL checkpoints that keep the WAL file small.
 *
 * SQLite already checkpoints (PASSIVE) at the commit that takes the WAL past 1,000 pages, but
 * never shrinks the file: it stays at its high-water mark, and a reader holding an old snapshot
 * lets it grow without bound. PASSIVE copies what it can and never waits. TRUNCATE also resets the
 * file to zero bytes, but it must wait for every reader to leave the WAL and makes new writers wait
 * meanwhile, up to busy_timeout (5 s): here it runs after a PASSIVE has copied everything, with
 * busy_timeout 0, so it either finishes at once or reports busy and is tried again later.
 * A checkpoint cannot be split: its cost is the frames not yet copied, which SQLite's own
 * checkpoints keep to about 1,000 pages.
 */
import type { Db } from '../open-database.js';
import { fileBytes, walPath } from './database-size.js';

export type CheckpointMode = 'PASSIVE' | 'TRUNCATE';

export interface CheckpointResult {
  mode: CheckpointMode;
  /** A reader or writer kept the checkpoint from completing. */
  busy: boolean;
  /** Frames in the WAL, and frames copied to the database, when the checkpoint ended (-1: not in WAL mode). */
  logFrames: number;
  checkpointedFrames: number;
  walBytesBefore: number;
  walBytesAfter: number;
}

interface Row {
  busy: number;
  log: number;
  checkpointed: number;
}

export function checkpointWal(db: Db, mode: CheckpointMode): CheckpointResult {
  const path = walPath(db);
  const walBytesBefore = fileBytes(path);
  let row: Row;
  if (mode === 'TRUNCATE') {
    const timeout = Number(db.pragma('busy_timeout', { simple: true }));
    db.pragma('busy_timeout = 0');
    try {
      row = db.prepare<[], Row>('PRAGMA wal_checkpoint(TRUNCATE)').get()!;
    } finally {
      db.pragma(`busy_timeout = ${timeout}`);
    }
  } else {
    row = db.prepare<[], Row>('PRAGMA wal_checkpoint(PASSIVE)').get()!;
  }
  return {
    mode,
    busy: row.busy !== 0 || row.log !== row.checkpointed,
    logFrames: row.log,
    checkpointedFrames: row.checkpointed,
    walBytesBefore,
    walBytesAfter: fileBytes(path),
  };
}

/** PASSIVE, then TRUNCATE if every frame was copied: the WAL file ends at zero bytes unless a reader is in it. */
export function checkpointAndTruncate(db: Db): CheckpointResult {
  const passive = checkpointWal(db, 'PASSIVE');
  if (passive.busy) return passive;
  const truncate = checkpointWal(db, 'TRUNCATE');
  return { ...truncate, walBytesBefore: passive.walBytesBefore };
}
