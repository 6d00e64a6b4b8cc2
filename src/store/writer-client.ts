/**
 * The main thread's handle on the writer thread. Batches go in by `write()`, in order; outcomes
 * come back through the callbacks. If the thread dies, `onFatal` fires once with the reason.
 */
import { ClosedError, type WorkerError } from '../errors.js';
import type { FromWriter, SchemaState, ToWriter, WriterRequest, WriterWorkerData } from '../threads/protocol.js';
import { WorkerHandle } from '../threads/worker-handle.js';
import type { RescanProgress } from '../alerts/alert-rescan.js';
import type { TermSet } from '../alerts/term-store.js';
import type { MaintenanceCounters } from './maintenance/maintenance-options.js';
import type { MigrationProgress } from './schema/migration-runner.js';

export type Committed = Extract<FromWriter, { kind: 'committed' }>;
export type Failed = Extract<FromWriter, { kind: 'failed' }>;
type Ready = Omit<Extract<FromWriter, { kind: 'ready' }>, 'kind'>;
type Other = Exclude<FromWriter, { kind: 'ready' | 'reply' | 'fatal' | 'closed' }>;

export interface WriterCallbacks {
  onCommitted(c: Committed): void;
  onFailed(f: Failed): void;
  /** null when the writer moves again. */
  onStalled(problem: { code: string; message: string } | null): void;
  onFatal(err: WorkerError): void;
  /** The schema changed state after start (migrated, restored). */
  onSchema(state: SchemaState & { appliedMigrations: string[] }): void;
  onProgress(p: MigrationProgress): void;
  onMaintenance(note: string, detail: Record<string, unknown>): void;
  onMaintenanceCounters(counters: MaintenanceCounters): void;
  onAlertTerms(terms: TermSet): void;
  onRescan(progress: RescanProgress): void;
}

const WRITER_URL = new URL('../../workers/writer.js', import.meta.url);

export class WriterClient {
  readonly #handle: WorkerHandle<Ready, Other>;

  constructor(data: WriterWorkerData, callbacks: WriterCallbacks) {
    this.#handle = new WorkerHandle<Ready, Other>({
      what: 'writer',
      url: WRITER_URL,
      workerData: data,
      onDead: (err) => callbacks.onFatal(err),
      onMessage: (m) => {
        switch (m.kind) {
          case 'committed':
            callbacks.onCommitted(m);
            break;
          case 'failed':
            callbacks.onFailed(m);
            break;
          case 'stalled':
            callbacks.onStalled({ code: m.code, message: m.message });
            break;
          case 'resumed':
            callbacks.onStalled(null);
            break;
          case 'schema': {
            const { kind: _k, ...state } = m;
            callbacks.onSchema(state);
            break;
          }
          case 'progress':
            callbacks.onProgress(m.progress);
            break;
          case 'maintenance':
            callbacks.onMaintenance(m.note, m.detail);
            break;
          case 'alert-terms':
            callbacks.onAlertTerms(m.terms);
            break;
          case 'rescan':
            callbacks.onRescan(m.progress);
            break;
          case 'maintenance-counters':
            callbacks.onMaintenanceCounters(m.counters);
            break;
          default: {
            const unhandled: never = m;
            void unhandled;
          }
        }
      },
    });
  }

  /** An admin request the writer answers (it owns the database). */
  request(request: WriterRequest): Promise<unknown> {
    return this.#handle.request((id) => ({ kind: 'request', id, request }) satisfies ToWriter);
  }

  /** Resolves when the database is open and its schema state known (ready, or pending consent). */
  ready(): Promise<Ready> {
    return this.#handle.ready();
  }

  /** Transfers `buffer` to the writer. */
  write(seq: number, buffer: ArrayBuffer, journalEnd: number | null): void {
    if (this.#handle.state !== 'ready') throw new ClosedError('writer');
    this.#handle.post({ kind: 'batch', seq, buffer, journalEnd } satisfies ToWriter, [buffer]);
  }

  /** Commits what was sent, closes the database, ends the thread. Idempotent. */
  close(): Promise<void> {
    return this.#handle.close({ kind: 'close' } satisfies ToWriter);
  }
}
