/**
 * The main thread's handle on the analytics thread: forwards commit reports (ids only, a few
 * bytes per batch), asks analytics questions, and keeps the mirror's state for metrics and
 * /readyz. If the thread dies the engine goes on without the mirror: analytics answers are
 * refused with a clear error, ingest is not affected.
 */
import { Worker } from 'node:worker_threads';
import { ClosedError, ContrailError, WorkerError } from '../errors.js';
import type { AnalyticsWorkerData, FromAnalytics, MirrorState, ToAnalytics } from '../threads/analytics-protocol.js';
import type { AnalyticsRequest } from './analytics-request.js';
import type { CatchUpProgress } from './mirror-feed.js';

export interface AnalyticsCallbacks {
  onCatchUp(p: CatchUpProgress): void;
  onState(s: MirrorState): void;
  onDead(err: WorkerError): void;
}

const ANALYTICS_URL = new URL('../../workers/analytics.js', import.meta.url);

export class AnalyticsClient {
  readonly #worker: Worker;
  #state: 'starting' | 'ready' | 'closing' | 'closed' | 'dead' = 'starting';
  readonly #ready: Promise<MirrorState>;
  #closed: Promise<void> | null = null;
  #resolveClosed: (() => void) | null = null;
  #nextRequest = 1;
  readonly #requests = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  mirror: MirrorState = { lastId: 0, lagMs: 0, rows: 0 };

  constructor(data: AnalyticsWorkerData, callbacks: AnalyticsCallbacks) {
    this.#worker = new Worker(ANALYTICS_URL, { workerData: data, name: 'contrail-analytics' });
    this.#ready = new Promise((resolve, reject) => {
      const fail = (err: WorkerError): void => {
        for (const r of this.#requests.values()) r.reject(err);
        this.#requests.clear();
        if (this.#state === 'starting') reject(err);
        else if (this.#state !== 'closed' && this.#state !== 'dead' && this.#state !== 'closing') callbacks.onDead(err);
        this.#state = 'dead';
        this.#resolveClosed?.();
      };
      this.#worker.on('message', (m: FromAnalytics) => {
        switch (m.kind) {
          case 'ready': {
            const { kind: _k, ...s } = m;
            this.mirror = s;
            this.#state = 'ready';
            resolve(s);
            break;
          }
          case 'catch-up':
            callbacks.onCatchUp(m.progress);
            break;
          case 'state': {
            const { kind: _k, ...s } = m;
            this.mirror = s;
            callbacks.onState(s);
            break;
          }
          case 'reply': {
            const r = this.#requests.get(m.id);
            this.#requests.delete(m.id);
            if (m.ok) r?.resolve(m.value);
            else r?.reject(new ContrailError(m.code, m.message));
            break;
          }
          case 'fatal':
            fail(new WorkerError('analytics', `${m.code}: ${m.message}`));
            break;
          case 'closed':
            this.#state = 'closed';
            this.#resolveClosed?.();
            break;
          default:
            fail(new WorkerError('analytics', `unknown message kind ${String((m as { kind: unknown }).kind)}`));
        }
      });
      this.#worker.on('error', (e) => fail(new WorkerError('analytics', e.message, { cause: e })));
      this.#worker.on('exit', (code) => {
        if (this.#state !== 'closed') fail(new WorkerError('analytics', `thread exited with code ${code}`));
      });
    });
  }

  /** Resolves once the mirror has caught up with SQLite. */
  ready(): Promise<MirrorState> {
    return this.#ready;
  }

  get alive(): boolean {
    return this.#state === 'ready' || this.#state === 'starting';
  }

  committed(lastId: number, updatedIds: number[]): void {
    if (!this.alive) return;
    this.#worker.postMessage({ kind: 'committed', lastId, updatedIds, at: Date.now() } satisfies ToAnalytics);
  }

  matchesChanged(): void {
    if (this.alive) this.#worker.postMessage({ kind: 'matches-changed' } satisfies ToAnalytics);
  }

  request(request: AnalyticsRequest): Promise<unknown> {
    if (this.#state === 'starting') return Promise.reject(new ContrailError('CONTRAIL_ERR_NOT_READY', 'analytics are starting (the mirror is catching up): try again shortly'));
    if (this.#state !== 'ready') return Promise.reject(new ClosedError('analytics'));
    const id = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#worker.postMessage({ kind: 'request', id, request } satisfies ToAnalytics);
    });
  }

  /** Mirrors what was committed, closes DuckDB, ends the thread. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    if (this.#state === 'dead' || this.#state === 'closed') return (this.#closed = Promise.resolve());
    this.#state = 'closing';
    this.#closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    }).then(() => this.#worker.terminate().then(() => undefined));
    this.#worker.postMessage({ kind: 'close' } satisfies ToAnalytics);
    return this.#closed;
  }
}
