/**
 * `contrail db adopt`: an ACARS Hub database, of any schema generation, becomes a Contrail
 * database.
 *
 * The original is only ever opened read-only, to copy it (copy-legacy.ts). The new database is
 * built at `<output>.adopting` with the same migrations as a fresh one, checked (verify-adoption.ts),
 * and renamed onto the output only then, with what it replaces moved aside (replace-output.ts). On
 * any failure both temporary files are removed and the output is as it was.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ContrailError, LockedError } from '../errors.js';
import { migrateToLatest } from '../store/migrate.js';
import { openWriterDatabase, type Db } from '../store/open-database.js';
import { engineLockPath, migrationLockPath } from '../store/schema/lock-paths.js';
import { describeHolder, lockHolder, ProcessLock } from '../store/schema/process-lock.js';
import type { AdoptContext, AdoptProgress } from './adopt-context.js';
import { AdoptError } from './adopt-errors.js';
import { checkOutput, removeDatabaseFiles, sameFile } from './adopt-output.js';
import { adoptionTempPaths } from './adopt-paths.js';
import type { AdoptReport, TableTally } from './adopt-report.js';
import { carryAlerts } from './carry-alerts.js';
import { carryCounters } from './carry-counters.js';
import { carryFreqs, carryLevels } from './carry-histograms.js';
import { carryMessages, conversionNotes } from './carry-messages.js';
import { carryTerms } from './carry-terms.js';
import { carryTimeseries } from './carry-timeseries.js';
import { copyLegacy } from './copy-legacy.js';
import { detectGeneration } from './detect-generation.js';
import { RejectSink } from './reject-sink.js';
import { applyReplacement, planReplacement } from './replace-output.js';
import { retentionNotice, retentionWarning, type Retention } from './retention-notice.js';
import { countContrailTables, verifyAdoption } from './verify-adoption.js';

export type { AdoptProgress } from './adopt-context.js';

export interface AdoptOptions {
  /** The Contrail database to create. */
  output: string;
  /** Replace an output that already holds messages (it is replaced only if the adoption succeeds, and moved aside). */
  force?: boolean;
  /** The retention the engine will apply (DB_SAVE_DAYS, DB_ALERT_SAVE_DAYS): adopted messages past it are reported. */
  retention?: Retention;
  onProgress?: (p: AdoptProgress) => void;
  /** Aborting stops the adoption between chunks; nothing is left behind. */
  signal?: AbortSignal;
  /** Legacy rows per write transaction. */
  chunkRows?: number;
}

/** Adopts the ACARS Hub database `source` into `options.output` and returns the verification report. */
export async function adoptDatabase(source: string, options: AdoptOptions): Promise<AdoptReport> {
  const src = resolve(source);
  const output = resolve(options.output);
  if (sameFile(src, output)) {
    throw new AdoptError(`the output ${output} is the ACARS Hub file itself; adoption never writes to it: choose another output`);
  }
  // The output is about to be replaced: not under a running engine, and not while another
  // process migrates, restores or adopts into it.
  const engine = lockHolder(engineLockPath(output));
  if (engine) throw new LockedError(`cannot adopt into ${output} while the engine runs on it: ${describeHolder(engine)}. Stop it first`);
  const lock = ProcessLock.acquire(migrationLockPath(output), 'contrail db adopt', `adopt into ${output}`);
  try {
    return await adopt(src, output, options);
  } finally {
    lock.release();
  }
}

async function adopt(src: string, output: string, options: AdoptOptions): Promise<AdoptReport> {
  const startedAt = Date.now();
  const started = performance.now();
  const { building, copy } = adoptionTempPaths(output);
  const progress = (step: string, done: number, total: number): void => options.onProgress?.({ step, done, total });
  const signal = options.signal;

  checkOutput(output, options.force ?? false);
  mkdirSync(dirname(output), { recursive: true });
  // Left by an adoption that was killed: they are this command's own files, named for the output.
  removeDatabaseFiles(building);
  removeDatabaseFiles(copy);

  let legacy: Db | null = null;
  let target: Db | null = null;
  try {
    await copyLegacy(src, copy, (done, total) => progress('copy', done, total));
    // The copy is the adoption's own, so it is opened for writing: a lookup index goes into it.
    legacy = new Database(copy, { fileMustExist: true });
    const shape = detectGeneration(legacy, src);

    target = openWriterDatabase(building);
    await migrateToLatest(target);
    // The file is thrown away on any failure, and synced before it is renamed into place.
    target.pragma('synchronous = OFF');

    const rejects = new RejectSink(target, startedAt);
    const ctx: AdoptContext = {
      legacy,
      target,
      shape,
      rejects,
      now: startedAt,
      chunkRows: options.chunkRows ?? 5000,
      progress,
      pause: async () => {
        await yieldToLoop();
        if (signal?.aborted) throw new AdoptError(`adoption of ${src} interrupted; nothing was written to ${output}`);
      },
    };

    const messages = await carryMessages(ctx);
    const tallies: TableTally[] = [messages.tally];
    tallies.push(...(await carryAlerts(ctx, messages)));
    tallies.push(...carryTerms(ctx));
    tallies.push(...carryLevels(ctx));
    tallies.push(...carryFreqs(ctx));
    tallies.push(...(await carryTimeseries(ctx)));
    tallies.push(...carryCounters(ctx));

    // Rows went in without the per-batch indexing the writer does: index them all at once.
    progress('full-text index', 0, 1);
    target.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    progress('full-text index', 1, 1);
    await ctx.pause();
    // The per-minute counters the writer keeps at ingest, for the adopted messages: rates over
    // adopted history come from them (and agree with the analytics mirror's count of the rows).
    progress('minute counters', 0, 1);
    target.exec(`INSERT INTO counts_minute (minute, type, messages, errors, non_acars, duplicates)
      SELECT (CAST(msg_time / 60 AS INTEGER) - (msg_time < 0 AND msg_time / 60 <> CAST(msg_time / 60 AS INTEGER))) * 60, type, count(*), coalesce(sum(error > 0), 0), sum(is_acars = 0), 0 FROM messages GROUP BY 1, 2
      ON CONFLICT (minute, type) DO UPDATE SET messages = messages + excluded.messages, errors = errors + excluded.errors, non_acars = non_acars + excluded.non_acars`);
    progress('minute counters', 1, 1);

    progress('verify', 0, 1);
    const contrail = countContrailTables(target);
    const rejectCounts = rejects.summary();
    verifyAdoption(target, tallies, rejectCounts, contrail);
    progress('verify', 1, 1);

    const finishedAt = Date.now();
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    const carried = contrail.messages ?? 0;
    const retention = options.retention ? retentionNotice(target, options.retention, finishedAt) : null;
    const expiring = retention && retentionWarning(retention, carried);
    const replaced = planReplacement(output, new Date(finishedAt));
    const report: AdoptReport = {
      source: src,
      output,
      generation: shape.generation,
      revision: shape.revision,
      startedAt,
      finishedAt,
      seconds,
      messagesPerSecond: seconds > 0 ? Math.round(carried / seconds) : carried,
      tables: tallies,
      rejects: rejectCounts,
      contrail,
      notCarried: shape.notCarried,
      notes: conversionNotes(messages.counts, shape.hasMessageType),
      warnings: expiring ? [...shape.warnings, expiring] : shape.warnings,
      retention,
      replaced,
    };
    target
      .prepare('INSERT INTO adoptions (source, generation, revision, started_at, finished_at, report) VALUES (?, ?, ?, ?, ?, ?)')
      .run(src, `acarshub-${shape.generation}`, shape.revision, startedAt, finishedAt, JSON.stringify(report));

    target.pragma('synchronous = FULL');
    target.pragma('wal_checkpoint(TRUNCATE)');
    target.close();
    target = null;
    legacy.close();
    legacy = null;
    removeDatabaseFiles(copy);

    applyReplacement(replaced, building, output);
    return report;
  } catch (e) {
    for (const db of [target, legacy]) {
      try {
        db?.close();
      } catch {
        // Already failing; the files are removed below either way.
      }
    }
    removeDatabaseFiles(building);
    removeDatabaseFiles(copy);
    if (e instanceof ContrailError) throw e;
    throw new AdoptError(`adopting ${src} failed: ${(e as Error).message}; nothing was written to ${output}, and ${src} was only read`, { cause: e });
  }
}
