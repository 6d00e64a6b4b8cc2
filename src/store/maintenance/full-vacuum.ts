/**
 * The one-time full VACUUM that rebuilds the database file and switches it to
 * auto_vacuum=INCREMENTAL, for databases created before Contrail set that mode (or adopted).
 *
 * It holds the write lock from start to end: the engine's writes wait and fail after
 * busy_timeout, so the engine should be stopped. It copies the whole database into a temporary
 * database and back: the copy is put in a temporary file (temp_store=FILE; the writer's
 * connection keeps temporary data in memory, which would need the whole database in RAM), in
 * SQLITE_TMPDIR or TMPDIR or /var/tmp, /usr/tmp, /tmp; and the rewritten pages pass through the
 * WAL. So it needs about the database size free in the temporary directory and about as much
 * again beside the database until the WAL is checkpointed and truncated at the end.
 */
import type { Db } from '../open-database.js';
import { autoVacuumMode, databaseSize, type AutoVacuumMode, type DatabaseSize } from './database-size.js';
import { checkpointWal, type CheckpointResult } from './wal-checkpoint.js';

export interface FullVacuumResult {
  before: DatabaseSize;
  after: DatabaseSize;
  autoVacuumBefore: AutoVacuumMode;
  autoVacuumAfter: AutoVacuumMode;
  checkpoint: CheckpointResult;
  ms: number;
}

export function fullVacuum(db: Db): FullVacuumResult {
  const started = performance.now();
  const before = databaseSize(db);
  const autoVacuumBefore = autoVacuumMode(db);
  const tempStore = Number(db.pragma('temp_store', { simple: true }));
  db.pragma('temp_store = FILE');
  try {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  } finally {
    db.pragma(`temp_store = ${tempStore}`);
  }
  const checkpoint = checkpointWal(db, 'TRUNCATE');
  return { before, after: databaseSize(db), autoVacuumBefore, autoVacuumAfter: autoVacuumMode(db), checkpoint, ms: performance.now() - started };
}
