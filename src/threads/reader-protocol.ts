/**
 * What crosses to and from the reader threads (workers/reader, a Piscina pool): one task per
 * query, tagged by `kind`, and one reply. Errors come back as data (a thrown error's `code` would
 * not survive the structured clone), and the main thread raises them as ContrailErrors.
 */
import type { Subscription } from '../routing/topic-match.js';
import type { AircraftQuery, aircraftLookup } from '../store/reads/aircraft-queries.js';
import type { MessageView } from '../store/reads/message-view.js';
import type { SearchPage } from '../store/reads/search.js';
import type { RecentRequest, SearchRequest } from '../store/reads/search-request.js';
import type { SubscriptionHistory } from '../store/reads/subscription-history.js';

/** workerData of the reader threads. */
export interface ReaderWorkerData {
  dbPath: string;
}

export type ReaderTask =
  | { kind: 'search'; request: SearchRequest }
  | { kind: 'recent'; request: RecentRequest }
  /** A `subscribe` request's history: what its subscriptions would have delivered live. */
  | { kind: 'history'; subscriptions: Subscription[]; limit: number }
  | { kind: 'message'; id: number }
  | { kind: 'aircraft'; query: AircraftQuery }
  /**
   * One SQLite statement that runs as long as asked (a recursive count to `upTo`): the tests of
   * the time limit need a query that is slow on any database. Nothing outside the tests sends it.
   */
  | { kind: 'spin'; upTo: number };

export interface ReaderResults {
  search: SearchPage;
  recent: { messages: MessageView[] };
  history: SubscriptionHistory;
  message: MessageView | null;
  aircraft: ReturnType<typeof aircraftLookup>;
  spin: number;
}

export type ReaderReply = { ok: true; value: unknown } | { ok: false; code: string; message: string };
