/**
 * Every message that crosses a thread boundary, as unions tagged by `kind`. Bulk data always
 * travels as a transferred ArrayBuffer, never as structured-cloned arrays of objects.
 */
import type { DecoderType } from '../decode/message.js';
import type { SourceLabel, WriteOutcome } from '../store/message-writer.js';

/** workerData of the decode pool's threads. */
export interface DecodeWorkerData {
  /** Listener type per source index. */
  sourceTypes: (DecoderType | null)[];
  storeNonAcars: boolean;
}

/** workerData of the writer thread. */
export interface WriterWorkerData {
  dbPath: string;
  sources: SourceLabel[];
}

export type ToWriter =
  /**
   * A decode task's result buffer (transferred), to commit in this order, with the journal
   * position of the batch's end (null if it was never journaled), checkpointed in its commit.
   */
  | { kind: 'batch'; seq: number; buffer: ArrayBuffer; journalEnd: number | null }
  /** Finish the batches already sent, close the database, then answer `closed`. */
  | { kind: 'close' };

export type FromWriter =
  /** `checkpoint`: the journal position up to which everything is committed; replay starts there. */
  | { kind: 'ready'; appliedMigrations: string[]; schema: string | null; checkpoint: number }
  /** `publish` (an encodePublishBatch() buffer) is transferred. */
  | ({ kind: 'committed'; seq: number; journalEnd: number | null } & WriteOutcome)
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
