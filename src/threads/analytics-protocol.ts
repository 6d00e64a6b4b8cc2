/** Messages between the main thread and the analytics thread (workers/analytics). */
import type { CatchUpProgress } from '../analytics/mirror-feed.js';
import type { AnalyticsRequest } from '../analytics/analytics-request.js';
import type { Reply } from './worker-handle.js';

export interface AnalyticsWorkerData {
  dbPath: string;
  duckdbPath: string;
  /** Which path answers when a request does not name one. */
  dataSource: 'sqlite' | 'duckdb';
  windowDays: number;
  /** The database file was replaced (a restore) since the mirror was last fed: empty it and catch up from scratch. */
  rebuild?: boolean;
}

export type ToAnalytics =
  /** The writer committed up to `lastId`; `updatedIds`: earlier rows it changed. `at`: commit time (epoch ms). */
  | { kind: 'committed'; lastId: number; updatedIds: number[]; at: number }
  /** Alert matches were rewritten (a rescan finished): copy them again. */
  | { kind: 'matches-changed' }
  /** The database file was replaced (a restore) and its schema is current: read the new file, rebuild the mirror from it. */
  | { kind: 'reopen' }
  /** The database file was replaced by one whose schema is not current yet: stop reading it, empty the mirror, refuse requests until `reopen`. */
  | { kind: 'detach' }
  | { kind: 'request'; id: number; request: AnalyticsRequest }
  | { kind: 'close' };

export interface MirrorState {
  /** Newest message id in the mirror. */
  lastId: number;
  /** The longest a commit waited to reach the mirror since the last report (or the oldest still waiting), ms. */
  lagMs: number;
  rows: number;
}

export type FromAnalytics =
  | ({ kind: 'ready' } & MirrorState)
  | { kind: 'catch-up'; progress: CatchUpProgress }
  | ({ kind: 'state' } & MirrorState)
  | Reply
  | { kind: 'fatal'; code: string; message: string; stack: string | undefined }
  | { kind: 'closed' };
