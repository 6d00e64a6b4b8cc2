/**
 * What `contrail db migrate`, the admin API and start-up (in development) all do: back up first
 * (unless the database is new, when there is nothing to lose), then apply the pending migrations,
 * reporting progress as one sequence of steps: backup, each migration, done.
 */
import type { Db } from '../open-database.js';
import { backupPercent, createBackup, pruneBackups, type BackupInfo } from './backups.js';
import { applyMigrations, assertMigratable, schemaStatus, type MigrationProgress, type Migrations, type StepResult } from './migration-runner.js';

export interface BackupPolicy {
  dir: string;
  keep: number;
  keepDays: number;
}

export interface MigrateOutcome {
  backup: BackupInfo | null;
  applied: StepResult[];
  /** Backups deleted by retention afterwards. */
  prunedBackups: string[];
}

export async function migrateWithBackup(db: Db, backups: BackupPolicy, options: { migrations?: Migrations; to?: string; onProgress?: (p: MigrationProgress) => void } = {}): Promise<MigrateOutcome> {
  const status = schemaStatus(db, options.migrations);
  assertMigratable(status);
  const pending = status.pending.filter((p) => options.to === undefined || p.name <= options.to);
  if (pending.length === 0) return { backup: null, applied: [], prunedBackups: [] };
  const started = performance.now();
  let backup: BackupInfo | null = null;
  if (!status.fresh) {
    backup = await createBackup(db, backups.dir, 'pre-migrate', (p) =>
      options.onProgress?.({ step: 'backup', index: 0, total: pending.length, percent: backupPercent(p), elapsedMs: Math.round(performance.now() - started) }),
    );
  }
  const applied = await applyMigrations(db, { ...options, onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, elapsedMs: Math.round(performance.now() - started) })) });
  const prunedBackups = backup ? pruneBackups(backups.dir, backups.keep, backups.keepDays).map((b) => b.id) : [];
  return { backup, applied, prunedBackups };
}
