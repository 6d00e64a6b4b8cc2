/**
 * The DuckDB hot mirror's tables: the columns of `messages` the analytics read (no text, no
 * payloads: the mirror answers counts, distributions and rankings, not searches), and the alert
 * matches. Column names are SQLite's, so one SELECT list reads them on either side.
 */

export interface MirrorColumn {
  name: string;
  /** DuckDB type. */
  duck: 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR';
}

export const MESSAGE_MIRROR_COLUMNS: readonly MirrorColumn[] = [
  { name: 'id', duck: 'BIGINT' },
  { name: 'type', duck: 'VARCHAR' },
  { name: 'msg_time', duck: 'DOUBLE' },
  { name: 'received_at', duck: 'BIGINT' },
  { name: 'station_id', duck: 'VARCHAR' },
  { name: 'freq', duck: 'DOUBLE' },
  { name: 'level', duck: 'DOUBLE' },
  { name: 'error', duck: 'INTEGER' },
  { name: 'is_acars', duck: 'INTEGER' },
  { name: 'icao', duck: 'VARCHAR' },
  { name: 'tail', duck: 'VARCHAR' },
  { name: 'flight', duck: 'VARCHAR' },
  { name: 'label', duck: 'VARCHAR' },
  { name: 'airline', duck: 'VARCHAR' },
  { name: 'aircraft_id', duck: 'BIGINT' },
  { name: 'decode_level', duck: 'VARCHAR' },
];

export const MATCH_MIRROR_COLUMNS: readonly MirrorColumn[] = [
  { name: 'id', duck: 'BIGINT' },
  { name: 'message_id', duck: 'BIGINT' },
  { name: 'term', duck: 'VARCHAR' },
  { name: 'field', duck: 'VARCHAR' },
  { name: 'matched_at', duck: 'DOUBLE' },
];

const columnsSql = (cols: readonly MirrorColumn[]): string => cols.map((c) => `${c.name} ${c.duck}`).join(', ');

/**
 * Idempotent. No primary key or index: DuckDB's Appender is fastest into a plain table, and the
 * queries scan ranges (ids and times arrive in order, so zone maps prune them). `mirror_state`
 * holds what the mirror covers.
 */
export const MIRROR_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS messages (${columnsSql(MESSAGE_MIRROR_COLUMNS)})`,
  `CREATE TABLE IF NOT EXISTS alert_matches (${columnsSql(MATCH_MIRROR_COLUMNS)})`,
  'CREATE TABLE IF NOT EXISTS mirror_state (key VARCHAR PRIMARY KEY, value DOUBLE)',
];

export const MESSAGE_SELECT = MESSAGE_MIRROR_COLUMNS.map((c) => c.name).join(', ');
export const MATCH_SELECT = MATCH_MIRROR_COLUMNS.map((c) => c.name).join(', ');
