/**
 * The two primitives both prune jobs are built from: walk the oldest messages in (msg_time, id)
 * order from a cursor, a bounded number at a time, over the msg_time index; and delete a list of
 * messages with what hangs off them. Neither opens a transaction: the jobs wrap one call of each
 * in one short write transaction.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../open-database.js';

export interface ScanCursor {
  time: number;
  id: number;
}

/** Before every row: msg_time is NOT NULL, ids are positive. */
export const START: Readonly<ScanCursor> = { time: -Number.MAX_VALUE, id: 0 };

export interface OldRow {
  id: number;
  msg_time: number;
  /** The message matched an alert (it has alert_matches rows): it is kept longer. */
  alert: 0 | 1;
}

export type OldestScan = (after: ScanCursor, before: number, limit: number) => OldRow[];

/**
 * The next `limit` messages after the cursor with msg_time < `before`, oldest first. The index on
 * msg_time carries the rowid, so (msg_time, id) is one index range: no sort, no rescan of rows
 * passed over (alert-matched rows kept by an earlier step are not read again).
 */
export function prepareOldestScan(db: Db): OldestScan {
  const select = db.prepare<[number, number, number, number], OldRow>(
    `SELECT m.id, m.msg_time, EXISTS (SELECT 1 FROM alert_matches a WHERE a.message_id = m.id) AS alert
     FROM messages m
     WHERE m.msg_time < ? AND (m.msg_time, m.id) > (?, ?)
     ORDER BY m.msg_time, m.id LIMIT ?`,
  );
  return (after, before, limit) => select.all(before, after.time, after.id, limit);
}

export interface DeletedCounts {
  messages: number;
  /** Of those, ACARS rows: each leaves delete markers in the full-text index until a merge. */
  indexed: number;
  alertMatches: number;
}

export type MessageDeleter = (rows: readonly OldRow[]) => DeletedCounts;

/**
 * Deletes messages and, for those flagged `alert`, their alert_matches rows. The
 * messages_fts_delete trigger removes each ACARS row from the full-text index in the same
 * statement, so the index stays exact. Call inside the transaction that scanned the rows, so
 * the flags are still true.
 */
export function prepareMessageDeleter(db: Db): MessageDeleter {
  const message = db.prepare<[number], { is_acars: number }>('DELETE FROM messages WHERE id = ? RETURNING is_acars');
  const matches: Statement<[number]> = db.prepare('DELETE FROM alert_matches WHERE message_id = ?');
  return (rows) => {
    let messages = 0;
    let indexed = 0;
    let alertMatches = 0;
    // In rowid order: FTS5 buffers deletes while rowids increase and writes a new segment each
    // time one goes back; msg_time order would write one per out-of-order message.
    for (const r of [...rows].sort((a, b) => a.id - b.id)) {
      const gone = message.get(r.id);
      if (!gone) continue;
      messages++;
      if (gone.is_acars === 1) indexed++;
      if (r.alert) alertMatches += matches.run(r.id).changes;
    }
    return { messages, indexed, alertMatches };
  };
}
