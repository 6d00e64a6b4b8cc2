/**
 * Every message that crosses a thread boundary, as unions tagged by `kind`. Bulk data always
 * travels as a transferred ArrayBuffer, never as structured-cloned arrays of objects.
 */
import type { DecoderType } from '../decode/message.js';
import type { SourceLabel, WriteOutcome } from '../store/message-writer.js';
import type { BackupPolicy } from '../store/schema/migrate-with-backup.js';
import type { MigrationProgress } from '../store/schema/migration-runner.js';
import type { AlertTermKind } from '../alerts/alert-term.js';
import type { RescanProgress } from '../alerts/alert-rescan.js';
import type { TermSet } from '../alerts/term-store.js';
import type { IntelOptions } from '../store/message-writer.js';
import type { MaintenanceCounters, MaintenanceOptions } from '../store/maintenance/maintenance-options.js';

/** workerData of the decode pool's threads. */
export interface DecodeWorkerData {
  /** Listener type per source index. */
  sourceTypes: (DecoderType | null)[];
  storeNonAcars: boolean;
}

/** One decode task: the frame batch (transferred) and the alert terms to match with. */
export interface DecodeTask {
  batch: ArrayBuffer;
  alerts: TermSet & { version: number };
}

/** workerData of the writer thread. */
export interface WriterWorkerData {
  dbPath: string;
  sources: SourceLabel[];
  /** Apply pending migrations at start (development); otherwise wait for consent. */
  autoMigrate: boolean;
  backups: BackupPolicy;
  maintenance: MaintenanceOptions;
  intel: IntelOptions;
}

/** Requests the main thread makes of the writer (admin API); each gets one `reply` with its id. */
export type WriterRequest =
  | { op: 'status' }
  | { op: 'migrate' }
  | { op: 'backup' }
  | { op: 'restore'; id: string }
  | { op: 'alerts-list' }
  | { op: 'alerts-add'; kind: AlertTermKind; term: unknown }
  | { op: 'alerts-remove'; kind: AlertTermKind; term: string }
  | { op: 'alerts-rescan' };

export type ToWriter =
  /**
   * A decode task's result buffer (transferred), to commit in this order, with the journal
   * position of the batch's end (null if it was never journaled), checkpointed in its commit.
   */
  | { kind: 'batch'; seq: number; buffer: ArrayBuffer; journalEnd: number | null }
  | { kind: 'request'; id: number; request: WriterRequest }
  /** Finish the batches already sent, close the database, then answer `closed`. */
  | { kind: 'close' };

/** Where the schema stands: `pending` means migrations wait for consent and nothing is written. */
export interface SchemaState {
  mode: 'ready' | 'pending';
  /** Last applied migration. */
  schema: string | null;
  target: string | null;
  pending: string[];
  tampered: string[];
  /** The journal position up to which everything is committed; replay starts there. */
  checkpoint: number;
}

export type FromWriter =
  | ({ kind: 'ready'; appliedMigrations: string[] } & SchemaState)
  /** The schema became current (consented migration, a migration by the CLI, a restore): writing starts. */
  | ({ kind: 'schema'; appliedMigrations: string[] } & SchemaState)
  /** A migration in progress (run by this writer, or by `contrail db migrate` in another process). */
  | { kind: 'progress'; progress: MigrationProgress }
  /** Background maintenance did something worth a log line (a prune pass, a blocked checkpoint…). */
  | { kind: 'maintenance'; note: string; detail: Record<string, number | string | boolean> }
  /** The alert and ignore terms, at start and whenever they change (API, CLI in another process). */
  | { kind: 'alert-terms'; terms: TermSet }
  /** A re-scan of stored messages against the alert terms, under way or done. */
  | { kind: 'rescan'; progress: RescanProgress }
  /** Maintenance's cumulative counters, at most once a second while they change (for metrics). */
  | { kind: 'maintenance-counters'; counters: MaintenanceCounters }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; code: string; message: string }
  /** `publish` (an encodePublishBatch() buffer) is transferred. */
  /** `txMs`: the SQLite transaction alone, in the writer thread. */
  | ({ kind: 'committed'; seq: number; journalEnd: number | null; txMs: number } & WriteOutcome)
  /** A storage error time can fix (disk full, read-only...): batches wait and are retried every second. */
  | { kind: 'stalled'; code: string; message: string }
  /** The stalled batch went through; the queue moves again. */
  | { kind: 'resumed' }
  /** The batch's transaction was rolled back; nothing of it is stored. */
  | { kind: 'failed'; seq: number; frames: number; code: string; message: string }
  /** The writer cannot go on (database unusable); it exits after sending this. */
  | { kind: 'fatal'; code: string; message: string; stack: string | undefined }
  | { kind: 'closed' };

export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'CONTRAIL_ERR_UNKNOWN';
}

/** A worker thread's last word: posts `fatal` for the uncaught error `e` through `post`, then exits 1. */
export function fatal(post: (m: Extract<FromWriter, { kind: 'fatal' }>) => void, e: unknown): never {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ kind: 'fatal', code: errorCode(e), message: err.message, stack: err.stack });
  process.exit(1);
}
