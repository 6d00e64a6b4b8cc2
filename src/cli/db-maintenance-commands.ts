/**
 * `contrail db prune | optimize | vacuum`: the background maintenance jobs run to completion,
 * with progress. Safe while the engine runs (except `vacuum --full`): every step is one short
 * transaction (about STEP_BUDGET_MS), and after each the command pauses at least as long, so the
 * engine's writer, waiting on its busy timeout, gets the lock between steps instead of starving.
 */
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config-types.js';
import { StoreError, UsageError } from '../errors.js';
import type { Db } from '../store/open-database.js';
import { AdaptiveChunk } from '../store/maintenance/adaptive-chunk.js';
import { autoVacuumMode, databaseSize } from '../store/maintenance/database-size.js';
import { FtsMerger } from '../store/maintenance/fts-merge.js';
import type { FtsStructure } from '../store/maintenance/fts-structure.js';
import { fullVacuum } from '../store/maintenance/full-vacuum.js';
import { incrementalVacuum } from '../store/maintenance/incremental-vacuum.js';
import { resolveOptions } from '../store/maintenance/maintenance-options.js';
import { AgePruner, ageCutoffs, countAgePrunable } from '../store/maintenance/prune-by-age.js';
import { estimateSizePrunable, SizePruner } from '../store/maintenance/prune-by-size.js';
import { checkpointAndTruncate } from '../store/maintenance/wal-checkpoint.js';
import { openExisting, openReadOnly, requireEngineStopped, runningEngine } from './db-access.js';
import { formatBytes, printJsonOr } from './format.js';
import { progressBar } from './progress-bar.js';
import { readConfigOrExit } from './read-config.js';

export interface PruneOptions {
  dryRun: boolean;
  progress: boolean;
  json: boolean;
}

export interface OptimizeOptions {
  progress: boolean;
  json: boolean;
}

export interface VacuumOptions {
  full: boolean;
  yes: boolean;
  progress: boolean;
  json: boolean;
}

const STEP_BUDGET_MS = 20;
/** The size pass ends as far below the cap, and lets the full-text merge run as often, as the engine's does. */
const { sizeHeadroom: SIZE_HEADROOM, ftsMergeDeletedShare: MERGE_DELETED_SHARE } = resolveOptions({ saveDays: 1, alertSaveDays: 1, maxBytes: 0 });

/** Runs `step` until `done` (asked after `onStep`), pausing after each step at least as long as it took. */
async function paced<T>(step: (chunk: number) => T, chunk: AdaptiveChunk, units: (r: T) => number, done: (r: T) => boolean, onStep: (r: T) => void): Promise<void> {
  for (;;) {
    const asked = chunk.size;
    const t0 = performance.now();
    const r = step(asked);
    const ms = performance.now() - t0;
    chunk.record(units(r), asked, ms, STEP_BUDGET_MS);
    onStep(r);
    if (done(r)) return;
    await sleep(Math.max(5, Math.ceil(ms)));
  }
}

function percent(done: number, total: number): number {
  return total > 0 ? (100 * done) / total : 100;
}

/** Runs a full merge of the full-text index to completion in bounded steps. */
async function mergeFully(db: Db, onProgress: (pct: number) => void): Promise<{ before: FtsStructure; after: FtsStructure; steps: number }> {
  const merger = new FtsMerger(db);
  const before = merger.structure();
  let input = 0;
  let steps = 0;
  let after = before;
  await paced(
    (n) => merger.step(n),
    new AdaptiveChunk({ min: 8, initial: 64, max: 4096 }),
    (r) => Math.floor(r.changes / 2),
    (r) => !r.after.fullMergeInProgress || !r.worked,
    (r) => {
      steps++;
      after = r.after;
      input = Math.max(input, r.after.fullMergeInputLeaves);
      onProgress(percent(input - r.after.fullMergeInputLeaves, input));
    },
  );
  return { before, after, steps };
}

export async function pruneCommand(o: PruneOptions): Promise<void> {
  const config = readConfigOrExit();
  const { saveDays, alertSaveDays } = config.retention;
  const cap = config.database.maxBytes;
  const cutoffs = ageCutoffs(Date.now(), saveDays, alertSaveDays);
  const target = Math.floor(cap * (1 - SIZE_HEADROOM));
  const settings = { saveDays, alertSaveDays, maxBytes: cap };
  if (o.dryRun) {
    const db = openReadOnly(config);
    try {
      const age = countAgePrunable(db, cutoffs);
      const size = databaseSize(db);
      const bySize = cap > 0 && size.estimatedBytes > cap ? estimateSizePrunable(db, size.usedBytes, target) : null;
      // The age prune runs first and frees some of what the cap asks for.
      const sizeMessages = bySize ? Math.max(0, bySize.messages - age.plainMessages - age.alertMessages) : 0;
      printJsonOr(o.json, { dryRun: true, settings, age, size: { ...size, overCap: bySize !== null, messages: sizeMessages } }, () =>
        [
          `would delete ${age.plainMessages + age.alertMessages} messages older than DB_SAVE_DAYS=${saveDays} (${age.alertMessages} of them alert-matched, older than DB_ALERT_SAVE_DAYS=${alertSaveDays}); ${age.alertKept} alert-matched messages past DB_SAVE_DAYS are kept`,
          `would delete ${age.rejects} rejected frames older than DB_SAVE_DAYS`,
          cap === 0
            ? 'no size cap (CONTRAIL_DB_MAX_BYTES=0)'
            : bySize
              ? `database is ${formatBytes(size.estimatedBytes)}, over the cap of ${formatBytes(cap)}: would then delete about ${sizeMessages} of the oldest messages (about ${Math.round(bySize.bytesPerMessage)} bytes each), alert-matched ones last`
              : `database is ${formatBytes(size.estimatedBytes)}, under the cap of ${formatBytes(cap)}`,
        ].join('\n'),
      );
    } finally {
      db.close();
    }
    return;
  }

  const db = openExisting(config);
  const bar = progressBar('prune', o.progress && !o.json);
  const started = performance.now();
  try {
    const expected = countAgePrunable(db, cutoffs);
    const total = expected.plainMessages + expected.alertMessages + expected.rejects;
    const age = { messages: 0, alertMatched: 0, alertMatches: 0, rejects: 0 };
    let indexedDeleted = 0;
    const pruner = new AgePruner(db);
    pruner.startPass(cutoffs, Date.now());
    await paced(
      (n) => pruner.step(n),
      new AdaptiveChunk({ min: 10, initial: 100, max: 20_000 }),
      (r) => r.examined,
      (r) => r.done,
      (r) => {
        age.messages += r.plainDeleted + r.alertDeleted;
        age.alertMatched += r.alertDeleted;
        age.alertMatches += r.alertMatchesDeleted;
        age.rejects += r.rejectsDeleted;
        indexedDeleted += r.indexedDeleted;
        bar.update(percent(age.messages + age.rejects, total), `by age: ${age.messages} messages, ${age.rejects} rejects`);
      },
    );

    const sizeBefore = databaseSize(db);
    const size = { messages: 0, alertMatched: 0, merges: 0, bytesBefore: sizeBefore.estimatedBytes, bytesAfter: sizeBefore.estimatedBytes, target };
    if (cap > 0 && sizeBefore.estimatedBytes > cap && sizeBefore.usedBytes > target) {
      const sizer = new SizePruner(db);
      const merger = new FtsMerger(db);
      sizer.startPass();
      const toFree = sizeBefore.usedBytes - target;
      let used = sizeBefore.usedBytes;
      let exhausted = false;
      while (used > target && !exhausted) {
        const documents = merger.structure().documents;
        await paced(
          (n) => sizer.step(n),
          new AdaptiveChunk({ min: 10, initial: 100, max: 20_000 }),
          (r) => r.examined,
          () => used <= target || exhausted || indexedDeleted >= MERGE_DELETED_SHARE * documents,
          (r) => {
            size.messages += r.plainDeleted + r.alertDeleted;
            size.alertMatched += r.alertDeleted;
            indexedDeleted += r.indexedDeleted;
            exhausted = r.exhausted;
            used = databaseSize(db).usedBytes;
            bar.update(percent(sizeBefore.usedBytes - used, toFree), `by size: ${size.messages} messages`);
          },
        );
        // Free what the deletes left in the full-text index before measuring again, so the
        // pass does not delete more than the cap asks for.
        if (used > target && !exhausted) {
          await mergeFully(db, (pct) => bar.update(percent(sizeBefore.usedBytes - used, toFree), `merging the full-text index ${pct.toFixed(0)}%`));
          size.merges++;
          indexedDeleted = 0;
          used = databaseSize(db).usedBytes;
        }
      }
      checkpointAndTruncate(db);
      size.bytesAfter = databaseSize(db).estimatedBytes;
    }
    bar.stop();
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    const engine = runningEngine(config);
    printJsonOr(o.json, { settings, age: { ...age, alertKept: expected.alertKept }, size, seconds }, () =>
      [
        `deleted ${age.messages} messages older than DB_SAVE_DAYS=${saveDays} (${age.alertMatched} alert-matched, older than DB_ALERT_SAVE_DAYS=${alertSaveDays}, with their ${age.alertMatches} alert matches); kept ${expected.alertKept} alert-matched messages past DB_SAVE_DAYS`,
        `deleted ${age.rejects} rejected frames older than DB_SAVE_DAYS`,
        cap === 0
          ? 'no size cap (CONTRAIL_DB_MAX_BYTES=0)'
          : size.messages > 0
            ? `size cap ${formatBytes(cap)}: deleted ${size.messages} of the oldest messages (${size.alertMatched} alert-matched); database ${formatBytes(size.bytesBefore)} -> ${formatBytes(size.bytesAfter)}`
            : `size cap ${formatBytes(cap)}: database is ${formatBytes(size.bytesAfter)}, nothing to delete`,
        `took ${seconds} s`,
        ...(engine ? [] : ['the engine is not running: `contrail db optimize` merges the full-text index (deleted rows stay in it until then) and `contrail db vacuum` returns free pages to the file system']),
      ].join('\n'),
    );
  } finally {
    bar.stop();
    db.close();
  }
}

export async function optimizeCommand(o: OptimizeOptions): Promise<void> {
  const config = readConfigOrExit();
  const db = openExisting(config);
  const bar = progressBar('optimize', o.progress && !o.json);
  const started = performance.now();
  try {
    const walBefore = databaseSize(db).walBytes;
    // Bounded merges, not FTS5's 'optimize': that is the same merge in one statement, holding
    // the write lock (and stalling the engine) for as long as rewriting the whole index takes.
    const merge = await mergeFully(db, (pct) => bar.update(pct, 'merging the full-text index'));
    bar.stop();
    // analysis_limit keeps ANALYZE (run by optimize for tables whose statistics are stale) to a
    // sample of each index: a quick write transaction even on a large database.
    db.pragma('analysis_limit = 400');
    db.pragma('optimize');
    const checkpoint = checkpointAndTruncate(db);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    const fts = (s: FtsStructure): { segments: number; leafPages: number; documents: number } => ({ segments: s.segmentCount, leafPages: s.leafPages, documents: s.documents });
    const result = { fts: { before: fts(merge.before), after: fts(merge.after), steps: merge.steps }, wal: { before: walBefore, after: checkpoint.walBytesAfter, truncated: !checkpoint.busy }, seconds };
    printJsonOr(o.json, result, () =>
      [
        `full-text index: ${merge.before.segmentCount} -> ${merge.after.segmentCount} segments, ${merge.before.leafPages} -> ${merge.after.leafPages} leaf pages (about ${formatBytes(merge.before.leafPages * 4096)} -> ${formatBytes(merge.after.leafPages * 4096)}), ${merge.after.documents} documents, in ${merge.steps} steps`,
        `WAL: ${formatBytes(walBefore)} -> ${formatBytes(checkpoint.walBytesAfter)}${checkpoint.busy ? ' (not truncated: a reader is in it; the engine truncates it later)' : ''}`,
        `query planner statistics refreshed (PRAGMA optimize); took ${seconds} s`,
      ].join('\n'),
    );
  } finally {
    bar.stop();
    db.close();
  }
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Where SQLite's unix VFS puts temporary files when SQLITE_TMPDIR is unset: TMPDIR, then /var/tmp, /usr/tmp, /tmp. */
function sqliteTempDir(): string {
  const fromEnv = tmpdir();
  if (fromEnv !== '/tmp') return fromEnv;
  return ['/var/tmp', '/usr/tmp', '/tmp'].find((d) => freeBytes(d) !== null) ?? '/tmp';
}

export async function vacuumCommand(o: VacuumOptions): Promise<void> {
  const config = readConfigOrExit();
  if (o.full) return fullVacuumCommand(o, config);
  const db = openExisting(config);
  const bar = progressBar('vacuum', o.progress && !o.json);
  try {
    const mode = autoVacuumMode(db);
    const before = databaseSize(db);
    if (mode !== 'incremental') {
      const message =
        mode === 'full'
          ? 'auto_vacuum is FULL: SQLite returns free pages at every commit; nothing to do'
          : `auto_vacuum is NONE on this database (it predates incremental vacuum): incremental vacuum does nothing, and its ${before.freelistPages} free pages (${formatBytes(before.freelistPages * before.pageSize)}) stay in the file. ` +
            'Run `contrail db vacuum --full` once: it rebuilds the file and switches it to incremental mode (slow on a large database; the engine must be stopped; needs free disk space about the database size)';
      printJsonOr(o.json, { autoVacuum: mode, freelistPages: before.freelistPages, vacuumedPages: 0, message }, () => message);
      if (mode === 'none') process.exitCode = 1;
      return;
    }
    let freed = 0;
    if (before.freelistPages > 0) await paced(
      (n) => incrementalVacuum(db, n),
      new AdaptiveChunk({ min: 64, initial: 512, max: 65_536 }),
      (r) => r.freed,
      (r) => r.freelistAfter === 0 || r.freed === 0,
      (r) => {
        freed += r.freed;
        bar.update(percent(freed, before.freelistPages), `${freed}/${before.freelistPages} pages`);
      },
    );
    bar.stop();
    // In WAL mode the main file shrinks when the WAL is checkpointed.
    const checkpoint = checkpointAndTruncate(db);
    const after = databaseSize(db);
    const result = { autoVacuum: mode, freelistPages: { before: before.freelistPages, after: after.freelistPages }, bytesReturned: freed * before.pageSize, fileBytes: { before: before.fileBytes, after: after.fileBytes }, walTruncated: !checkpoint.busy };
    printJsonOr(o.json, result, () =>
      [
        `free pages: ${before.freelistPages} -> ${after.freelistPages}; returned ${formatBytes(result.bytesReturned)} to the file system`,
        `database file: ${formatBytes(before.fileBytes)} -> ${formatBytes(after.fileBytes)}${checkpoint.busy ? ' (the WAL could not be checkpointed yet: the file shrinks at the next checkpoint)' : ''}`,
      ].join('\n'),
    );
  } finally {
    bar.stop();
    db.close();
  }
}

async function fullVacuumCommand(o: VacuumOptions, config: Config): Promise<void> {
  requireEngineStopped(config, 'run a full VACUUM');
  const db = openExisting(config);
  try {
    const size = databaseSize(db);
    const need = size.fileBytes + size.walBytes;
    const temp = sqliteTempDir();
    const dataDir = dirname(config.dbPath);
    const tempFree = freeBytes(temp);
    const dataFree = freeBytes(dataDir);
    const space = `${formatBytes(tempFree ?? 0)} free in ${temp}, ${formatBytes(dataFree ?? 0)} free in ${dataDir}`;
    if (!o.yes) {
      throw new UsageError(
        [
          `a full VACUUM rewrites the whole database (${formatBytes(need)}) into a new file and switches it to incremental auto-vacuum; it shows no progress (stopping it midway loses the work, not data);`,
          `it takes minutes on a large database (ACARS Hub's took 10 to 30); it needs about ${formatBytes(need)} free in the temporary directory (SQLITE_TMPDIR, else TMPDIR, else /var/tmp or /tmp)`,
          `and as much again beside the database for the WAL (now: ${space}). Run again with --yes to go ahead.`,
        ].join('\n'),
      );
    }
    if ((tempFree !== null && tempFree < need) || (dataFree !== null && dataFree < need)) {
      throw new StoreError(`not enough free disk space for a full VACUUM of ${formatBytes(need)}: ${space}`);
    }
    if (!o.json) process.stderr.write(`vacuum --full: rewriting ${formatBytes(need)} (no progress is available for VACUUM)...\n`);
    const r = fullVacuum(db);
    const result = { autoVacuum: { before: r.autoVacuumBefore, after: r.autoVacuumAfter }, fileBytes: { before: r.before.fileBytes, after: r.after.fileBytes }, freelistPages: { before: r.before.freelistPages, after: r.after.freelistPages }, seconds: Number((r.ms / 1000).toFixed(2)) };
    printJsonOr(o.json, result, () =>
      [
        `full VACUUM done in ${result.seconds} s: database file ${formatBytes(r.before.fileBytes)} -> ${formatBytes(r.after.fileBytes)}, free pages ${r.before.freelistPages} -> ${r.after.freelistPages}`,
        `auto_vacuum: ${r.autoVacuumBefore} -> ${r.autoVacuumAfter}${r.autoVacuumAfter === 'incremental' ? ' (free pages are now returned in small steps by the engine and by contrail db vacuum)' : ''}`,
      ].join('\n'),
    );
  } finally {
    db.close();
  }
}
