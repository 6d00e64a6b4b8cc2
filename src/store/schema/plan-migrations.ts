/**
 * `contrail db plan`: the pending migrations run on a copy of the database, never the real one.
 * Reports what would run, the schema difference, how long it took on the copy, and the disk
 * space migrating needs (the pre-migration backup plus any growth). The copy sits beside the
 * database, on the same filesystem, so its timing and space are the real ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { fileSizeOrZero } from '../maintenance/database-size.js';
import { openWriterDatabase } from '../open-database.js';
import { applyMigrations, schemaStatus, type Migrations, type StepResult } from './migration-runner.js';
import { describeSchemaDiff, diffSchema, snapshotSchema } from './schema-snapshot.js';

export interface MigrationPlan {
  current: string | null;
  target: string | null;
  pending: { name: string; checksum: string }[];
  steps: StepResult[];
  /** `+ table x`, `- index y`, `~ trigger z`. */
  schemaChanges: string[];
  copyMs: number;
  migrateMs: number;
  databaseBytes: number;
  /** The backup `migrate` takes first. */
  backupBytes: number;
  /** Growth of the database itself (negative if it shrinks). */
  growthBytes: number;
  /** Free space `migrate` needs: the backup plus growth plus the WAL the migration writes. */
  neededBytes: number;
}

export async function planMigrations(dbPath: string, options: { migrations?: Migrations; to?: string; onProgress?: (step: string) => void } = {}): Promise<MigrationPlan> {
  const dir = mkdtempSync(join(dirname(dbPath), '.plan-'));
  const copyPath = join(dir, 'copy.sqlite');
  try {
    options.onProgress?.('copy');
    const copyStarted = performance.now();
    const source = new Database(dbPath, { readonly: true, fileMustExist: true });
    let databaseBytes: number;
    try {
      databaseBytes = (source.pragma('page_count', { simple: true }) as number) * (source.pragma('page_size', { simple: true }) as number);
      await source.backup(copyPath);
    } finally {
      source.close();
    }
    const copyMs = Math.round(performance.now() - copyStarted);
    const copy = openWriterDatabase(copyPath);
    try {
      const status = schemaStatus(copy, options.migrations);
      const pending = status.pending.filter((p) => options.to === undefined || p.name <= options.to);
      const before = snapshotSchema(copy);
      const bytesBefore = fileSizeOrZero(copyPath);
      const started = performance.now();
      const steps = await applyMigrations(copy, { ...options, onProgress: (p) => options.onProgress?.(p.step) });
      const migrateMs = Math.round(performance.now() - started);
      const walBytes = fileSizeOrZero(`${copyPath}-wal`);
      copy.pragma('wal_checkpoint(TRUNCATE)');
      const growthBytes = fileSizeOrZero(copyPath) - bytesBefore;
      return {
        current: status.current,
        target: options.to ?? status.target,
        pending,
        steps,
        schemaChanges: describeSchemaDiff(diffSchema(before, snapshotSchema(copy))),
        copyMs,
        migrateMs,
        databaseBytes,
        backupBytes: status.fresh ? 0 : databaseBytes,
        growthBytes,
        neededBytes: (status.fresh ? 0 : databaseBytes) + Math.max(0, growthBytes) + walBytes,
      };
    } finally {
      copy.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
