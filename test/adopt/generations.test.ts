/**
 * Every ACARS Hub schema generation adopts: the Python era before Alembic (with and without
 * message_type), each Alembic revision of the Python backend, each revision of the v4 backend.
 * Each database is the seed rewritten into that generation's shape, plus rows that cannot be
 * converted; every expectation is derived from the legacy file the test built.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALEMBIC_REVISIONS, type AlembicRevision } from '../../src/adopt/acarshub-revisions.js';
import { adoptDatabase } from '../../src/adopt/adopt-database.js';
import type { AdoptReport } from '../../src/adopt/adopt-report.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { badIds, buildLegacyDb, readSeed, sha256, type LegacySpec, type Row } from '../helpers/legacy-db.js';

const at = (r: AlembicRevision | null, from: AlembicRevision): boolean => r !== null && ALEMBIC_REVISIONS.indexOf(r) >= ALEMBIC_REVISIONS.indexOf(from);

const SPECS: (LegacySpec & { name: string })[] = [
  { name: 'Python era, no message_type, decimal ICAO', revision: null, messageType: false, pruneMatched: 4, bad: true },
  { name: 'Python era with message_type, messages_saved, single level/freqs', revision: null, pruneMatched: 4, bad: true },
  ...ALEMBIC_REVISIONS.map((revision) => ({ name: `revision ${revision}`, revision, pruneMatched: 4, bad: true })),
];

let root: string;
let freshSchema: Row[];
const schemaOf = (db: Database.Database): Row[] => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all() as Row[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'contrail-adopt-gen-'));
  const fresh = openWriterDatabase(join(root, 'fresh.sqlite'));
  await migrateToLatest(fresh);
  freshSchema = schemaOf(fresh);
  fresh.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(SPECS)('$name', (spec) => {
  const seed = readSeed();
  const ids = badIds(seed);
  const hasType = spec.messageType !== false;
  let source: string;
  let sum: string;
  let report: AdoptReport;
  let legacy: Database.Database;
  let adopted: Database.Database;
  const q = (db: Database.Database, sql: string, ...args: unknown[]): unknown => db.prepare(sql).pluck().get(...args);
  const rows = (db: Database.Database, sql: string, ...args: unknown[]): Row[] => db.prepare(sql).all(...args) as Row[];
  const rejectsOf = (table: string): Row[] => rows(adopted, 'SELECT reason, detail, raw FROM rejects WHERE source = ? ORDER BY id', `adopt:${table}`);
  const rawOf = (r: Row): Row => JSON.parse((r.raw as Buffer).toString('utf8')) as Row;

  beforeAll(async () => {
    const dir = mkdtempSync(join(root, 'g-'));
    source = join(dir, 'acarshub.db');
    buildLegacyDb(source, spec);
    sum = sha256(source);
    report = await adoptDatabase(source, { output: join(dir, 'contrail.sqlite'), chunkRows: 300 });
    legacy = new Database(source, { readonly: true });
    adopted = new Database(join(dir, 'contrail.sqlite'), { readonly: true });
  });
  afterAll(() => {
    legacy?.close();
    adopted?.close();
  });

  it('is recognized, and the original is unchanged', () => {
    expect(sha256(source)).toBe(sum);
    expect(report.revision).toBe(spec.revision);
    const v4 = at(spec.revision, 'c3d4e5f6a1b2');
    expect(report.generation).toBe(spec.revision === null ? 1 : v4 ? 3 : 2);
    expect(report.warnings).toEqual([]);
    expect(schemaOf(adopted)).toEqual(freshSchema);
  });

  it('accounts for every legacy row', () => {
    for (const t of report.tables) {
      expect(t.before, t.from).toBe(t.after + t.rejected + t.merged);
      if (t.to !== 'messages' || t.from === 'messages') expect(t.before, t.from).toBe(q(legacy, `SELECT count(*) FROM "${t.from}"`));
    }
    const rejected = (from: string): number => report.tables.find((t) => t.from === from)?.rejected ?? 0;
    const fromSaved = report.tables.find((t) => t.from === 'messages_saved' && t.to === 'messages')?.after ?? 0;
    expect(q(adopted, 'SELECT count(*) FROM messages')).toBe((q(legacy, 'SELECT count(*) FROM messages') as number) - rejected('messages') + fromSaved);
    expect(q(adopted, 'SELECT count(*) FROM rejects')).toBe(report.rejects.reduce((n, r) => n + r.rows, 0));
    // Histograms: every count is in a Contrail row or in a reject.
    const rejectedCounts = (table: string): number => rejectsOf(table).reduce((n, r) => n + Number(rawOf(r).count ?? 0), 0);
    const levelTables = at(spec.revision, '0fc8b7cae596') ? ['level_acars', 'level_vdlm2', 'level_hfdl', 'level_imsl', 'level_irdm'] : ['level'];
    const legacyLevels = levelTables.reduce((n, t) => n + (q(legacy, `SELECT coalesce(sum(count), 0) FROM ${t}`) as number), 0);
    const levelsIn = at(spec.revision, '0fc8b7cae596') ? levelTables : ['level_unsplit'];
    const adoptedLevels = levelsIn.reduce((n, t) => n + (q(adopted, `SELECT coalesce(sum(count), 0) FROM ${t}`) as number), 0);
    expect(adoptedLevels + levelTables.reduce((n, t) => n + rejectedCounts(t), 0)).toBe(legacyLevels);
    const freqTables = at(spec.revision, 'a589d271a0a4') ? ['freqs_acars', 'freqs_vdlm2', 'freqs_hfdl', 'freqs_imsl', 'freqs_irdm'] : ['freqs'];
    const legacyFreqs = freqTables.reduce((n, t) => n + (q(legacy, `SELECT coalesce(sum(count), 0) FROM ${t}`) as number), 0);
    const adoptedFreqs = ['acars', 'vdlm2', 'hfdl', 'imsl', 'irdm'].reduce((n, d) => n + (q(adopted, `SELECT coalesce(sum(count), 0) FROM freqs_${d}`) as number), 0);
    expect(adoptedFreqs + freqTables.reduce((n, t) => n + rejectedCounts(t), 0)).toBe(legacyFreqs);
  });

  it('keeps every seed message under its id, with its type, hex ICAO and MHz frequency', () => {
    const adoptedById = new Map(rows(adopted, 'SELECT id, type, icao, freq, extra FROM messages').map((m) => [m.id, m]));
    const present = new Set(rows(legacy, 'SELECT id FROM messages').map((r) => r.id));
    let checked = 0;
    for (const s of seed.messages) {
      if (!present.has(s.id)) continue;
      const m = adoptedById.get(s.id)!;
      const f = s.freq as string;
      expect(m.type, String(s.id)).toBe(s.message_type);
      expect(m.icao, String(s.id)).toBe(s.icao === '' ? null : s.icao);
      expect(m.freq, String(s.id)).toBe(f.includes('.') ? Number(f) : Number(f) / 10_000);
      const extra = m.extra === null ? {} : (JSON.parse(m.extra as string) as { acarshub: Row }).acarshub;
      expect(extra.type_inferred_from, String(s.id)).toBe(hasType ? undefined : 'freq');
      checked++;
    }
    expect(checked).toBe(q(legacy, 'SELECT count(*) FROM messages WHERE id <= ?', seed.messages.at(-1)!.id));
    if (!hasType) expect(report.notes.join('\n')).toMatch(/got the type their frequency belongs to/);
    if (spec.revision === null || !at(spec.revision, '3168c906fb9e')) expect(report.notes.join('\n')).toMatch(/ICAO address(es)? stored as decimal numbers became 6-digit hex/);
  });

  it('rejects the rows that cannot be converted, keeps what it can of the others', () => {
    const messageRejects = rejectsOf('messages').map((r) => ({ reason: r.reason, id: rawOf(r).id }));
    expect(messageRejects).toContainEqual({ reason: 'invalid-time', id: ids.badTime });
    expect(messageRejects).toContainEqual({ reason: 'unknown-type', id: ids.unknownType });
    const bad = adopted.prepare('SELECT * FROM messages WHERE id = ?').get(ids.badFields) as Row | undefined;
    if (hasType) {
      expect(bad).toMatchObject({ freq: null, level: null, lat: null, icao: null, error: null, decoded: null, text: 'BAD ROW' });
      expect((JSON.parse(bad!.extra as string) as { acarshub: Row }).acarshub).toMatchObject({ freq: 'abc', level: 'n/a', lat: 'north', icao: 'XYZ123', error: 'x', libacars: '{not json' });
    } else {
      // Without message_type, "abc" leaves nothing to tell the decoder by.
      expect(bad).toBeUndefined();
      expect(messageRejects).toContainEqual({ reason: 'unknown-type', id: ids.badFields });
    }
    expect(adopted.prepare('SELECT ack, freq, icao FROM messages WHERE id = ?').get(ids.nakAck)).toEqual({ ack: '!', freq: 131, icao: 'ABF308' });
    const raw = rawOf(rejectsOf('messages')[0]!);
    expect(raw).toEqual(legacy.prepare('SELECT * FROM messages WHERE id = ?').get(raw.id));
  });

  it('links every alert hit to its message', () => {
    const matches = rows(adopted, 'SELECT a.id, a.term, a.field, a.matched_at, m.msg_time, m.tail, m.flight, m.text FROM alert_matches a JOIN messages m ON m.id = a.message_id ORDER BY a.id');
    expect(matches.length).toBe(q(adopted, 'SELECT count(*) FROM alert_matches'));
    if (!at(spec.revision, '171fe2c07bd9')) {
      const saved = rows(legacy, 'SELECT * FROM messages_saved ORDER BY id');
      const rejected = rejectsOf('messages_saved');
      expect(matches.length + rejected.length).toBe(saved.length);
      // The copy of the message with a broken time has that broken time too.
      expect(rejected.map((r) => r.reason)).toEqual(['invalid-time']);
      const byId = new Map(matches.map((m) => [m.id, m]));
      for (const s of saved.filter((x) => byId.has(x.id))) {
        const m = byId.get(s.id)!;
        expect({ term: m.term, field: m.field, time: m.msg_time, tail: m.tail, text: m.text }, String(s.id)).toEqual({
          term: s.term,
          field: s.type_of_match,
          time: Number(s.msg_time),
          tail: s.tail === '' ? null : s.tail,
          text: s.msg_text === '' ? null : s.msg_text,
        });
      }
      // Copies whose message ACARS Hub had pruned became messages again, once each.
      const orphans = q(legacy, `SELECT count(*) FROM (SELECT DISTINCT msg_time, msg_text, tail, flight FROM messages_saved s WHERE NOT EXISTS
        (SELECT 1 FROM messages m WHERE m.msg_time = s.msg_time AND m.msg_text = s.msg_text AND m.tail = s.tail AND m.flight = s.flight))`);
      expect(orphans).toBeGreaterThan(0);
      expect(report.tables.find((t) => t.from === 'messages_saved' && t.to === 'messages')?.after).toBe(orphans);
      expect(q(adopted, "SELECT count(*) FROM messages WHERE extra LIKE '%messages_saved_id%'")).toBe(orphans);
    } else {
      const legacyMatches = rows(legacy, 'SELECT * FROM alert_matches ORDER BY id');
      expect(rejectsOf('alert_matches').map((r) => r.reason).sort()).toEqual(['message-not-found', 'message-rejected']);
      expect(matches.length + 2).toBe(legacyMatches.length);
      const seedMessage = new Map(seed.messages.map((m) => [m.uid, m]));
      const byId = new Map(matches.map((m) => [m.id, m]));
      for (const a of seed.alertMatches) {
        const m = byId.get(a.id)!;
        expect({ term: m.term, field: m.field, matched_at: m.matched_at, time: m.msg_time }).toEqual({
          term: a.term,
          field: a.match_type,
          matched_at: a.matched_at,
          time: seedMessage.get(a.message_uid)!.msg_time,
        });
      }
    }
  });

  it('merges terms that differ in case and rejects empty ones', () => {
    const hits = q(legacy, "SELECT sum(count) FROM alert_stats WHERE upper(term) = 'WN4899'");
    expect(q(adopted, "SELECT hits FROM alert_terms WHERE term = 'WN4899'")).toBe(hits);
    expect(report.tables.find((t) => t.from === 'alert_stats')?.merged).toBe(1);
    expect(rejectsOf('alert_stats').map((r) => r.reason)).toEqual(['empty-term']);
    expect(rows(adopted, 'SELECT term FROM ignore_terms')).toEqual([{ term: 'TEST' }]);
    expect(rejectsOf('ignore_alert_terms').map((r) => r.reason)).toEqual(['empty-term']);
  });

  it('carries the time series, merging duplicate buckets (the later row wins)', () => {
    if (!at(spec.revision, 'a1b2c3d4e5f6')) {
      expect(report.tables.some((t) => t.from === 'timeseries_stats')).toBe(false);
      return;
    }
    if (at(spec.revision, 'b6c7d8e9f0a1')) {
      expect(q(adopted, 'SELECT count(*) FROM timeseries WHERE step = 60')).toBe(q(legacy, 'SELECT count(*) FROM timeseries_stats'));
      expect(q(adopted, 'SELECT count(*) FROM timeseries WHERE step != 60')).toBe(0);
      return;
    }
    const known = "resolution IN ('1min', '5min', '1hour', '6hour')";
    expect(q(adopted, 'SELECT count(*) FROM timeseries')).toBe(q(legacy, `SELECT count(*) FROM (SELECT DISTINCT timestamp, resolution FROM timeseries_stats WHERE ${known})`));
    const latest = legacy.prepare(`SELECT timestamp, resolution, total_count FROM timeseries_stats WHERE id = (SELECT max(id) FROM timeseries_stats WHERE ${known} AND (timestamp, resolution) IN (SELECT timestamp, resolution FROM timeseries_stats GROUP BY 1, 2 HAVING count(*) > 1))`).get() as Row;
    expect(q(adopted, "SELECT total FROM timeseries WHERE step = 60 AND start = ?", latest.timestamp)).toBe(latest.total_count);
    expect(report.tables.find((t) => t.from === 'timeseries_stats')?.merged).toBe(1);
    expect(rejectsOf('timeseries_stats').map((r) => r.reason)).toEqual(['unknown-resolution']);
  });

  it('lists what it did not carry', () => {
    const skipped = report.notCarried.map((n) => n.table);
    if (at(spec.revision, 'f0a1b2c3d4e5')) expect(skipped).toContain('rrd_import_registry');
    if (at(spec.revision, '94d97e655180')) expect(skipped).toContain('messages_fts');
    expect(skipped.filter((t) => t.startsWith('messages_fts_'))).toEqual([]);
    if (spec.revision !== null) expect(skipped).toContain('alembic_version');
  });
});
