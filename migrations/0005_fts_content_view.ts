/**
 * Two fixes to the full-text index, found by rewriting rows (redecode):
 *
 * - Updates: 0001 kept the index in sync with two AFTER UPDATE triggers, one deleting the old
 *   terms and one inserting the new. SQLite fires triggers on one event newest first, so the
 *   insert ran before the delete, and the delete then removed the document just inserted: an
 *   updated row vanished from the index. One trigger now does both, in order, and only when an
 *   indexed column changes.
 * - Content: the index's content table becomes a view of the ACARS rows, the only rows it
 *   indexes. Against the whole `messages` table, FTS5's own checks ('integrity-check' with
 *   rank 1 compares the index with its content) reported every link frame as missing, and
 *   'rebuild' indexed link frames too. Against the view both are exact.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const COLUMNS = 'text, tail, flight, icao, label';
const OPTIONS = "content_rowid='id', tokenize='unicode61 remove_diacritics 2'";

const OLD = 'old.text, old.tail, old.flight, old.icao, old.label';
const NEW = 'new.text, new.tail, new.flight, new.icao, new.label';

export async function up(db: Db): Promise<void> {
  await sql.raw('DROP TRIGGER messages_fts_update_old').execute(db);
  await sql.raw('DROP TRIGGER messages_fts_update_new').execute(db);
  await sql
    .raw(
      `CREATE TRIGGER messages_fts_update AFTER UPDATE OF is_acars, ${COLUMNS} ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, ${COLUMNS}) SELECT 'delete', old.id, ${OLD} WHERE old.is_acars = 1;
    INSERT INTO messages_fts (rowid, ${COLUMNS}) SELECT new.id, ${NEW} WHERE new.is_acars = 1;
  END`,
    )
    .execute(db);
  await sql.raw(`CREATE VIEW acars_text AS SELECT id, ${COLUMNS} FROM messages WHERE is_acars = 1`).execute(db);
  await sql.raw('DROP TABLE messages_fts').execute(db);
  await sql.raw(`CREATE VIRTUAL TABLE messages_fts USING fts5(${COLUMNS}, content='acars_text', ${OPTIONS})`).execute(db);
  await sql.raw("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')").execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql.raw('DROP TABLE messages_fts').execute(db);
  await sql.raw(`CREATE VIRTUAL TABLE messages_fts USING fts5(${COLUMNS}, content='messages', ${OPTIONS})`).execute(db);
  await sql.raw(`INSERT INTO messages_fts (rowid, ${COLUMNS}) SELECT id, ${COLUMNS} FROM messages WHERE is_acars = 1`).execute(db);
  await sql.raw('DROP VIEW acars_text').execute(db);
  await sql.raw('DROP TRIGGER messages_fts_update').execute(db);
  await sql
    .raw(`CREATE TRIGGER messages_fts_update_old AFTER UPDATE ON messages WHEN old.is_acars = 1 BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, ${COLUMNS}) VALUES ('delete', old.id, ${OLD});
  END`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER messages_fts_update_new AFTER UPDATE ON messages WHEN new.is_acars = 1 BEGIN
    INSERT INTO messages_fts (rowid, ${COLUMNS}) VALUES (new.id, ${NEW});
  END`)
    .execute(db);
}
