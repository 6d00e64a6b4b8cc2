/**
 * Checks that a generated database's full-text index is what live ingest would have built.
 */
import { COL } from '../../../src/store/message-row.js';
import type { Db } from '../../../src/store/open-database.js';
import type { RowTemplates } from './corpus-rows.js';

function count(db: Db, sql: string, ...params: string[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}

/**
 * Throws unless the index holds exactly the ACARS rows and answers searches: one document per
 * is_acars = 1 row, a corpus flight found as often as it is stored, a corpus word found, and
 * FTS5's own integrity check passing.
 */
export function checkFts(db: Db, t: RowTemplates): void {
  const docs = count(db, 'SELECT count(*) AS n FROM messages_fts_docsize');
  const acars = count(db, 'SELECT count(*) AS n FROM messages WHERE is_acars = 1');
  if (docs !== acars) throw new Error(`FTS holds ${docs} documents for ${acars} ACARS rows`);

  const acarsRows = t.rows.filter((r) => r[COL.is_acars] === 1);
  const flight = acarsRows.map((r) => r[COL.flight]).find((f): f is string => typeof f === 'string' && /^[A-Z0-9]+$/.test(f));
  if (flight === undefined) throw new Error('no corpus flight to search for');
  const found = count(db, 'SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?', `flight:"${flight}"`);
  const stored = count(db, 'SELECT count(*) AS n FROM messages WHERE is_acars = 1 AND flight = ?', flight);
  if (found !== stored || found === 0) throw new Error(`FTS finds flight ${flight} ${found} times, stored ${stored} times`);

  const word = acarsRows.map((r) => r[COL.text]).find((x): x is string => typeof x === 'string' && /\b[A-Za-z]{5,}\b/.test(x))?.match(/\b[A-Za-z]{5,}\b/)?.[0];
  if (word === undefined) throw new Error('no corpus word to search for');
  if (count(db, 'SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?', `"${word}"`) === 0) throw new Error(`FTS does not find "${word}"`);

  db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
}
