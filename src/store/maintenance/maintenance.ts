/**
 * The maintenance scheduler: called by the writer thread between batches, each call runs one
 * bounded step of the first job that is due, in this order of priority:
 *   prune-age -> prune-size -> fts-merge -> wal-checkpoint -> incremental-vacuum
 * Prunes come first because they free space and the others reclaim it; a WAL checkpoint runs
 * when no prune or merge is due, so its TRUNCATE runs at an idle moment. One exception: a
 * full-text level nearing FTS5's crisismerge is merged before anything else, or FTS5 would
 * merge it in full inside the writer's next commit.
 *
 * Every step is one short transaction or one autocommit statement on the writer's connection,
 * so readers on other connections (WAL) are never blocked, and the writer is stalled only for
 * the step. Steps are sized by AdaptiveChunk to stay inside the budget; a WAL checkpoint cannot
 * be split (its cost is what SQLite's own checkpoints left, about 1,000 pages at most).
 * Nothing here is asynchronous: the caller decides when to call, the scheduler decides what.
 *
 * Constructing it sets FTS5's automerge to 0 (unless ftsTakeOverMerges is false): from then on
 * commits do not merge the full-text index, this scheduler does (fts-merge.ts says why).
 */
import { StoreError } from '../../errors.js';
import type { Db } from '../open-database.js';
import { AdaptiveChunk } from './adaptive-chunk.js';
import { autoVacuumMode, databaseSize, fileBytes, walPath, type AutoVacuumMode } from './database-size.js';
import { FtsMerger, fullMergeDue, levelMergeDue, widestLevel } from './fts-merge.js';
import type { FtsStructure } from './fts-structure.js';
import { incrementalVacuum } from './incremental-vacuum.js';
import {
  MAINTENANCE_JOBS,
  resolveOptions,
  zeroCounters,
  type MaintenanceCounters,
  type MaintenanceJob,
  type MaintenanceOptions,
  type ResolvedOptions,
  type SliceResult,
} from './maintenance-options.js';
import { AgePruner, ageCutoffs } from './prune-by-age.js';
import { SizePruner } from './prune-by-size.js';
import { checkpointAndTruncate, checkpointWal } from './wal-checkpoint.js';

type Work = Omit<SliceResult, 'ms' | 'more'>;

interface SizePass {
  startUsed: number;
  target: number;
  plain: number;
  alert: number;
}

/** A size pass that deleted this many messages but freed less than this many bytes per message is given up. */
const SIZE_STALL_ROWS = 10_000;
const SIZE_STALL_BYTES_PER_ROW = 32;
const MB = 2 ** 20;
/** Half of FTS5's crisismerge (16): a level this wide is merged before any prune step. */
const URGENT_LEVEL_WIDTH = 8;

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MiB`;
}

export class Maintenance {
  readonly #db: Db;
  readonly #o: ResolvedOptions;
  readonly #counters = zeroCounters();
  readonly #age: AgePruner;
  readonly #size: SizePruner;
  readonly #fts: FtsMerger;
  readonly #pruneChunk = new AdaptiveChunk({ min: 10, initial: 100, max: 20_000 });
  readonly #ftsChunk = new AdaptiveChunk({ min: 8, initial: 64, max: 4096 });
  readonly #vacuumChunk = new AdaptiveChunk({ min: 64, initial: 512, max: 65_536 });
  readonly #next: Record<MaintenanceJob, number> = { 'prune-age': 0, 'prune-size': 0, 'fts-merge': 0, 'wal-checkpoint': 0, 'incremental-vacuum': 0 };
  readonly #walPath: string;
  /** The database's auto_vacuum mode; incremental vacuum runs only in 'incremental'. */
  readonly autoVacuum: AutoVacuumMode;
  #agePass = { plain: 0, alert: 0, rejects: 0 };
  #sizePass: SizePass | null = null;
  /** The structure when the full merge under way started; null when none is. */
  #ftsFull: FtsStructure | null = null;
  /** The FTS structure as read in this slice (reading it is cheap, but it is read by several checks). */
  #structure: FtsStructure | null = null;
  /** ACARS messages deleted since the last full merge started: their entries are still in the index. */
  #ftsDeleted = 0;
  /** Documents in the index when last read. */
  #ftsDocs: number;
  #vacuumPass: number | null = null;
  #vacuumNoted = false;

  constructor(db: Db, options: MaintenanceOptions) {
    this.#db = db;
    this.#o = resolveOptions(options);
    this.#age = new AgePruner(db, { rescanMs: this.#o.ageRescanMs });
    this.#size = new SizePruner(db);
    this.#fts = new FtsMerger(db);
    this.#ftsDocs = this.#fts.structure().documents;
    if (this.#o.ftsTakeOverMerges && this.#fts.automerge() !== 0) this.#fts.setAutomerge(0);
    this.#walPath = walPath(db);
    this.autoVacuum = autoVacuumMode(db);
  }

  /** A copy of the cumulative counters. */
  get counters(): MaintenanceCounters {
    return structuredClone(this.#counters);
  }

  /**
   * Runs one bounded step of the first due job, aiming to take at most `budgetMs`. Must not be
   * called inside a transaction. Returns what it did and whether work remains.
   */
  runSlice(budgetMs = 20): SliceResult {
    if (this.#db.inTransaction) throw new StoreError('maintenance: runSlice called inside a transaction');
    const started = performance.now();
    const now = this.#o.now();
    this.#structure = null;
    let work: Work = { job: null, units: 0 };
    // A level nearing crisismerge goes first, or FTS5 would merge it in full in the writer's next commit.
    const urgent = widestLevel(this.#ftsStructure()) >= URGENT_LEVEL_WIDTH;
    for (const job of urgent ? (['fts-merge', ...MAINTENANCE_JOBS] as const) : MAINTENANCE_JOBS) {
      if (this.#due(job, now)) {
        work = this.#run(job, budgetMs, now);
        break;
      }
    }
    this.#structure = null;
    const more = MAINTENANCE_JOBS.some((j) => this.#due(j, now));
    const ms = performance.now() - started;
    if (work.job) {
      this.#counters.slices[work.job]++;
      this.#counters.lastSliceMs = ms;
      this.#counters.maxSliceMs = Math.max(this.#counters.maxSliceMs, ms);
    }
    return { ...work, ms, more };
  }

  #due(job: MaintenanceJob, now: number): boolean {
    const o = this.#o;
    const timeUp = now >= this.#next[job];
    const later = (ms: number): false => {
      this.#next[job] = now + ms;
      return false;
    };
    switch (job) {
      case 'prune-age':
        return this.#age.active || timeUp;
      case 'prune-size': {
        if (o.maxBytes === 0) return false;
        // Wait for the full-text merge under way, and let one start when this pass's deletes
        // call for it: it frees what they left in the index, so the pass does not overshoot.
        if (this.#ftsFull) return false;
        if (this.#sizePass) return !this.#deletesWarrantMerge();
        if (!timeUp) return false;
        return databaseSize(this.#db).estimatedBytes > o.maxBytes || later(o.sizeCheckIntervalMs);
      }
      case 'fts-merge': {
        if (this.#ftsFull || this.#deletesWarrantMerge()) return true;
        if (!timeUp) return false;
        const s = this.#ftsStructure();
        return levelMergeDue(s) || fullMergeDue(s, this.#mergePolicy(), this.#ftsDeleted);
      }
      case 'wal-checkpoint':
        if (!timeUp) return false;
        return fileBytes(this.#walPath) > o.walMaxBytes || later(o.walCheckIntervalMs);
      case 'incremental-vacuum': {
        if (this.#vacuumPass !== null) return true;
        if (!timeUp || this.autoVacuum === 'full' || (this.autoVacuum === 'none' && this.#vacuumNoted)) return false;
        return Number(this.#db.pragma('freelist_count', { simple: true })) > o.vacuumStartPages || later(o.vacuumCheckIntervalMs);
      }
      default:
        throw new Error(`maintenance: unknown job ${String(job satisfies never)}`);
    }
  }

  #ftsStructure(): FtsStructure {
    this.#structure ??= this.#fts.structure();
    this.#ftsDocs = this.#structure.documents;
    return this.#structure;
  }

  #mergePolicy(): { ratio: number; minPages: number; deletedShare: number } {
    return { ratio: this.#o.ftsMergeRatio, minPages: this.#o.ftsMergeMinPages, deletedShare: this.#o.ftsMergeDeletedShare };
  }

  #deletesWarrantMerge(): boolean {
    return this.#ftsDeleted > 0 && this.#ftsDeleted >= this.#o.ftsMergeDeletedShare * this.#ftsDocs;
  }

  #run(job: MaintenanceJob, budgetMs: number, now: number): Work {
    switch (job) {
      case 'prune-age':
        return this.#pruneAge(budgetMs, now);
      case 'prune-size':
        return this.#pruneSize(budgetMs, now);
      case 'fts-merge':
        return this.#ftsMerge(budgetMs, now);
      case 'wal-checkpoint':
        return this.#walCheckpoint(now);
      case 'incremental-vacuum':
        return this.#vacuum(budgetMs, now);
      default:
        throw new Error(`maintenance: unknown job ${String(job satisfies never)}`);
    }
  }

  #pruneAge(budgetMs: number, now: number): Work {
    if (!this.#age.active) {
      this.#age.startPass(ageCutoffs(now, this.#o.saveDays, this.#o.alertSaveDays), now);
      this.#agePass = { plain: 0, alert: 0, rejects: 0 };
    }
    const asked = this.#pruneChunk.size;
    const t0 = performance.now();
    const s = this.#age.step(asked);
    this.#pruneChunk.record(s.examined, asked, performance.now() - t0, budgetMs);
    const c = this.#counters;
    c.prunedMessages.age += s.plainDeleted;
    c.prunedMessages.alertAge += s.alertDeleted;
    c.prunedRejects += s.rejectsDeleted;
    c.deletedAlertMatches += s.alertMatchesDeleted;
    this.#ftsDeleted += s.indexedDeleted;
    const pass = this.#agePass;
    pass.plain += s.plainDeleted;
    pass.alert += s.alertDeleted;
    pass.rejects += s.rejectsDeleted;
    const work: Work = { job: 'prune-age', units: s.plainDeleted + s.alertDeleted + s.rejectsDeleted, detail: { phase: s.phase ?? 'none', examined: s.examined, chunk: asked } };
    if (!s.done) return work;
    this.#next['prune-age'] = now + this.#o.ageCheckIntervalMs;
    if (pass.plain + pass.alert + pass.rejects === 0) return work;
    const note = `pruned by age: ${pass.plain + pass.alert} messages (${pass.alert} alert-matched, past DB_ALERT_SAVE_DAYS) and ${pass.rejects} rejects`;
    return { ...work, note, detail: { messages: pass.plain + pass.alert, alertMatched: pass.alert, rejects: pass.rejects } };
  }

  /**
   * The cap is compared with used pages plus the WAL file, but only used pages are a reason to
   * delete messages: while they are over the target a step deletes the oldest; once they are not
   * and the WAL is what is left over the cap, the step checkpoints and truncates the WAL instead.
   */
  #pruneSize(budgetMs: number, now: number): Work {
    const o = this.#o;
    let note: string | undefined;
    if (!this.#sizePass) {
      const s = databaseSize(this.#db);
      const target = Math.floor(o.maxBytes * (1 - o.sizeHeadroom));
      this.#sizePass = { startUsed: s.usedBytes, target, plain: 0, alert: 0 };
      this.#size.startPass();
      note = `size cap: database is ${mb(s.estimatedBytes)} (WAL ${mb(s.walBytes)}), over CONTRAIL_DB_MAX_BYTES ${mb(o.maxBytes)}: deleting the oldest messages until the data takes ${mb(target)}`;
    }
    const pass = this.#sizePass;
    const end = (work: Work, retryMs: number, why: string): Work => {
      this.#sizePass = null;
      this.#next['prune-size'] = now + retryMs;
      const deleted = pass.plain + pass.alert;
      return { ...work, note: `${note ? `${note}; ` : ''}size cap: deleted ${deleted} of the oldest messages (${pass.alert} alert-matched); ${why}` };
    };
    if (databaseSize(this.#db).usedBytes <= pass.target) {
      const w = checkpointAndTruncate(this.#db);
      this.#counters.walCheckpoints.passive++;
      if (!w.busy) this.#counters.walCheckpoints.truncate++;
      const work: Work = { job: 'prune-size', units: 0, detail: { walBytes: w.walBytesAfter } };
      return end(work, o.sizeCheckIntervalMs, w.busy ? `WAL ${mb(w.walBytesAfter)} could not be truncated (a reader is in it)` : `WAL truncated from ${mb(w.walBytesBefore)}`);
    }
    const asked = this.#pruneChunk.size;
    const t0 = performance.now();
    const step = this.#size.step(asked);
    this.#pruneChunk.record(step.examined, asked, performance.now() - t0, budgetMs);
    const c = this.#counters;
    c.prunedMessages.size += step.plainDeleted + step.alertDeleted;
    c.deletedAlertMatches += step.alertMatchesDeleted;
    this.#ftsDeleted += step.indexedDeleted;
    pass.plain += step.plainDeleted;
    pass.alert += step.alertDeleted;
    const size = databaseSize(this.#db);
    const used = size.usedBytes;
    const deleted = pass.plain + pass.alert;
    const detail = { messages: deleted, alertMatched: pass.alert, usedBytes: used, target: pass.target, chunk: asked };
    const work: Work = { job: 'prune-size', units: step.plainDeleted + step.alertDeleted, detail, ...(note ? { note } : {}) };
    // Still over the cap with the WAL: come back at once to truncate it.
    if (used <= pass.target) return end(work, size.estimatedBytes > o.maxBytes ? 0 : o.sizeCheckIntervalMs, `the data now takes ${mb(used)}`);
    if (step.exhausted) return end(work, 600_000, `no message left, the data still takes ${mb(used)}: something else fills the database`);
    if (deleted >= SIZE_STALL_ROWS && pass.startUsed - used < deleted * SIZE_STALL_BYTES_PER_ROW) {
      return end(work, 3_600_000, `deleting messages does not shrink the database (${mb(pass.startUsed - used)} freed): stopped, retrying in an hour`);
    }
    return work;
  }

  /**
   * Level merges ('merge' +N) whenever a level has usermerge segments, and full merges (one
   * 'merge' -N, then +N until the merge into the oldest segment is done) when fullMergeDue says.
   */
  #ftsMerge(budgetMs: number, now: number): Work {
    const before = this.#ftsStructure();
    // Not while an age pass deletes: one full merge after it, not one per share of its deletes.
    if (!this.#ftsFull && !this.#age.active && (this.#deletesWarrantMerge() || fullMergeDue(before, this.#mergePolicy(), this.#ftsDeleted))) this.#ftsFull = before;
    const full = this.#ftsFull;
    const asked = this.#ftsChunk.size;
    const t0 = performance.now();
    const step = this.#fts.step(asked, full !== null);
    this.#ftsChunk.record(Math.floor(step.changes / 2), asked, performance.now() - t0, budgetMs);
    // Deletes from now on leave markers in new segments, outside this merge.
    if (step.started) this.#ftsDeleted = 0;
    this.#ftsDocs = step.after.documents;
    this.#counters.ftsMergeSteps++;
    this.#counters.ftsMergePages += asked;
    const a = step.after;
    const work: Work = { job: 'fts-merge', units: Math.floor(step.changes / 2), detail: { full: full !== null, segments: a.segmentCount, leafPages: a.leafPages, remainingInput: a.fullMergeInputLeaves, chunk: asked } };
    // Nothing to merge after all (a level FTS5 does not take yet): look again in a second.
    if (!step.worked) this.#next['fts-merge'] = now + 1000;
    if (!full || (a.fullMergeInProgress && step.worked)) return work;
    this.#ftsFull = null;
    if (a.fullMergeInProgress) return { ...work, note: 'full-text index: the merge in progress did no work; trying again in a second' };
    // Started and finished in one step without work: the index was already one segment.
    if (step.started && !step.worked) return work;
    this.#counters.ftsFullMerges++;
    const note = `full-text index merged: ${full.segmentCount} -> ${a.segmentCount} segments, ${full.leafPages} -> ${a.leafPages} leaf pages`;
    return { ...work, note, detail: { segmentsBefore: full.segmentCount, segments: a.segmentCount, leafPagesBefore: full.leafPages, leafPages: a.leafPages } };
  }

  #walCheckpoint(now: number): Work {
    const c = this.#counters;
    const passive = checkpointWal(this.#db, 'PASSIVE');
    c.walCheckpoints.passive++;
    const units = Math.max(0, passive.checkpointedFrames);
    const detail = { walBytes: passive.walBytesBefore, frames: passive.logFrames, copied: passive.checkpointedFrames };
    let busy = passive.busy;
    // The job runs only when no prune or merge is under way: an idle moment, so TRUNCATE too.
    if (!busy) {
      const t = checkpointWal(this.#db, 'TRUNCATE');
      c.walCheckpoints.truncate++;
      busy = t.busy;
    }
    if (!busy) return { job: 'wal-checkpoint', units, detail };
    c.walCheckpoints.busy++;
    this.#next['wal-checkpoint'] = now + 5 * this.#o.walCheckIntervalMs;
    const stuck = passive.walBytesBefore > 4 * this.#o.walMaxBytes;
    return { job: 'wal-checkpoint', units, detail, ...(stuck ? { note: `WAL is ${mb(passive.walBytesBefore)}: a reader keeps it from being checkpointed and truncated` } : {}) };
  }

  #vacuum(budgetMs: number, now: number): Work {
    const o = this.#o;
    if (this.autoVacuum !== 'incremental') {
      this.#vacuumNoted = true;
      return {
        job: 'incremental-vacuum',
        units: 0,
        note: 'incremental vacuum unavailable: this database has auto_vacuum=NONE, so free pages stay in the file; run `contrail db vacuum --full` once (slow, needs free disk space about the database size) to switch it',
        detail: { autoVacuum: this.autoVacuum },
      };
    }
    this.#vacuumPass ??= 0;
    const asked = this.#vacuumChunk.size;
    const t0 = performance.now();
    const v = incrementalVacuum(this.#db, asked, o.vacuumKeepPages);
    this.#vacuumChunk.record(v.freed, asked, performance.now() - t0, budgetMs);
    this.#counters.vacuumedPages += v.freed;
    this.#vacuumPass += v.freed;
    const work: Work = { job: 'incremental-vacuum', units: v.freed, detail: { freelist: v.freelistAfter, chunk: asked } };
    if (v.freelistAfter > o.vacuumKeepPages && v.freed > 0) return work;
    const pages = this.#vacuumPass;
    this.#vacuumPass = null;
    this.#next['incremental-vacuum'] = now + o.vacuumCheckIntervalMs;
    return { ...work, note: `incremental vacuum: returned ${pages} free pages to the file system`, detail: { pages, freelist: v.freelistAfter } };
  }
}
