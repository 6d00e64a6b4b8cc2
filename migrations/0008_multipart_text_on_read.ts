/**
 * A long message's joined text is no longer kept on its `multipart` row: it repeated every
 * part's text (about 6% of the database on the corpus) and was rewritten each time a part
 * arrived. Readers join the parts' texts in sequence order instead (`group_concat(text, ''
 * ORDER BY msgno)` over `messages WHERE multipart_id = ?`, served by messages_multipart).
 * Down rebuilds the table as 0007 made it, the column filled that same way.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql.raw('ALTER TABLE multipart DROP COLUMN text').execute(db);
}

/** The table as 0007 created it, word for word: down rebuilds it so the schema reads exactly as before. */
const TABLE_0007 = `CREATE TABLE multipart (
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
  )`;

const COLUMNS = 'id, type, label, msgno_base, icao, tail, flight, first_time, last_time, parts, complete';

export async function down(db: Db): Promise<void> {
  for (const s of [
    'CREATE TEMP TABLE multipart_0008 AS SELECT * FROM multipart',
    'DROP TABLE multipart',
    TABLE_0007,
    `INSERT INTO multipart (${COLUMNS}, text) SELECT ${COLUMNS},
       (SELECT group_concat(coalesce(m.text, ''), '' ORDER BY m.msgno) FROM messages m WHERE m.multipart_id = t.id)
     FROM multipart_0008 t`,
    'DROP TABLE multipart_0008',
    'CREATE INDEX multipart_last_time ON multipart (last_time)',
  ]) {
    await sql.raw(s).execute(db);
  }
}
