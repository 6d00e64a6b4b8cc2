/**
 * `created_at` of alert and ignore terms is epoch seconds. Terms adopted from ACARS Hub by an
 * earlier `contrail db adopt` were stamped in milliseconds; this divides those by 1000. A value
 * of at least 1e11 is milliseconds: in seconds it would be past the year 5000, in milliseconds it
 * is any date after March 1973, and every adoption ran later. Running it again changes nothing.
 * Down changes nothing: seconds are what every version reads, and which rows were milliseconds
 * is not recorded.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const MILLISECONDS = 100_000_000_000;

export async function up(db: Db): Promise<void> {
  for (const table of ['alert_terms', 'ignore_terms']) {
    await sql.raw(`UPDATE ${table} SET created_at = created_at / 1000 WHERE created_at >= ${MILLISECONDS}`).execute(db);
  }
}

export async function down(): Promise<void> {
  // Nothing to undo: see above.
}
