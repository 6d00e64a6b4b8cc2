/**
 * Adds newly inserted messages to the full-text index in one statement per batch (see
 * migrations/0002). Only ACARS rows are indexed: link frames carry nothing people search for.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.js';

export const FTS_COLUMNS = ['text', 'tail', 'flight', 'icao', 'label'] as const;

/** A prepared statement indexing the rows with firstId <= id <= lastId. */
export function prepareIndexMessages(db: Db): Statement<[number, number]> {
  const cols = FTS_COLUMNS.join(', ');
  return db.prepare(`INSERT INTO messages_fts (rowid, ${cols}) SELECT id, ${cols} FROM messages WHERE id BETWEEN ? AND ? AND is_acars = 1`);
}
