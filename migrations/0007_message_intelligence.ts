/**
 * What turns frames into messages people read: label decoding, enrichment, dedup across
 * stations, multi-part joining and the aircraft a message belongs to.
 *
 * Columns added to `messages` (ADD COLUMN with constant defaults rewrites no rows, so this is
 * instant on a large database; the two partial indexes are the only scans):
 * - label_decoded / decode_level: @airframes/acars-decoder's result as JSON and its level
 *   ('full', 'partial', or 'error' when the library threw: the message is kept, marked);
 * - airline: the operator's ICAO designator, from the flight number;
 * - gs_addr: the ground station's address (the airport is looked up from it at read time);
 * - dedup_key: a hash of the message's content (not who heard it, when, or how well);
 * - copies / heard_by: how many receptions of the same message arrived within the dedup
 *   window, and the distinct stations (JSON array; NULL while only one);
 * - multipart_id: the multipart row joining the parts of one long message;
 * - aircraft_id: the aircraft row the message was tied to.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const MESSAGE_COLUMNS: [string, string][] = [
  ['label_decoded', 'TEXT'],
  ['decode_level', 'TEXT'],
  ['airline', 'TEXT'],
  ['gs_addr', 'TEXT'],
  ['dedup_key', 'INTEGER'],
  ['copies', 'INTEGER NOT NULL DEFAULT 1'],
  ['heard_by', 'TEXT'],
  ['multipart_id', 'INTEGER'],
  ['aircraft_id', 'INTEGER'],
];

const UP: string[] = [
  ...MESSAGE_COLUMNS.map(([name, type]) => `ALTER TABLE messages ADD COLUMN ${name} ${type}`),
  // One row per long message: its parts are the messages pointing at it. text: the parts' texts
  // joined in sequence order (as far as they arrived); complete: every part from A to the last
  // (the one that said no more follow) arrived.
  `CREATE TABLE multipart (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    label TEXT,
    msgno_base TEXT NOT NULL,
    icao TEXT,
    tail TEXT,
    flight TEXT,
    first_time REAL NOT NULL,
    last_time REAL NOT NULL,
    parts INTEGER NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    text TEXT
  )`,
  'CREATE INDEX multipart_last_time ON multipart (last_time)',
  // An airframe (by ICAO address or registration) or, until one is known, a flight seen on its own.
  `CREATE TABLE aircraft (
    id INTEGER PRIMARY KEY,
    icao TEXT,
    tail TEXT,
    flight TEXT,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    last_type TEXT NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    lat REAL,
    lon REAL,
    alt REAL,
    position_time REAL
  )`,
  'CREATE UNIQUE INDEX aircraft_icao ON aircraft (icao) WHERE icao IS NOT NULL',
  'CREATE INDEX aircraft_tail ON aircraft (tail) WHERE tail IS NOT NULL',
  'CREATE INDEX aircraft_flight ON aircraft (flight, last_seen) WHERE flight IS NOT NULL',
  'CREATE INDEX messages_aircraft ON messages (aircraft_id, id) WHERE aircraft_id IS NOT NULL',
  'CREATE INDEX messages_multipart ON messages (multipart_id) WHERE multipart_id IS NOT NULL',
  // Duplicates per minute and decoder, beside the unique messages already counted there.
  'ALTER TABLE counts_minute ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE ignore_terms ADD COLUMN is_regex INTEGER NOT NULL DEFAULT 0',
];

const DOWN: string[] = [
  'ALTER TABLE ignore_terms DROP COLUMN is_regex',
  'ALTER TABLE counts_minute DROP COLUMN duplicates',
  'DROP INDEX messages_multipart',
  'DROP INDEX messages_aircraft',
  'DROP INDEX aircraft_flight',
  'DROP INDEX aircraft_tail',
  'DROP INDEX aircraft_icao',
  'DROP TABLE aircraft',
  'DROP INDEX multipart_last_time',
  'DROP TABLE multipart',
  ...MESSAGE_COLUMNS.map(([name]) => `ALTER TABLE messages DROP COLUMN ${name}`).reverse(),
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
