/**
 * Bulk loading under the full-text index: the FTS insert trigger is taken out for the load and
 * put back from its own SQL, then the index gets, in one statement, exactly the rows the
 * trigger would have given it. Not FTS5's 'rebuild' command: that indexes every row of the
 * content table, link frames (is_acars = 0) included, which normal ingest never indexes.
 */
import { COL } from '../../../src/store/message-row.js';
import type { Db } from '../../../src/store/open-database.js';
import type { RowTemplates } from './corpus-rows.js';

const TRIGGER = 'messages_fts_insert';

function ftsColumns(db: Db): string[] {
  return (db.prepare("SELECT name FROM pragma_table_info('messages_fts')").all() as { name: string }[]).map((r) => r.name);
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Drops the FTS insert trigger and returns its SQL. Refuses a trigger that does more or other
 * than fillFtsLikeTrigger reproduces, so a schema change fails the build instead of skewing it.
 */
export function takeFtsInsertTrigger(db: Db): string {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").get(TRIGGER) as { sql: string } | undefined;
  if (!row) throw new Error(`no ${TRIGGER} trigger in the schema`);
  const cols = ftsColumns(db);
  const expected = squash(
    `CREATE TRIGGER ${TRIGGER} AFTER INSERT ON messages WHEN new.is_acars = 1 BEGIN
      INSERT INTO messages_fts (rowid, ${cols.join(', ')}) VALUES (new.id, ${cols.map((c) => `new.${c}`).join(', ')}); END`,
  );
  if (squash(row.sql) !== expected) throw new Error(`${TRIGGER} is not what fts-bulk.ts reproduces; update it:\n${row.sql}`);
  db.exec(`DROP TRIGGER ${TRIGGER}`);
  return row.sql;
}

/** Puts the trigger back and indexes what it would have indexed. Returns the rows indexed. */
export function fillFtsLikeTrigger(db: Db, triggerSql: string): number {
  const cols = ftsColumns(db).join(', ');
  return db.transaction(() => {
    db.exec(triggerSql);
    return db.prepare(`INSERT INTO messages_fts (rowid, ${cols}) SELECT id, ${cols} FROM messages WHERE is_acars = 1`).run().changes;
  })();
}

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
