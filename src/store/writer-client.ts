/**
 * The main thread's handle on the writer thread. Batches go in by `write()`, in order; outcomes
 * come back through the callbacks. If the thread dies, `onFatal` fires once with the reason.
 */
import { Worker } from 'node:worker_threads';
import { ClosedError, ContrailError, WorkerError } from '../errors.js';
import type { FromWriter, SchemaState, ToWriter, WriterRequest, WriterWorkerData } from '../threads/protocol.js';
import type { RescanProgress } from '../alerts/alert-rescan.js';
import type { TermSet } from '../alerts/term-store.js';
import type { MaintenanceCounters } from './maintenance/maintenance-options.js';
import type { MigrationProgress } from './schema/migration-runner.js';

export type Committed = Extract<FromWriter, { kind: 'committed' }>;
export type Failed = Extract<FromWriter, { kind: 'failed' }>;

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
  readonly #worker: Worker;
  #state: 'starting' | 'ready' | 'closing' | 'closed' | 'dead' = 'starting';
  readonly #ready: Promise<Extract<FromWriter, { kind: 'ready' }>>;
  #closed: Promise<void> | null = null;
  #resolveClosed: (() => void) | null = null;
  #nextRequest = 1;
  readonly #requests = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(data: WriterWorkerData, callbacks: WriterCallbacks) {
    this.#worker = new Worker(WRITER_URL, { workerData: data, name: 'contrail-writer' });
    this.#ready = new Promise((resolve, reject) => {
      const fail = (err: WorkerError): void => {
        for (const r of this.#requests.values()) r.reject(err);
        this.#requests.clear();
        if (this.#state === 'starting') reject(err);
        else if (this.#state !== 'closed' && this.#state !== 'dead') callbacks.onFatal(err);
        this.#state = 'dead';
        this.#resolveClosed?.();
      };
      this.#worker.on('message', (m: FromWriter) => {
        switch (m.kind) {
          case 'ready':
            this.#state = 'ready';
            resolve(m);
            break;
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
          case 'reply': {
            const r = this.#requests.get(m.id);
            this.#requests.delete(m.id);
            if (m.ok) r?.resolve(m.value);
            else r?.reject(new ContrailError(m.code, m.message));
            break;
          }
          case 'fatal':
            fail(new WorkerError('writer', `${m.code}: ${m.message}`));
            break;
          case 'closed':
            this.#state = 'closed';
            this.#resolveClosed?.();
            break;
          default:
            fail(new WorkerError('writer', `unknown message kind ${String((m as { kind: unknown }).kind)}`));
        }
      });
      this.#worker.on('error', (e) => fail(new WorkerError('writer', e.message, { cause: e })));
      this.#worker.on('exit', (code) => {
        if (this.#state !== 'closed') fail(new WorkerError('writer', `thread exited with code ${code}`));
      });
    });
  }

  /** An admin request the writer answers (it owns the database). */
  request(request: WriterRequest): Promise<unknown> {
    if (this.#state !== 'ready') return Promise.reject(new ClosedError('writer'));
    const id = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#worker.postMessage({ kind: 'request', id, request } satisfies ToWriter);
    });
  }

  /** Resolves when the database is open and its schema state known (ready, or pending consent). */
  ready(): Promise<Extract<FromWriter, { kind: 'ready' }>> {
    return this.#ready;
  }

  /** Transfers `buffer` to the writer. */
  write(seq: number, buffer: ArrayBuffer, journalEnd: number | null): void {
    if (this.#state !== 'ready') throw new ClosedError('writer');
    this.#worker.postMessage({ kind: 'batch', seq, buffer, journalEnd } satisfies ToWriter, [buffer]);
  }

  /** Commits what was sent, closes the database, ends the thread. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    if (this.#state === 'dead' || this.#state === 'closed') return (this.#closed = Promise.resolve());
    this.#state = 'closing';
    this.#closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    }).then(() => this.#worker.terminate().then(() => undefined));
    this.#worker.postMessage({ kind: 'close' });
    return this.#closed;
  }
}
