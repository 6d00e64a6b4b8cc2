/**
 * The history of a `subscribe` request: the newest stored messages that its subscriptions would
 * have delivered live. Each row is matched by the live routing's own predicate (deliversAny in
 * routing/topic-match.ts) on the meta the writer publishes with it (toMeta in publish-batch.ts),
 * so history and live delivery cannot disagree; search's SQL filters are not used because they
 * compare differently (a station case-insensitively, a tail without leading dots, one value per
 * field).
 *
 * The scan reads the routing columns newest first by id, in pages inside one read transaction,
 * and stops at `limit` matches or after `scanRows` rows: a subscription that matches rarely costs
 * a bounded read, and the reply says when the bound cut it short.
 */
import type { DecoderType } from '../../decode/message.js';
import { deliversAny, type Subscription } from '../../routing/topic-match.js';
import { toMeta } from '../publish-batch.js';
import type { Db } from '../open-database.js';
import { messageViews, type MessageView, type ViewRow } from './message-view.js';
import { prepared } from './prepared.js';
import { byIdSql } from './search-sql.js';

/** A stored row's routing meta, as the writer publishes it for a live message. */
export { toMeta as rowMeta } from '../publish-batch.js';

/**
 * Rows a history reads at most (docs/protocol.md): each row read costs about 2 µs, so a
 * subscription that rarely matches holds a reader thread for a few hundred milliseconds at most.
 */
export const HISTORY_SCAN_ROWS = 100_000;
/** Rows per statement: big enough that statement overhead vanishes, small enough to stop soon after the last match. */
const PAGE_ROWS = 2048;

const SCAN_SQL = 'SELECT id, type, label, flight, tail, icao, station_id FROM messages WHERE id < ? ORDER BY id DESC LIMIT ?';
type ScanRow = [id: number, type: DecoderType, label: string | null, flight: string | null, tail: string | null, icao: string | null, station: string | null];

/** A `subscribe` request's history, as a reader thread takes it (plain data: a filter's Sets survive the structured clone). */
export interface HistoryRequest {
  /** The request's subscriptions that carry messages. */
  subscriptions: Subscription[];
  limit: number;
}

export interface SubscriptionHistory {
  /** Newest first. */
  messages: MessageView[];
  /**
   * True when `messages` are the newest `limit` matches, or every stored match; false when the
   * scan reached its bound first (older matches may exist).
   */
  complete: boolean;
}

export function subscriptionHistory(db: Db, subs: readonly Subscription[], limit: number, scanRows = HISTORY_SCAN_ROWS): SubscriptionHistory {
  return db.transaction((): SubscriptionHistory => {
    const scan = prepared(db, SCAN_SQL).raw(true);
    const ids: number[] = [];
    let before = Number.MAX_SAFE_INTEGER;
    let scanned = 0;
    let exhausted = false;
    while (ids.length < limit && !exhausted && scanned < scanRows) {
      const want = Math.min(PAGE_ROWS, scanRows - scanned);
      const rows = scan.all(before, want) as ScanRow[];
      for (const [id, type, label, flight, tail, icao, station] of rows) {
        if (!deliversAny(subs, toMeta(type, label, flight, tail, icao, station))) continue;
        ids.push(id);
        if (ids.length === limit) break;
      }
      scanned += rows.length;
      exhausted = rows.length < want;
      if (rows.length > 0) before = rows[rows.length - 1]![0];
    }
    // Stopped at the bound short of `limit`: complete only if no older row was left unread.
    if (ids.length < limit && !exhausted) exhausted = prepared(db, 'SELECT 1 FROM messages WHERE id < ? LIMIT 1').get(before) === undefined;
    // One statement for every row: the text is the same whatever id it is given.
    const byId = prepared(db, byIdSql(0).sql);
    const rows = ids.map((id) => byId.get(id) as ViewRow);
    return { messages: messageViews(db, rows), complete: ids.length === limit || exhausted };
  })();
}
