/**
 * Each message remembers the raw frame it came from: the journal position of its batch's end
 * and its index in the batch. `contrail redecode` uses it to rebuild messages from the journal.
 * NULL for messages that were never journaled (adopted from elsewhere).
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql.raw('ALTER TABLE messages ADD COLUMN journal_end INTEGER').execute(db);
  await sql.raw('ALTER TABLE messages ADD COLUMN frame_index INTEGER').execute(db);
  await sql.raw('CREATE INDEX messages_frame_ref ON messages (journal_end, frame_index)').execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql.raw('DROP INDEX messages_frame_ref').execute(db);
  await sql.raw('ALTER TABLE messages DROP COLUMN frame_index').execute(db);
  await sql.raw('ALTER TABLE messages DROP COLUMN journal_end').execute(db);
}
