/**
 * The first schema: messages with typed columns, FTS5 over text and identifiers, per-decoder
 * signal level and frequency histograms, per-minute counters, and the rejects store.
 */
import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any> by Kysely's own convention: they must not depend on today's schema types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const DECODERS = ['acars', 'vdlm2', 'hfdl', 'imsl', 'irdm'];

// Only ACARS-bearing rows are indexed: link frames have nothing people search for, and full-text
// indexing is the writer's ceiling.
const FTS_COLUMNS = 'text, tail, flight, icao, label';
const FTS_VALUES_NEW = 'new.text, new.tail, new.flight, new.icao, new.label';
const FTS_VALUES_OLD = 'old.text, old.tail, old.flight, old.icao, old.label';

const UP: string[] = [
  `CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    decoder TEXT,
    is_acars INTEGER NOT NULL,
    frame_kind TEXT,
    msg_time REAL NOT NULL,
    received_at INTEGER NOT NULL,
    station_id TEXT,
    freq REAL,
    channel INTEGER,
    level REAL,
    noise REAL,
    error INTEGER,
    direction TEXT,
    icao TEXT,
    tail TEXT,
    flight TEXT,
    label TEXT,
    sublabel TEXT,
    mfi TEXT,
    mode TEXT,
    block_id TEXT,
    ack TEXT,
    msgno TEXT,
    more INTEGER,
    text TEXT,
    depa TEXT,
    dsta TEXT,
    eta TEXT,
    gtout TEXT,
    gtin TEXT,
    wloff TEXT,
    wlin TEXT,
    lat REAL,
    lon REAL,
    alt REAL,
    src_addr TEXT,
    dst_addr TEXT,
    decoded TEXT,
    extra TEXT
  )`,
  'CREATE INDEX messages_msg_time ON messages (msg_time)',
  `CREATE VIRTUAL TABLE messages_fts USING fts5(${FTS_COLUMNS}, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
  `CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.is_acars = 1 BEGIN
    INSERT INTO messages_fts (rowid, ${FTS_COLUMNS}) VALUES (new.id, ${FTS_VALUES_NEW});
  END`,
  `CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.is_acars = 1 BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, ${FTS_COLUMNS}) VALUES ('delete', old.id, ${FTS_VALUES_OLD});
  END`,
  `CREATE TRIGGER messages_fts_update_old AFTER UPDATE ON messages WHEN old.is_acars = 1 BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, ${FTS_COLUMNS}) VALUES ('delete', old.id, ${FTS_VALUES_OLD});
  END`,
  `CREATE TRIGGER messages_fts_update_new AFTER UPDATE ON messages WHEN new.is_acars = 1 BEGIN
    INSERT INTO messages_fts (rowid, ${FTS_COLUMNS}) VALUES (new.id, ${FTS_VALUES_NEW});
  END`,
  ...DECODERS.flatMap((d) => [
    `CREATE TABLE level_${d} (level REAL PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID`,
    `CREATE TABLE freqs_${d} (freq REAL PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID`,
  ]),
  // minute: epoch seconds at the start of the minute of msg_time.
  `CREATE TABLE counts_minute (
    minute INTEGER NOT NULL,
    type TEXT NOT NULL,
    messages INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    non_acars INTEGER NOT NULL,
    PRIMARY KEY (minute, type)
  ) WITHOUT ROWID`,
  `CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    type_hint TEXT,
    reason TEXT NOT NULL,
    detail TEXT,
    size INTEGER NOT NULL,
    raw BLOB NOT NULL
  )`,
  'CREATE INDEX rejects_received_at ON rejects (received_at)',
];

const DOWN: string[] = [
  'DROP TABLE rejects',
  'DROP TABLE counts_minute',
  ...DECODERS.flatMap((d) => [`DROP TABLE freqs_${d}`, `DROP TABLE level_${d}`]),
  'DROP TRIGGER messages_fts_update_new',
  'DROP TRIGGER messages_fts_update_old',
  'DROP TRIGGER messages_fts_delete',
  'DROP TRIGGER messages_fts_insert',
  'DROP TABLE messages_fts',
  'DROP TABLE messages',
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
