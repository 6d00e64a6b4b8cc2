/**
 * The main thread's handle on the analytics thread: forwards commit reports (ids only, a few
 * bytes per batch), asks analytics questions, and keeps the mirror's state for metrics and
 * /healthz. If the thread dies the engine goes on without the mirror: analytics answers are
 * refused with a clear error, ingest is not affected.
 */
import { ContrailError, type WorkerError } from '../errors.js';
import type { AnalyticsWorkerData, FromAnalytics, MirrorState, ToAnalytics } from '../threads/analytics-protocol.js';
import { WorkerHandle } from '../threads/worker-handle.js';
import type { AnalyticsRequest } from './analytics-request.js';
import type { CatchUpProgress } from './mirror-feed.js';

export interface AnalyticsCallbacks {
  onCatchUp(p: CatchUpProgress): void;
  onState(s: MirrorState): void;
  onDead(err: WorkerError): void;
}

type Other = Exclude<FromAnalytics, { kind: 'ready' | 'reply' | 'fatal' | 'closed' }>;

const ANALYTICS_URL = new URL('../../workers/analytics.js', import.meta.url);

export class AnalyticsClient {
  readonly #handle: WorkerHandle<MirrorState, Other>;
  mirror: MirrorState = { lastId: 0, lagMs: 0, rows: 0 };

  constructor(data: AnalyticsWorkerData, callbacks: AnalyticsCallbacks) {
    this.#handle = new WorkerHandle<MirrorState, Other>({
      what: 'analytics',
      url: ANALYTICS_URL,
      workerData: data,
      onReady: (s) => (this.mirror = s),
      onDead: (err) => callbacks.onDead(err),
      onMessage: (m) => {
        if (m.kind === 'catch-up') callbacks.onCatchUp(m.progress);
        else if (m.kind === 'state') {
          const { kind: _k, ...s } = m;
          this.mirror = s;
          callbacks.onState(s);
        }
      },
    });
  }

  /** Resolves once the mirror has caught up with SQLite. */
  ready(): Promise<MirrorState> {
    return this.#handle.ready();
  }

  get alive(): boolean {
    return this.#handle.state === 'ready' || this.#handle.state === 'starting';
  }

  committed(lastId: number, updatedIds: number[]): void {
    if (this.alive) this.#handle.post({ kind: 'committed', lastId, updatedIds, at: Date.now() } satisfies ToAnalytics);
  }

  matchesChanged(): void {
    if (this.alive) this.#handle.post({ kind: 'matches-changed' } satisfies ToAnalytics);
  }

  /**
   * The database file was replaced (a restore): with its schema current, read the new file and
   * rebuild the mirror from it (progress as at start); otherwise stop reading it until `reopen`.
   * Commits reported after this are of the new file.
   */
  databaseReplaced(schemaCurrent: boolean): void {
    if (this.alive) this.#handle.post((schemaCurrent ? { kind: 'reopen' } : { kind: 'detach' }) satisfies ToAnalytics);
  }

  request(request: AnalyticsRequest): Promise<unknown> {
    if (this.#handle.state === 'starting') return Promise.reject(new ContrailError('CONTRAIL_ERR_NOT_READY', 'analytics are starting (the mirror is catching up): try again shortly'));
    return this.#handle.request((id) => ({ kind: 'request', id, request }) satisfies ToAnalytics);
  }

  /** Mirrors what was committed, closes DuckDB, ends the thread. Idempotent. */
  close(): Promise<void> {
    return this.#handle.close({ kind: 'close' } satisfies ToAnalytics);
  }
}
