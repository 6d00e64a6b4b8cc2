/**
 * ACARS Hub databases of every schema generation, built from the real seed database
 * (`../shared/legacy-db/seed.db`, revision a1b2c3d4e5f6) by undoing or redoing what each ACARS
 * Hub revision changed (shared ACARSHUB.md), plus, on request, rows that cannot be converted.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ALEMBIC_REVISIONS, type AlembicRevision } from '../../src/adopt/acarshub-revisions.js';

export type Row = Record<string, unknown>;

/** The seed as shipped; read through a private copy (opening it would touch its -shm). */
export const SEED_DB: string = fileURLToPath(new URL('../../../shared/legacy-db/seed.db', import.meta.url));

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A copy of the seed in a fresh temporary directory. */
export function seedCopy(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'contrail-adopt-'));
  const path = join(dir, 'acarshub.db');
  copyFileSync(SEED_DB, path);
  return { dir, path };
}

export interface Seed {
  messages: Row[];
  alertMatches: Row[];
  alertStats: Row[];
  ignoreTerms: Row[];
  levels: Record<string, Row[]>;
  freqs: Record<string, Row[]>;
  timeseries: Row[];
  count: Row[];
  nonlogged: Row[];
}

export const DECODERS = ['acars', 'vdlm2', 'hfdl', 'imsl', 'irdm'] as const;

let cached: Seed | null = null;

export function readSeed(): Seed {
  if (cached) return cached;
  const { dir, path } = seedCopy();
  const db = new Database(path, { readonly: true });
  const all = (sql: string): Row[] => db.prepare(sql).all() as Row[];
  cached = {
    messages: all('SELECT * FROM messages ORDER BY id'),
    alertMatches: all('SELECT * FROM alert_matches ORDER BY id'),
    alertStats: all('SELECT * FROM alert_stats ORDER BY id'),
    ignoreTerms: all('SELECT * FROM ignore_alert_terms ORDER BY id'),
    levels: Object.fromEntries(DECODERS.map((d) => [d, all(`SELECT * FROM level_${d} ORDER BY id`)])),
    freqs: Object.fromEntries(DECODERS.map((d) => [d, all(`SELECT * FROM freqs_${d} ORDER BY id`)])),
    timeseries: all('SELECT * FROM timeseries_stats ORDER BY id'),
    count: all('SELECT * FROM count'),
    nonlogged: all('SELECT * FROM nonlogged_count'),
  };
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return cached;
}

export interface LegacySpec {
  /** null: the Python era before Alembic (no alembic_version). */
  revision: AlembicRevision | null;
  /** Python era only: the oldest databases have no message_type column. Default true. */
  messageType?: boolean;
  /**
   * Before 171fe2c07bd9: how many alert-matched messages ACARS Hub had already pruned from
   * `messages` while their copies stayed in messages_saved. Default 0.
   */
  pruneMatched?: number;
  /** Add rows that cannot be converted (see BAD). Default false. */
  bad?: boolean;
}

const at = (r: AlembicRevision | null, from: AlembicRevision): boolean => r !== null && ALEMBIC_REVISIONS.indexOf(r) >= ALEMBIC_REVISIONS.indexOf(from);

const TEXT_COLUMNS = [
  'station_id', 'toaddr', 'fromaddr', 'depa', 'dsta', 'eta', 'gtout', 'gtin', 'wloff', 'wlin', 'lat', 'lon', 'alt',
  'msg_text', 'tail', 'flight', 'icao', 'freq', 'ack', 'mode', 'label', 'block_id', 'msgno', 'is_response',
  'is_onground', 'error', 'libacars', 'level',
];

/** Ids of the deliberately bad messages, after the seed's last id. */
export function badIds(seed: Seed): { badTime: number; unknownType: number; badFields: number; nakAck: number } {
  const last = seed.messages.at(-1)!.id as number;
  return { badTime: last + 1, unknownType: last + 2, badFields: last + 3, nakAck: last + 4 };
}

function messageColumns(spec: LegacySpec): string[] {
  const r = spec.revision;
  return [
    'id',
    ...(spec.messageType === false ? [] : ['message_type']),
    'msg_time',
    ...TEXT_COLUMNS,
    ...(at(r, '204a67756b9a') && !at(r, '803398f85958') ? ['uid'] : []),
    ...(at(r, '40fd0618348d') ? ['aircraft_id'] : []),
  ];
}

function messagesDdl(table: string, columns: string[], spec: LegacySpec): string {
  const defs = columns.map((c) => {
    if (c === 'id') return 'id INTEGER NOT NULL PRIMARY KEY';
    // The oldest Python schema declared the time as text.
    if (c === 'msg_time') return spec.messageType === false ? 'msg_time VARCHAR(32) NOT NULL' : 'msg_time INTEGER NOT NULL';
    if (c === 'aircraft_id') return 'aircraft_id VARCHAR(36)';
    if (c === 'msg_text' || c === 'libacars') return `${c} TEXT NOT NULL`;
    return `${c} VARCHAR(32) NOT NULL`;
  });
  return `CREATE TABLE ${table} (${defs.join(', ')})`;
}

/** 6-digit hex (the seed's form) back to the decimal text ACARS Hub stored before 3168c906fb9e. */
export function icaoAsDecimal(hex: string): string {
  return hex === '' ? '' : String(parseInt(hex, 16));
}

/** What Python's str(float) made of a frequency: "131.55", "129.0". */
export function pythonFreq(text: string): string {
  if (text === '') return '';
  const mhz = text.includes('.') ? Number(text) : Number(text) / 10_000; // the seed's one dotless form is VHF "1290000"
  return Number.isInteger(mhz) ? mhz.toFixed(1) : String(mhz);
}

/** A seed message row as the given generation stored it. */
function asStored(m: Row, spec: LegacySpec): Row {
  const out: Row = { ...m };
  if (spec.revision === null || !at(spec.revision, '3168c906fb9e')) out.icao = icaoAsDecimal(m.icao as string);
  if (spec.revision === null) out.freq = pythonFreq(m.freq as string);
  if (spec.messageType === false) out.msg_time = `${m.msg_time as number}.0`;
  return out;
}

function insertAll(db: Database.Database, table: string, columns: string[], rows: Row[]): void {
  const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
  for (const r of rows) insert.run(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
}

function badMessages(seed: Seed, spec: LegacySpec): Row[] {
  const ids = badIds(seed);
  const base: Row = Object.fromEntries(TEXT_COLUMNS.map((c) => [c, '']));
  const common = { ...base, message_type: 'ACARS', uid: '', aircraft_id: null, station_id: 'TEST', label: 'H1', msg_text: 'BAD ROW', freq: '131.550', error: '0', level: '-10.0' };
  return [
    { ...common, id: ids.badTime, msg_time: 'not-a-time', uid: 'bad-time-uid' },
    { ...common, id: ids.unknownType, msg_time: 1717200000, message_type: 'FOO', freq: 'abc', uid: 'unknown-type-uid' },
    { ...common, id: ids.badFields, msg_time: 1717200001, freq: 'abc', level: 'n/a', lat: 'north', icao: 'XYZ123', error: 'x', libacars: '{not json', uid: 'bad-fields-uid' },
    { ...common, id: ids.nakAck, msg_time: 1717200002, freq: '1310000', ack: 'false', icao: spec.revision === null || !at(spec.revision, '3168c906fb9e') ? '11268872' : 'ABF308', uid: 'nak-uid' },
  ].map((r) => (spec.messageType === false ? { ...r, msg_time: typeof r.msg_time === 'number' ? `${r.msg_time}.0` : r.msg_time } : r));
}

/** Builds the database at `path` and returns what it holds, for the tests to derive expectations. */
export function buildLegacyDb(path: string, spec: LegacySpec): void {
  const seed = readSeed();
  const r = spec.revision;
  const db = new Database(path);
  const columns = messageColumns(spec);
  const bad = spec.bad ?? false;

  const byUid = new Map(seed.messages.map((m) => [m.uid as string, m]));
  const matched = [...new Set(seed.alertMatches.map((a) => a.message_uid as string))];
  const savedEra = !at(r, '171fe2c07bd9');
  const pruned = new Set(savedEra ? matched.slice(0, spec.pruneMatched ?? 0) : []);

  db.transaction(() => {
    if (r !== null) {
      db.exec('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num))');
      db.prepare('INSERT INTO alembic_version VALUES (?)').run(r);
    }
    db.exec(messagesDdl('messages', columns, spec));
    const messages = seed.messages.filter((m) => !pruned.has(m.uid as string)).map((m) => asStored(m, spec));
    insertAll(db, 'messages', columns, bad ? [...messages, ...badMessages(seed, spec)] : messages);

    if (savedEra) {
      const savedColumns = [...columns.filter((c) => c !== 'uid' && c !== 'aircraft_id'), 'term', 'type_of_match'];
      db.exec(messagesDdl('messages_saved', savedColumns, spec));
      const saved = seed.alertMatches.map((a, i) => ({ ...asStored(byUid.get(a.message_uid as string)!, spec), id: i + 1, term: a.term, type_of_match: a.match_type }));
      if (bad) {
        const [badTime] = badMessages(seed, spec);
        saved.push({ ...badTime!, id: saved.length + 1, term: 'BAD', type_of_match: 'text' });
      }
      insertAll(db, 'messages_saved', savedColumns, saved);
    } else if (!at(r, '803398f85958')) {
      db.exec('CREATE TABLE alert_matches (id INTEGER NOT NULL PRIMARY KEY, message_uid VARCHAR(36) NOT NULL, term VARCHAR(32) NOT NULL, match_type VARCHAR(32) NOT NULL, matched_at INTEGER NOT NULL)');
      const rows = [...seed.alertMatches];
      if (bad) {
        rows.push({ id: rows.length + 1, message_uid: 'no-such-uid', term: 'WN4899', match_type: 'text', matched_at: 1717200000 });
        rows.push({ id: rows.length + 1, message_uid: 'bad-time-uid', term: 'BAD', match_type: 'text', matched_at: 1717200000 });
      }
      insertAll(db, 'alert_matches', ['id', 'message_uid', 'term', 'match_type', 'matched_at'], rows);
    } else {
      db.exec('CREATE TABLE alert_matches (id INTEGER NOT NULL PRIMARY KEY, term VARCHAR(32) NOT NULL, match_type VARCHAR(32) NOT NULL, matched_at INTEGER NOT NULL, message_id INTEGER)');
      const rows: Row[] = seed.alertMatches.map((a) => ({ ...a, message_id: byUid.get(a.message_uid as string)!.id }));
      if (bad) {
        const ids = badIds(seed);
        rows.push({ id: rows.length + 1, message_id: ids.nakAck + 100, term: 'WN4899', match_type: 'text', matched_at: 1717200000 });
        rows.push({ id: rows.length + 1, message_id: ids.badTime, term: 'BAD', match_type: 'text', matched_at: 1717200000 });
      }
      insertAll(db, 'alert_matches', ['id', 'message_id', 'term', 'match_type', 'matched_at'], rows);
    }

    db.exec('CREATE TABLE alert_stats (id INTEGER NOT NULL PRIMARY KEY, term VARCHAR(32), count INTEGER)');
    insertAll(db, 'alert_stats', ['id', 'term', 'count'], bad ? [...seed.alertStats, { id: 10, term: 'wn4899', count: 2 }, { id: 11, term: '', count: 1 }] : seed.alertStats);
    db.exec('CREATE TABLE ignore_alert_terms (id INTEGER NOT NULL PRIMARY KEY, term VARCHAR(32))');
    insertAll(db, 'ignore_alert_terms', ['id', 'term'], bad ? [...seed.ignoreTerms, { id: 1, term: 'TEST' }, { id: 2, term: '  ' }] : seed.ignoreTerms);

    db.exec('CREATE TABLE count (id INTEGER NOT NULL PRIMARY KEY, total INTEGER, errors INTEGER, good INTEGER)');
    insertAll(db, 'count', ['id', 'total', 'errors', 'good'], seed.count);
    db.exec('CREATE TABLE nonlogged_count (id INTEGER NOT NULL PRIMARY KEY, errors INTEGER, good INTEGER)');
    insertAll(db, 'nonlogged_count', ['id', 'errors', 'good'], seed.nonlogged);

    if (at(r, '0fc8b7cae596')) {
      for (const d of DECODERS) {
        db.exec(`CREATE TABLE level_${d} (id INTEGER NOT NULL PRIMARY KEY, level FLOAT, count INTEGER)`);
        const rows = [...seed.levels[d]!];
        if (bad && d === 'acars') {
          const first = rows[0]!;
          rows.push({ id: 9001, level: String(first.level), count: 5 }, { id: 9002, level: null, count: 1 });
        }
        insertAll(db, `level_${d}`, ['id', 'level', 'count'], rows);
      }
    } else {
      // One histogram for every decoder, as the Python era kept it.
      db.exec('CREATE TABLE level (id INTEGER NOT NULL PRIMARY KEY, level INTEGER, count INTEGER)');
      const sums = new Map<number, number>();
      for (const d of DECODERS) for (const l of seed.levels[d]!) sums.set(l.level as number, (sums.get(l.level as number) ?? 0) + (l.count as number));
      const rows: Row[] = [...sums].map(([level, count], i) => ({ id: i + 1, level, count }));
      if (bad) rows.push({ id: rows.length + 1, level: '', count: 7 });
      insertAll(db, 'level', ['id', 'level', 'count'], rows);
    }

    const freqType: Record<string, string> = { acars: 'ACARS', vdlm2: 'VDL-M2', hfdl: 'HFDL', imsl: 'IMSL', irdm: 'IRDM' };
    const freqText = (f: unknown): string => (r === null ? pythonFreq(f as string) : (f as string));
    if (at(r, 'a589d271a0a4')) {
      for (const d of DECODERS) {
        db.exec(`CREATE TABLE freqs_${d} (id INTEGER NOT NULL PRIMARY KEY, freq VARCHAR(32), count INTEGER)`);
        const rows = [...seed.freqs[d]!];
        if (bad && d === 'acars') rows.push({ id: 9001, freq: '129.0', count: 3 }, { id: 9002, freq: 'abc', count: 1 });
        insertAll(db, `freqs_${d}`, ['id', 'freq', 'count'], rows);
      }
    } else {
      db.exec('CREATE TABLE freqs (it INTEGER NOT NULL PRIMARY KEY, freq VARCHAR(32), freq_type VARCHAR(32), count INTEGER)');
      const rows: Row[] = DECODERS.flatMap((d) => seed.freqs[d]!.map((f) => ({ freq: freqText(f.freq), freq_type: freqType[d], count: f.count })));
      if (bad) rows.push({ freq: '129.0', freq_type: 'ACARS', count: 3 }, { freq: 'abc', freq_type: 'ACARS', count: 1 }, { freq: '131.55', freq_type: 'SATCOM', count: 1 });
      insertAll(db, 'freqs', ['it', 'freq', 'freq_type', 'count'], rows.map((x, i) => ({ ...x, it: i + 1 })));
    }

    if (at(r, '94d97e655180')) {
      db.exec("CREATE VIRTUAL TABLE messages_fts USING fts5(msg_text, tail, flight, icao, content='messages', content_rowid='id')");
      db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    }
    if (at(r, 'a1b2c3d4e5f6')) {
      const counts = ['acars_count', 'vdlm_count', 'hfdl_count', 'imsl_count', 'irdm_count', 'total_count', 'error_count'];
      if (!at(r, 'b6c7d8e9f0a1')) {
        db.exec(`CREATE TABLE timeseries_stats (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, resolution TEXT NOT NULL, ${counts.map((c) => `${c} INTEGER DEFAULT 0 NOT NULL`).join(', ')}, created_at INTEGER NOT NULL)`);
        const rows = [...seed.timeseries];
        if (bad) {
          const first = rows[0]!;
          rows.push({ ...first, id: rows.length + 1, total_count: 999 }, { ...first, id: rows.length + 2, resolution: '2min' });
        }
        insertAll(db, 'timeseries_stats', ['id', 'timestamp', 'resolution', ...counts, 'created_at'], rows);
      } else {
        // The v4 table: one row per minute, keyed by its timestamp; coarser rows were dropped.
        db.exec(`CREATE TABLE timeseries_stats (timestamp INTEGER PRIMARY KEY NOT NULL, ${counts.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(', ')})`);
        insertAll(db, 'timeseries_stats', ['timestamp', ...counts], seed.timeseries.filter((t) => t.resolution === '1min'));
      }
    }
    if (at(r, 'f0a1b2c3d4e5')) {
      db.exec('CREATE TABLE rrd_import_registry (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, file_hash TEXT NOT NULL UNIQUE, rrd_path TEXT NOT NULL, imported_at INTEGER NOT NULL, rows_imported INTEGER NOT NULL DEFAULT 0)');
      db.prepare('INSERT INTO rrd_import_registry (file_hash, rrd_path, imported_at, rows_imported) VALUES (?, ?, ?, ?)').run('ab'.repeat(32), '/run/acars/acarshub.rrd', 1771699268000, 4536);
    }
  })();
  db.close();
}
