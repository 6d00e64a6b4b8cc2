/** `contrail db status | migrate | rollback | plan | verify`. */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { adoptLeftovers, describeAdoptLeftovers } from '../adopt/adopt-leftovers.js';
import { MigrationError, UsageError } from '../errors.js';
import { databaseStatus, type DatabaseStatus } from '../store/schema/database-status.js';
import { migrateWithBackup } from '../store/schema/migrate-with-backup.js';
import { assertMigratable, resolveMigrationName, rollbackMigrations, schemaStatus } from '../store/schema/migration-runner.js';
import { planMigrations } from '../store/schema/plan-migrations.js';
import { createBackup, pruneBackups } from '../store/schema/backups.js';
import { verifyDatabase } from '../store/schema/verify-database.js';
import { describeHolder } from '../store/schema/process-lock.js';
import { openExisting, openReadOnly, requireEngineStopped, runningEngine, withMigrationLock } from './db-access.js';
import { formatBytes, formatTable, printJsonOr } from './format.js';
import { progressBar } from './progress-bar.js';
import { readConfigOrExit } from './read-config.js';

export interface JsonOption {
  json: boolean;
}

function humanStatus(s: DatabaseStatus): string {
  const lines = [
    `database      ${s.path}`,
    `size          ${formatBytes(s.bytes.database)} (+ WAL ${formatBytes(s.bytes.wal)}, ${formatBytes(s.bytes.free)} free inside; auto_vacuum ${s.autoVacuum})`,
    `schema        ${s.current ?? '(empty)'}${s.current === s.target ? ' (up to date)' : ''}`,
    `target        ${s.target ?? '(none)'}`,
    `last migrated ${s.lastMigration ? `${s.lastMigration.name} at ${s.lastMigration.appliedAt}${s.lastMigration.durationMs !== null ? ` (${s.lastMigration.durationMs} ms)` : ''}` : 'never'}`,
    `latest backup ${s.latestBackup ? `${s.latestBackup.id} (${s.latestBackup.reason}, ${formatBytes(s.latestBackup.bytes)})` : 'none'}`,
    `full-text     ${s.fts ? `${s.fts.documents} documents for ${s.fts.acarsRows} ACARS rows${s.fts.inSync ? '' : ' (OUT OF SYNC: run contrail db verify)'}, ${s.fts.segments} segments` : 'no index yet'}`,
  ];
  if (s.foreign) lines.push('', 'This is not a Contrail database. To bring an ACARS Hub database over: contrail db adopt FILE');
  if (s.pending.length) {
    lines.push('', `${s.pending.length} pending migration${s.pending.length > 1 ? 's' : ''} (apply with contrail db migrate --yes; preview with contrail db plan):`);
    lines.push(formatTable(['name', 'checksum'], s.pending.map((p) => [p.name, p.checksum.slice(0, 16)])));
  }
  if (s.tampered.length) lines.push('', `TAMPERED (changed after being applied): ${s.tampered.join(', ')}; migrate refuses to run`);
  if (s.unknown.length) lines.push('', `UNKNOWN to this version (the database is newer): ${s.unknown.join(', ')}`);
  return lines.join('\n');
}

export function statusCommand(o: JsonOption): void {
  const config = readConfigOrExit();
  const leftovers = adoptLeftovers(config.dbPath);
  const leftoverWarning = leftovers && `warning: ${describeAdoptLeftovers(leftovers)}`;
  // A first adoption killed before it finished leaves its files but no database to report on.
  if (leftoverWarning && !existsSync(config.dbPath)) process.stderr.write(`${leftoverWarning}\n`);
  const db = openReadOnly(config);
  try {
    const s = databaseStatus(db, config.dbPath, config.database.backups.dir);
    const engine = runningEngine(config);
    printJsonOr(
      o.json,
      { ...s, engine, adoptLeftovers: leftovers },
      () => humanStatus(s) + (engine ? `\n\nengine        running: ${describeHolder(engine)}` : '') + (leftoverWarning ? `\n\n${leftoverWarning}` : ''),
    );
  } finally {
    db.close();
  }
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * A running engine holds the database; migrating under it is allowed only when it waits for
 * exactly this schema (it stopped writing and will pick the new schema up by itself).
 */
function checkEngineWaits(config: ReturnType<typeof readConfigOrExit>, target: string | null): void {
  const engine = runningEngine(config);
  if (!engine) return;
  const state = engine.state as { schema?: string; target?: string } | undefined;
  if (state?.schema === 'pending' && state.target === target) return;
  throw new MigrationError(
    `the engine running on this database (${describeHolder(engine)}) is not waiting for a schema update${state?.target && state.target !== target ? ` to ${target} (it expects ${state.target}: it runs another version)` : ''}; stop it before migrating`,
  );
}

export async function migrateCommand(o: JsonOption & { yes: boolean; to?: string; progress: boolean }): Promise<void> {
  const config = readConfigOrExit();
  const db = openExisting(config);
  try {
    const to = o.to === undefined ? undefined : (resolveMigrationName(o.to) ?? undefined);
    const status = schemaStatus(db);
    assertMigratable(status);
    const pending = status.pending.filter((p) => to === undefined || p.name <= to);
    if (pending.length === 0) {
      printJsonOr(o.json, { applied: [], backup: null, current: status.current }, () => `nothing to migrate: the schema is at ${status.current ?? '(empty)'}`);
      return;
    }
    checkEngineWaits(config, status.target);
    if (!o.yes) {
      const names = pending.map((p) => p.name).join(', ');
      if (!(await confirm(`Apply ${pending.length} migration(s) to ${config.dbPath} (${names}), after a backup?`))) {
        throw new UsageError(`not migrating without consent: run contrail db migrate --yes (pending: ${names}; preview with contrail db plan)`);
      }
    }
    const bar = progressBar('migrate', o.progress && !o.json);
    const outcome = await withMigrationLock(config, 'contrail db migrate', 'migrate', (lock) =>
      migrateWithBackup(db, config.database.backups, {
        ...(to !== undefined ? { to } : {}),
        onProgress: (p) => {
          bar.update(p.percent, p.step);
          // A running engine reads this to show the progress to its WebSocket clients.
          lock.update({ migration: p });
        },
      }),
    ).finally(() => bar.stop());
    const after = schemaStatus(db);
    printJsonOr(o.json, { ...outcome, current: after.current }, () =>
      [
        outcome.backup ? `backup ${outcome.backup.id} (${formatBytes(outcome.backup.bytes)}, ${outcome.backup.ms} ms)` : 'no backup needed (new database)',
        formatTable(['migration', 'ms'], outcome.applied.map((a) => [a.name, a.ms])),
        `schema is now ${after.current}`,
        ...(outcome.prunedBackups.length ? [`retention deleted backups: ${outcome.prunedBackups.join(', ')}`] : []),
      ].join('\n'),
    );
  } finally {
    db.close();
  }
}

export async function rollbackCommand(o: JsonOption & { to: string; yes: boolean; progress: boolean }): Promise<void> {
  const config = readConfigOrExit();
  requireEngineStopped(config, 'roll back the schema');
  const db = openExisting(config);
  try {
    const to = resolveMigrationName(o.to);
    const status = schemaStatus(db);
    const reverting = status.applied.filter((a) => to === null || a.name > to).map((a) => a.name).reverse();
    if (reverting.length === 0) {
      printJsonOr(o.json, { reverted: [], backup: null, current: status.current }, () => `nothing to roll back: the schema is at ${status.current ?? '(empty)'}`);
      return;
    }
    if (!o.yes && !(await confirm(`Roll back ${reverting.join(', ')} on ${config.dbPath}, after a backup? Data in dropped tables and columns is lost (the backup keeps it).`))) {
      throw new UsageError(`not rolling back without consent: run contrail db rollback --to ${o.to} --yes (would revert ${reverting.join(', ')})`);
    }
    const bar = progressBar('rollback', o.progress && !o.json);
    const outcome = await withMigrationLock(config, 'contrail db rollback', 'roll back', async () => {
      const backup = await createBackup(db, config.database.backups.dir, 'pre-rollback');
      const reverted = await rollbackMigrations(db, to, { onProgress: (p) => bar.update(p.percent, p.step) });
      pruneBackups(config.database.backups.dir, config.database.backups.keep, config.database.backups.keepDays);
      return { backup, reverted };
    }).finally(() => bar.stop());
    const after = schemaStatus(db);
    printJsonOr(o.json, { ...outcome, current: after.current }, () =>
      [`backup ${outcome.backup.id}`, formatTable(['reverted', 'ms'], outcome.reverted.map((r) => [r.name, r.ms])), `schema is now ${after.current ?? '(empty)'}`].join('\n'),
    );
  } finally {
    db.close();
  }
}

export async function planCommand(o: JsonOption & { to?: string }): Promise<void> {
  const config = readConfigOrExit();
  openReadOnly(config).close();
  const to = o.to === undefined ? undefined : (resolveMigrationName(o.to) ?? undefined);
  const plan = await planMigrations(config.dbPath, to !== undefined ? { to } : {});
  printJsonOr(o.json, plan, () =>
    plan.pending.length === 0
      ? `nothing to migrate: the schema is at ${plan.current ?? '(empty)'}`
      : [
          `plan for ${config.dbPath} (run on a copy; the database was not touched)`,
          `from ${plan.current ?? '(empty)'} to ${plan.target}`,
          formatTable(['migration', 'ms on copy', 'checksum'], plan.steps.map((s) => [s.name, s.ms, plan.pending.find((p) => p.name === s.name)?.checksum.slice(0, 16) ?? ''])),
          'schema changes:',
          ...plan.schemaChanges.map((c) => `  ${c}`),
          `time: ${plan.migrateMs} ms to migrate (copying took ${plan.copyMs} ms)`,
          `disk: backup ${formatBytes(plan.backupBytes)}, growth ${formatBytes(plan.growthBytes)}; free space needed about ${formatBytes(plan.neededBytes)}`,
        ].join('\n'),
  );
}

export function verifyCommand(o: JsonOption): void {
  const config = readConfigOrExit();
  const db = openExisting(config);
  try {
    const report = verifyDatabase(db);
    printJsonOr(o.json, report, () => [formatTable(['check', 'result', 'detail'], report.checks.map((c) => [c.name, c.ok ? 'ok' : 'FAILED', c.detail])), report.ok ? 'all checks passed' : 'SOME CHECKS FAILED'].join('\n'));
    if (!report.ok) process.exitCode = 1;
  } finally {
    db.close();
  }
}
