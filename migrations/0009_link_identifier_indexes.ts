/**
 * Search by flight, tail or ICAO address. On ACARS rows the full-text index (messages_fts) already
 * finds them (its tail, flight and icao columns); link frames (is_acars = 0) are not in it, yet
 * they carry ICAO addresses (VDL-M2) and flight ids (HFDL logons). These partial indexes cover
 * exactly those rows, on the value search compares (upper case, spaces trimmed: dumphfdl pads
 * its flight ids), so a search by identifier is two index reads and never a table scan.
 *
 * Measured with the writer limit's corpus rows: three full indexes on these columns cost the
 * writer about 15-20% more CPU per row; these partial ones cost about 2% (only link frames,
 * about 30% of rows, get entries).
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const COLUMNS = ['icao', 'flight', 'tail'] as const;

export async function up(db: Db): Promise<void> {
  for (const c of COLUMNS) {
    await sql.raw(`CREATE INDEX messages_link_${c} ON messages (upper(trim(${c}))) WHERE is_acars = 0 AND ${c} IS NOT NULL`).execute(db);
  }
}

export async function down(db: Db): Promise<void> {
  for (const c of COLUMNS) await sql.raw(`DROP INDEX messages_link_${c}`).execute(db);
}
