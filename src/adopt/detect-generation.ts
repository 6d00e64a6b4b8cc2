/**
 * Which ACARS Hub schema a database has. The shape (tables and columns actually present) decides
 * how each table is read, so a database whose history was patched by hand still adopts; the
 * revision in `alembic_version` is reported, decides the ICAO rule, and is checked against the
 * shape (a disagreement is a warning, not a failure).
 */
import type { Database } from 'better-sqlite3';
import { DECODER_TYPES, type DecoderType } from '../decode/message.js';
import { TABLE_SUFFIX } from '../store/decoder-tables.js';
import {
  ALEMBIC_REVISIONS,
  generationOf,
  icaoStoredAsDecimal,
  isKnownRevision,
  revisionAtLeast,
  type AlembicRevision,
  type Generation,
} from './acarshub-revisions.js';
import { LegacySchemaError } from './adopt-errors.js';

export interface DecoderTable {
  table: string;
  type: DecoderType;
}

export interface NotCarried {
  table: string;
  rows: number;
  why: string;
}

export interface LegacyShape {
  generation: Generation;
  revision: AlembicRevision | null;
  messageColumns: readonly string[];
  /** False for the oldest Python databases: the type is inferred from the frequency. */
  hasMessageType: boolean;
  icaoDecimal: boolean;
  /** Where alert hits are: denormalized copies, or alert_matches keyed by uid or by message id. */
  alerts: 'messages_saved' | 'alert_matches_uid' | 'alert_matches_id' | null;
  savedColumns: readonly string[];
  /** Per-decoder level tables, or the single Python-era `level` table. */
  levels: { split: DecoderTable[] } | { unsplit: 'level' } | null;
  /** Per-decoder freqs tables, or the single Python-era `freqs(it, freq, freq_type, count)`. */
  freqs: { split: DecoderTable[] } | { typed: 'freqs' } | null;
  /** timeseries_stats with a resolution column, or keyed by timestamp alone (1-minute rows). */
  timeseries: 'resolution' | 'timestamp' | null;
  alertTerms: boolean;
  ignoreTerms: boolean;
  count: boolean;
  nonloggedCount: boolean;
  notCarried: NotCarried[];
  warnings: string[];
}

/** Columns every generation's messages table has; without them it is not an ACARS Hub table. */
const REQUIRED_MESSAGE_COLUMNS = ['id', 'msg_time', 'msg_text', 'tail', 'flight', 'icao', 'freq', 'label'];
/** Tables only the Python era before Alembic (and e7991f1644b1) had. */
const PYTHON_ERA_TABLES = ['level', 'freqs', 'messages_saved', 'count', 'nonlogged_count', 'alert_stats', 'ignore_alert_terms'];

const SKIPPED: readonly [RegExp, string][] = [
  [/^alembic_version$/, 'the schema revision; recorded in adoptions.revision'],
  [/^messages_fts$/, "ACARS Hub's full-text index; Contrail builds its own over the adopted messages"],
  [/^__drizzle_migrations$/, "ACARS Hub's ORM migration bookkeeping"],
  [/^rrd_import_registry$/, 'hashes of the RRD files ACARS Hub imported into timeseries_stats, which is carried'],
  [/^sqlite_stat\d$/, "query-planner statistics of ACARS Hub's indexes; they describe the old schema only"],
  [/^sqlite_sequence$/, "AUTOINCREMENT counters of ACARS Hub's tables; the message ids themselves are kept"],
];

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function columnsOf(db: Database, table: string): string[] {
  try {
    return (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]) ?? [];
  } catch {
    return [];
  }
}

function rowCount(db: Database, table: string): number {
  try {
    return db.prepare(`SELECT count(*) FROM ${quote(table)}`).pluck().get() as number;
  } catch {
    return 0;
  }
}

function readRevision(db: Database, file: string): AlembicRevision {
  const ids = db.prepare('SELECT version_num FROM alembic_version').pluck().all() as unknown[];
  if (ids.length !== 1) {
    throw new LegacySchemaError(`${file}: alembic_version holds ${ids.length} rows; expected exactly one ACARS Hub revision id`);
  }
  const id = String(ids[0]).trim();
  if (!isKnownRevision(id)) {
    throw new LegacySchemaError(
      `${file}: revision ${JSON.stringify(id)} in alembic_version is not an ACARS Hub revision Contrail knows; expected one of ${ALEMBIC_REVISIONS.join(', ')} (or no alembic_version, for the Python era before Alembic). A newer ACARS Hub may have added it: adopt with a Contrail that knows it`,
    );
  }
  return id;
}

function decoderTables(tables: ReadonlySet<string>, prefix: string): DecoderTable[] {
  return DECODER_TYPES.map((type) => ({ table: `${prefix}_${TABLE_SUFFIX[type]}`, type })).filter((d) => tables.has(d.table));
}

/** The schema generation in words, as reports and messages name it. */
export function describeGeneration(shape: { generation: Generation; revision: string | null }): string {
  return shape.revision === null ? 'generation 1, before Alembic' : `generation ${shape.generation}, revision ${shape.revision}`;
}

/** Reads the shape of `db` (the adoption's private copy of `file`, which is named in messages). */
export function detectGeneration(db: Database, file: string): LegacyShape {
  const tableList = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const tables = new Set(tableList);
  const found = tableList.length === 0 ? 'no tables at all' : `tables ${tableList.join(', ')}`;
  const messageColumns = tables.has('messages') ? columnsOf(db, 'messages') : [];

  if (tables.has('kysely_migration') || (messageColumns.includes('received_at') && messageColumns.includes('is_acars'))) {
    throw new LegacySchemaError(`${file} is already a Contrail database; adopt takes an ACARS Hub database`);
  }
  if (!tables.has('messages')) {
    throw new LegacySchemaError(
      `${file} is not an ACARS Hub database: expected a messages table (${REQUIRED_MESSAGE_COLUMNS.join(', ')}, ...) beside alembic_version or the Python-era tables (${PYTHON_ERA_TABLES.join(', ')}); found ${found}`,
    );
  }
  const missing = REQUIRED_MESSAGE_COLUMNS.filter((c) => !messageColumns.includes(c));
  if (missing.length > 0) {
    throw new LegacySchemaError(
      `${file} is not an ACARS Hub database: its messages table lacks ${missing.join(', ')} (expected ${REQUIRED_MESSAGE_COLUMNS.join(', ')}, ...; found ${messageColumns.join(', ')})`,
    );
  }

  const splitLevels = decoderTables(tables, 'level');
  const splitFreqs = decoderTables(tables, 'freqs');
  let revision: AlembicRevision | null = null;
  if (tables.has('alembic_version')) {
    revision = readRevision(db, file);
  } else {
    const later = [...splitLevels.map((d) => d.table), ...splitFreqs.map((d) => d.table), 'alert_matches', 'timeseries_stats'].filter((t) => tables.has(t));
    if (messageColumns.includes('uid')) later.push('messages.uid');
    if (later.length > 0) {
      throw new LegacySchemaError(
        `${file} has no alembic_version, so it would be the Python era before Alembic, but it has ${later.join(', ')} from later revisions: its revision cannot be told. Expected either alembic_version with one of ${ALEMBIC_REVISIONS.join(', ')}, or only the Python-era tables (${PYTHON_ERA_TABLES.join(', ')})`,
      );
    }
    if (!PYTHON_ERA_TABLES.some((t) => tables.has(t))) {
      throw new LegacySchemaError(
        `${file} is not an ACARS Hub database: it has a messages table but neither alembic_version nor any Python-era table (${PYTHON_ERA_TABLES.join(', ')}); found ${found}`,
      );
    }
  }

  const warnings: string[] = [];
  const alertColumns = tables.has('alert_matches') ? columnsOf(db, 'alert_matches') : [];
  let alerts: LegacyShape['alerts'] = null;
  if (alertColumns.includes('message_id')) alerts = 'alert_matches_id';
  else if (alertColumns.includes('message_uid')) alerts = 'alert_matches_uid';
  else if (tables.has('messages_saved')) alerts = 'messages_saved';
  if (alerts === 'alert_matches_uid' && !messageColumns.includes('uid')) {
    warnings.push('alert_matches refers to messages by uid, but messages has no uid column: no match can be linked (each is rejected)');
  }

  const levels: LegacyShape['levels'] = splitLevels.length > 0 ? { split: splitLevels } : tables.has('level') ? { unsplit: 'level' } : null;
  const freqs: LegacyShape['freqs'] =
    splitFreqs.length > 0 ? { split: splitFreqs } : tables.has('freqs') && columnsOf(db, 'freqs').includes('freq_type') ? { typed: 'freqs' } : null;
  const timeseries: LegacyShape['timeseries'] = tables.has('timeseries_stats')
    ? columnsOf(db, 'timeseries_stats').includes('resolution')
      ? 'resolution'
      : 'timestamp'
    : null;

  if (revision !== null) {
    const expect = (implied: boolean, what: string, has: boolean): void => {
      if (implied !== has) warnings.push(`revision ${revision} implies ${implied ? '' : 'no '}${what}, but the file ${has ? 'has it' : 'does not have it'}; read as the file is`);
    };
    expect(revisionAtLeast(revision, '0fc8b7cae596'), 'per-decoder level tables', splitLevels.length > 0);
    expect(revisionAtLeast(revision, 'a589d271a0a4'), 'per-decoder freqs tables', splitFreqs.length > 0);
    expect(revisionAtLeast(revision, '171fe2c07bd9'), 'alert_matches', alertColumns.length > 0);
    expect(revisionAtLeast(revision, '803398f85958'), 'alert_matches.message_id', alerts === 'alert_matches_id');
    expect(revisionAtLeast(revision, 'a1b2c3d4e5f6'), 'timeseries_stats', timeseries !== null);
    if (timeseries !== null) expect(revisionAtLeast(revision, 'b6c7d8e9f0a1'), 'timeseries_stats keyed by timestamp alone', timeseries === 'timestamp');
  }

  const used = new Set(['messages', 'alert_stats', 'ignore_alert_terms', 'count', 'nonlogged_count', 'timeseries_stats']);
  if (alerts === 'messages_saved') used.add('messages_saved');
  if (alerts !== null && alerts !== 'messages_saved') used.add('alert_matches');
  if (levels) for (const t of 'split' in levels ? levels.split.map((d) => d.table) : [levels.unsplit]) used.add(t);
  if (freqs) for (const t of 'split' in freqs ? freqs.split.map((d) => d.table) : [freqs.typed]) used.add(t);
  // FTS5 shadow tables (<name>_data, _idx, ...) are reported with their virtual table.
  const virtual = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").pluck().all() as string[];
  const shadowOf = (t: string): string | undefined => virtual.find((v) => /^_(data|idx|docsize|config|content)$/.test(t.slice(v.length)) && t.startsWith(v));
  const notCarried: NotCarried[] = tableList
    .filter((t) => !used.has(t) && shadowOf(t) === undefined)
    .map((table) => ({
      table,
      rows: rowCount(db, table),
      why: SKIPPED.find(([re]) => re.test(table))?.[1] ?? 'not a table of any ACARS Hub schema Contrail knows; it stays in the original file',
    }));

  return {
    generation: generationOf(revision),
    revision,
    messageColumns,
    hasMessageType: messageColumns.includes('message_type'),
    icaoDecimal: icaoStoredAsDecimal(revision),
    alerts,
    savedColumns: alerts === 'messages_saved' ? columnsOf(db, 'messages_saved') : [],
    levels,
    freqs,
    timeseries,
    alertTerms: tables.has('alert_stats'),
    ignoreTerms: tables.has('ignore_alert_terms'),
    count: tables.has('count'),
    nonloggedCount: tables.has('nonlogged_count'),
    notCarried,
    warnings,
  };
}
