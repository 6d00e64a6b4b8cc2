/** `contrail db status` and `GET /api/v1/db/status`: where the schema is, and how the database is. */
import { fileSizeOrZero } from '../maintenance/database-size.js';
import type { Db } from '../open-database.js';
import { listBackups, type BackupInfo } from './backups.js';
import { schemaStatus, type Migrations, type SchemaStatus } from './migration-runner.js';
import { schemaHas } from './schema-snapshot.js';

export interface DatabaseStatus extends Omit<SchemaStatus, 'applied'> {
  path: string;
  /** Pending migrations exist and wait for consent (or are being applied). */
  updatePending: boolean;
  lastMigration: { name: string; appliedAt: string; durationMs: number | null } | null;
  appliedCount: number;
  latestBackup: Pick<BackupInfo, 'id' | 'createdAt' | 'reason' | 'bytes'> | null;
  bytes: { database: number; wal: number; free: number };
  autoVacuum: 'none' | 'full' | 'incremental';
  fts: { documents: number; acarsRows: number; segments: number; inSync: boolean } | null;
}

function ftsHealth(db: Db): DatabaseStatus['fts'] {
  if (!schemaHas(db, 'acars_text')) return null;
  const documents = db.prepare('SELECT count(*) FROM messages_fts_docsize').pluck().get() as number;
  const acarsRows = db.prepare('SELECT count(*) FROM acars_text').pluck().get() as number;
  const segments = db.prepare('SELECT count(DISTINCT segid) FROM messages_fts_idx').pluck().get() as number;
  return { documents, acarsRows, segments, inSync: documents === acarsRows };
}

export function databaseStatus(db: Db, path: string, backupDir: string, migrations?: Migrations): DatabaseStatus {
  const { applied, ...s } = schemaStatus(db, migrations);
  const last = applied.at(-1);
  const backup = listBackups(backupDir)[0];
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const modes = ['none', 'full', 'incremental'] as const;
  return {
    path,
    ...s,
    updatePending: s.pending.length > 0 && !s.fresh,
    lastMigration: last ? { name: last.name, appliedAt: last.appliedAt, durationMs: last.durationMs } : null,
    appliedCount: applied.length,
    latestBackup: backup ? { id: backup.id, createdAt: backup.createdAt, reason: backup.reason, bytes: backup.bytes } : null,
    bytes: { database: fileSizeOrZero(path), wal: fileSizeOrZero(`${path}-wal`), free: (db.pragma('freelist_count', { simple: true }) as number) * pageSize },
    autoVacuum: modes[db.pragma('auto_vacuum', { simple: true }) as number] ?? 'none',
    fts: ftsHealth(db),
  };
}
