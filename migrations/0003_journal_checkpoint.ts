/**
 * The journal checkpoint: the journal position up to which every batch is committed. The writer
 * updates it in the same transaction as each batch, so after any crash the database and the
 * checkpoint agree, and replay resumes exactly there.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql.raw('CREATE TABLE journal_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, updated_at INTEGER NOT NULL)').execute(db);
  await sql.raw('INSERT INTO journal_checkpoint (id, position, updated_at) VALUES (1, 0, 0)').execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql.raw('DROP TABLE journal_checkpoint').execute(db);
}
