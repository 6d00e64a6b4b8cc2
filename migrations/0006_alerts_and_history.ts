/**
 * Alert terms, ignore terms and alert matches; and the history an adopted ACARS Hub database
 * brings with it: its coarse time series, its running totals, the single signal-level histogram
 * of its Python era, and a record of each adoption. A fresh database has these tables too (empty),
 * so an adopted database and a fresh one have the same schema.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const UP: string[] = [
  // term: literal whole-word text (case-insensitive) unless is_regex; hits: matches counted so far.
  `CREATE TABLE alert_terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE COLLATE NOCASE,
    is_regex INTEGER NOT NULL DEFAULT 0,
    hits INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  )`,
  `CREATE TABLE ignore_terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
  )`,
  // field: which part of the message matched (text, tail, flight, icao). matched_at: epoch seconds.
  `CREATE TABLE alert_matches (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    field TEXT NOT NULL,
    matched_at REAL NOT NULL
  )`,
  'CREATE INDEX alert_matches_message ON alert_matches (message_id)',
  'CREATE INDEX alert_matches_term_time ON alert_matches (term, matched_at)',
  // Message counts per time bucket of `step` seconds starting at `start` (epoch seconds): the
  // round-robin series ACARS Hub kept (1 min, 5 min, 1 h, 6 h). Errors are not split by decoder there.
  `CREATE TABLE timeseries (
    step INTEGER NOT NULL,
    start INTEGER NOT NULL,
    acars INTEGER NOT NULL,
    vdlm2 INTEGER NOT NULL,
    hfdl INTEGER NOT NULL,
    imsl INTEGER NOT NULL,
    irdm INTEGER NOT NULL,
    total INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    PRIMARY KEY (step, start)
  ) WITHOUT ROWID`,
  // Named running totals, e.g. ACARS Hub's total/good/error counts of messages it did and did not log.
  'CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID',
  // ACARS Hub before its revision 0fc8b7cae596 kept one level histogram for all decoders; it cannot be split.
  'CREATE TABLE level_unsplit (level REAL PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID',
  // report: the adoption's verification table as JSON.
  `CREATE TABLE adoptions (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    generation TEXT NOT NULL,
    revision TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    report TEXT NOT NULL
  )`,
];

const DOWN: string[] = [
  'DROP TABLE adoptions',
  'DROP TABLE level_unsplit',
  'DROP TABLE counters',
  'DROP TABLE timeseries',
  'DROP INDEX alert_matches_term_time',
  'DROP INDEX alert_matches_message',
  'DROP TABLE alert_matches',
  'DROP TABLE ignore_terms',
  'DROP TABLE alert_terms',
];

async function run(db: Db, statements: string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function up(db: Db): Promise<void> {
  await run(db, UP);
}

export async function down(db: Db): Promise<void> {
  await run(db, DOWN);
}
