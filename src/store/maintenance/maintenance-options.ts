/** What the maintenance scheduler is told, what it reports, and its defaults. */
import type { Config } from '../../config/config-types.js';

/** The jobs, in the order the scheduler gives them priority. */
export const MAINTENANCE_JOBS = ['prune-age', 'prune-size', 'fts-merge', 'wal-checkpoint', 'incremental-vacuum'] as const;
export type MaintenanceJob = (typeof MAINTENANCE_JOBS)[number];

export interface MaintenanceOptions {
  /** DB_SAVE_DAYS: messages without an alert match are kept this long (by msg_time). */
  saveDays: number;
  /** DB_ALERT_SAVE_DAYS: alert-matched messages are kept max(saveDays, alertSaveDays). */
  alertSaveDays: number;
  /** CONTRAIL_DB_MAX_BYTES; 0: no size cap. */
  maxBytes: number;
  /** How often to look for newly expired messages once a pass is done. Default 60 s. */
  ageCheckIntervalMs?: number;
  /** The age pass walks kept alert matches from the oldest again this often. Default 1 h. */
  ageRescanMs?: number;
  /** How often to compare the size with the cap. Default 10 s. */
  sizeCheckIntervalMs?: number;
  /** A size pass ends this share below the cap, so the next does not start at once. Default 0.05. */
  sizeHeadroom?: number;
  /** A full FTS merge starts when the messages deleted since the last one reach this share of the indexed rows. Default 0.2. */
  ftsMergeDeletedShare?: number;
  /** ... or when the newer segments reach this share of the oldest. Default 0.5. */
  ftsMergeRatio?: number;
  /** ... and hold at least this many leaf pages (~4 KB each). Default 256. */
  ftsMergeMinPages?: number;
  /**
   * Set FTS5's automerge to 0 so commits never merge, and merge in slices instead (fts-merge.ts).
   * Stored in the database. Default true.
   */
  ftsTakeOverMerges?: boolean;
  /** The WAL file is checkpointed and truncated when larger than this. Default 16 MiB. */
  walMaxBytes?: number;
  /** How often to look at the WAL file's size. Default 1 s. */
  walCheckIntervalMs?: number;
  /** Incremental vacuum starts when the free list holds more pages than this. Default 4096 (16 MiB at 4 KiB pages). */
  vacuumStartPages?: number;
  /** ... and stops with this many free pages left for the writer to reuse. Default 1024. */
  vacuumKeepPages?: number;
  /** How often to look at the free list. Default 30 s. */
  vacuumCheckIntervalMs?: number;
  /** Clock, epoch milliseconds (tests). Default Date.now. */
  now?: () => number;
}

export type ResolvedOptions = Required<MaintenanceOptions>;

export function resolveOptions(o: MaintenanceOptions): ResolvedOptions {
  const positive = (name: string, v: number): void => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`maintenance option ${name} must be a positive number, got ${v}`);
  };
  positive('saveDays', o.saveDays);
  positive('alertSaveDays', o.alertSaveDays);
  if (!(Number.isFinite(o.maxBytes) && o.maxBytes >= 0)) throw new RangeError(`maintenance option maxBytes must be >= 0, got ${o.maxBytes}`);
  return {
    ageCheckIntervalMs: 60_000,
    ageRescanMs: 3_600_000,
    sizeCheckIntervalMs: 10_000,
    sizeHeadroom: 0.05,
    ftsMergeDeletedShare: 0.2,
    ftsMergeRatio: 0.5,
    ftsMergeMinPages: 256,
    ftsTakeOverMerges: true,
    walMaxBytes: 16 * 2 ** 20,
    walCheckIntervalMs: 1_000,
    vacuumStartPages: 4096,
    vacuumKeepPages: 1024,
    vacuumCheckIntervalMs: 30_000,
    now: Date.now,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as ResolvedOptions;
}

/** The options the configuration gives; the rest keep their defaults. */
export function maintenanceOptionsFrom(config: Config): MaintenanceOptions {
  const r = config.retention;
  return { saveDays: r.saveDays, alertSaveDays: r.alertSaveDays, ageCheckIntervalMs: r.checkIntervalMs, maxBytes: config.database.maxBytes };
}

export interface SliceResult {
  /** The job that ran; null when none was due. */
  job: MaintenanceJob | null;
  /** The slice's duration, due checks included. */
  ms: number;
  /** Work done: messages deleted (rejects included), FTS leaf pages merged (about), WAL frames copied, pages vacuumed. */
  units: number;
  /** Some job has work now: call again after the next batch rather than at the idle pace. */
  more: boolean;
  /** A fact worth a log line: a pass started or ended, a checkpoint was blocked, vacuum is unavailable. */
  note?: string;
  /** The figures behind the note or the step, for a structured log line. */
  detail?: Record<string, number | string | boolean>;
}

/** Cumulative counters, for metrics. */
export interface MaintenanceCounters {
  /** Messages deleted by reason: age (no alert match), alert-age (alert-matched, past the alert cutoff), size (the cap). */
  prunedMessages: { age: number; alertAge: number; size: number };
  prunedRejects: number;
  deletedAlertMatches: number;
  /** FTS 'merge' commands run (level and full merges), leaf pages they were asked for, full merges finished. */
  ftsMergeSteps: number;
  ftsMergePages: number;
  ftsFullMerges: number;
  walCheckpoints: { passive: number; truncate: number; busy: number };
  vacuumedPages: number;
  /** Slices that ran a job, by job. */
  slices: Record<MaintenanceJob, number>;
  lastSliceMs: number;
  maxSliceMs: number;
}

export function zeroCounters(): MaintenanceCounters {
  return {
    prunedMessages: { age: 0, alertAge: 0, size: 0 },
    prunedRejects: 0,
    deletedAlertMatches: 0,
    ftsMergeSteps: 0,
    ftsMergePages: 0,
    ftsFullMerges: 0,
    walCheckpoints: { passive: 0, truncate: 0, busy: 0 },
    vacuumedPages: 0,
    slices: Object.fromEntries(MAINTENANCE_JOBS.map((j) => [j, 0])) as Record<MaintenanceJob, number>,
    lastSliceMs: 0,
    maxSliceMs: 0,
  };
}
