/**
 * Prometheus metrics for the writer's background maintenance. The writer posts its cumulative
 * counters (at most once a second); each post is turned into counter increments here. A
 * restore starts a new scheduler whose counters begin at zero again: a value that went down is
 * taken as a restart, not as a negative increment.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { MAINTENANCE_JOBS, type MaintenanceCounters } from '../store/maintenance/maintenance-options.js';

type Flat = Map<string, number>;

export class MaintenanceMetrics {
  readonly #pruned: Counter<'reason'>;
  readonly #rejects: Counter;
  readonly #alertMatches: Counter;
  readonly #ftsSteps: Counter;
  readonly #ftsPages: Counter;
  readonly #ftsFull: Counter;
  readonly #checkpoints: Counter<'result'>;
  readonly #vacuumed: Counter;
  readonly #slices: Counter<'job'>;
  readonly #maxSlice: Gauge;
  #seen: Flat = new Map();
  /** The longest slice across schedulers (a restore starts a new one). */
  #maxSliceMs = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#pruned = new Counter({ name: 'contrail_maintenance_pruned_messages_total', help: 'Messages deleted by background maintenance: age (DB_SAVE_DAYS), alert_age (DB_ALERT_SAVE_DAYS), size (CONTRAIL_DB_MAX_BYTES)', labelNames: ['reason'], registers });
    this.#rejects = new Counter({ name: 'contrail_maintenance_pruned_rejects_total', help: 'Rejected frames deleted by age', registers });
    this.#alertMatches = new Counter({ name: 'contrail_maintenance_deleted_alert_matches_total', help: 'Alert matches deleted with their messages', registers });
    this.#ftsSteps = new Counter({ name: 'contrail_maintenance_fts_merge_steps_total', help: 'Bounded full-text index merge steps run', registers });
    this.#ftsPages = new Counter({ name: 'contrail_maintenance_fts_merge_pages_total', help: 'Full-text index leaf pages the merge steps were given', registers });
    this.#ftsFull = new Counter({ name: 'contrail_maintenance_fts_full_merges_total', help: 'Full merges of the full-text index finished (deleted rows purged from it)', registers });
    this.#checkpoints = new Counter({ name: 'contrail_maintenance_wal_checkpoints_total', help: 'WAL checkpoints run by maintenance: passive, truncate, and busy (a reader kept the WAL from being truncated)', labelNames: ['result'], registers });
    this.#vacuumed = new Counter({ name: 'contrail_maintenance_vacuumed_pages_total', help: 'Free pages returned to the file system by incremental vacuum', registers });
    this.#slices = new Counter({ name: 'contrail_maintenance_slices_total', help: 'Maintenance slices that ran a job, by job', labelNames: ['job'], registers });
    this.#maxSlice = new Gauge({ name: 'contrail_maintenance_slice_max_seconds', help: 'Longest maintenance slice so far (the longest a batch waited for maintenance)', registers });
    for (const job of MAINTENANCE_JOBS) this.#slices.inc({ job }, 0);
    for (const reason of ['age', 'alert_age', 'size']) this.#pruned.inc({ reason }, 0);
  }

  /** Adds what changed since the last post. */
  record(c: MaintenanceCounters): void {
    const now = flatten(c);
    const delta = (key: string): number => {
      const v = now.get(key) ?? 0;
      const before = this.#seen.get(key) ?? 0;
      return v >= before ? v - before : v;
    };
    this.#pruned.inc({ reason: 'age' }, delta('prunedMessages.age'));
    this.#pruned.inc({ reason: 'alert_age' }, delta('prunedMessages.alertAge'));
    this.#pruned.inc({ reason: 'size' }, delta('prunedMessages.size'));
    this.#rejects.inc(delta('prunedRejects'));
    this.#alertMatches.inc(delta('deletedAlertMatches'));
    this.#ftsSteps.inc(delta('ftsMergeSteps'));
    this.#ftsPages.inc(delta('ftsMergePages'));
    this.#ftsFull.inc(delta('ftsFullMerges'));
    for (const result of ['passive', 'truncate', 'busy'] as const) this.#checkpoints.inc({ result }, delta(`walCheckpoints.${result}`));
    this.#vacuumed.inc(delta('vacuumedPages'));
    for (const job of MAINTENANCE_JOBS) this.#slices.inc({ job }, delta(`slices.${job}`));
    this.#maxSliceMs = Math.max(this.#maxSliceMs, c.maxSliceMs);
    this.#maxSlice.set(this.#maxSliceMs / 1000);
    this.#seen = now;
  }
}

function flatten(o: object, prefix = '', into: Flat = new Map()): Flat {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number') into.set(prefix + k, v);
    else if (v && typeof v === 'object') flatten(v as object, `${prefix}${k}.`, into);
  }
  return into;
}
