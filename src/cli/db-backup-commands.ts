/** `contrail db backup | backups | restore ID`. */
import { UsageError } from '../errors.js';
import { backupPercent, createBackup, listBackups, pruneBackups } from '../store/schema/backups.js';
import { restoreDatabase } from '../store/schema/restore-database.js';
import { openExisting, requireEngineStopped, withMigrationLock } from './db-access.js';
import type { JsonOption } from './db-schema-commands.js';
import { formatBytes, formatTable, printJsonOr } from './format.js';
import { progressBar } from './progress-bar.js';
import { readConfigOrExit } from './read-config.js';
import { removeMirror } from '../analytics/mirror-files.js';

/** Safe while the engine runs: SQLite's online backup copies a consistent snapshot. */
export async function backupCommand(o: JsonOption & { progress: boolean }): Promise<void> {
  const config = readConfigOrExit();
  const db = openExisting(config);
  const bar = progressBar('backup', o.progress && !o.json);
  try {
    const b = await createBackup(db, config.database.backups.dir, 'manual', (p) => bar.update(backupPercent(p), 'copying'));
    bar.stop();
    const pruned = pruneBackups(config.database.backups.dir, config.database.backups.keep, config.database.backups.keepDays).map((x) => x.id);
    printJsonOr(o.json, { ...b, prunedBackups: pruned }, () => [`backup ${b.id}: ${formatBytes(b.bytes)} in ${b.ms} ms at ${b.path}`, ...(pruned.length ? [`retention deleted: ${pruned.join(', ')}`] : [])].join('\n'));
  } finally {
    bar.stop();
    db.close();
  }
}

export function backupsCommand(o: JsonOption): void {
  const config = readConfigOrExit();
  const all = listBackups(config.database.backups.dir);
  printJsonOr(o.json, all, () =>
    all.length === 0
      ? `no backups in ${config.database.backups.dir}`
      : [
          formatTable(['id', 'reason', 'schema', 'size', 'created'], all.map((b) => [b.id, b.reason, b.schema ?? '?', formatBytes(b.bytes), b.createdAt])),
          `retention: newest ${config.database.backups.keep}, and none but the newest older than ${config.database.backups.keepDays} days (CONTRAIL_BACKUP_KEEP, CONTRAIL_BACKUP_KEEP_DAYS)`,
        ].join('\n'),
  );
}

export async function restoreCommand(id: string, o: JsonOption & { yes: boolean }): Promise<void> {
  const config = readConfigOrExit();
  requireEngineStopped(config, 'restore a backup');
  if (!o.yes) throw new UsageError(`restoring replaces ${config.dbPath} (it is kept as a backup first): run contrail db restore ${id} --yes`);
  const outcome = await withMigrationLock(config, 'contrail db restore', 'restore', () => restoreDatabase(config.dbPath, config.database.backups, id, (step) => !o.json && process.stderr.write(`restore: ${step}\n`)));
  // Opening it proves the swapped-in file is a usable database.
  openExisting(config).close();
  // The mirror holds the replaced database's rows: the next start rebuilds it from the restored one.
  const mirrorRemoved = removeMirror(config.analytics.duckdbPath);
  printJsonOr(o.json, { ...outcome, mirrorRemoved }, () =>
    [
      `restored ${outcome.restored.id} (schema ${outcome.restored.schema ?? '?'}) into ${config.dbPath}`,
      outcome.previous ? `the database it replaced is backup ${outcome.previous.id}` : 'there was no database before',
      ...(mirrorRemoved.length > 0 ? ['the DuckDB mirror of the replaced database was deleted; the next start rebuilds it'] : []),
    ].join('\n'),
  );
}
