/**
 * `contrail db restore ID` and `POST /api/v1/db/restore/:id`: check the backup, keep the current
 * database as a backup, then swap the backup in atomically. The caller guarantees nothing else
 * has the database open for writing (the engine is stopped, or it is the engine's own writer
 * between closing and reopening).
 */
import { existsSync } from 'node:fs';
import { StoreError } from '../../errors.js';
import { openWriterDatabase } from '../open-database.js';
import { checkFileIntegrity, createBackup, findBackup, pruneBackups, swapInBackup, type BackupInfo } from './backups.js';
import type { BackupPolicy } from './migrate-with-backup.js';

export interface RestoreOutcome {
  restored: BackupInfo;
  /** The database as it was before the restore, kept as a backup (null if there was none). */
  previous: BackupInfo | null;
}

export async function restoreDatabase(dbPath: string, backups: BackupPolicy, id: string, onStep?: (step: string) => void): Promise<RestoreOutcome> {
  const backup = findBackup(backups.dir, id);
  onStep?.('check');
  const problems = checkFileIntegrity(backup.path);
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new StoreError(`backup ${backup.id} failed its integrity check (${problems.slice(0, 5).join('; ')}); the database was not touched`);
  }
  let previous: BackupInfo | null = null;
  if (existsSync(dbPath)) {
    onStep?.('backup');
    const db = openWriterDatabase(dbPath);
    try {
      previous = await createBackup(db, backups.dir, 'pre-restore');
      // Everything committed moves into the main file, so the WAL left behind is empty.
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (r?.busy) throw new StoreError('another connection is using the database (is the engine running?); the database was not touched');
    } finally {
      db.close();
    }
  }
  onStep?.('swap');
  swapInBackup(backup, dbPath);
  // The pre-restore backup counts toward retention like any other.
  pruneBackups(backups.dir, backups.keep, backups.keepDays);
  return { restored: backup, previous };
}
