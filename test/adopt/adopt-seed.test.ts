/**
 * The real ACARS Hub database (seed.db, revision a1b2c3d4e5f6) adopted: every row accounted for,
 * every value converted, the original untouched, the schema that of a fresh Contrail database.
 * Expectations are computed from the seed itself.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptDatabase } from '../../src/adopt/adopt-database.js';
import type { AdoptReport } from '../../src/adopt/adopt-report.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { DECODERS, seedCopy, sha256, type Row } from '../helpers/legacy-db.js';

let dir: string;
let source: string;
let output: string;
let before: string;
let report: AdoptReport;
let legacy: Database.Database;
let adopted: Database.Database;
const steps = new Set<string>();

beforeAll(async () => {
  ({ dir, path: source } = seedCopy());
  output = join(dir, 'contrail.sqlite');
  before = sha256(source);
  report = await adoptDatabase(source, { output, onProgress: (p) => steps.add(p.step), chunkRows: 500 });
  legacy = new Database(source, { readonly: true });
  adopted = new Database(output, { readonly: true });
});

afterAll(() => {
  legacy?.close();
  adopted?.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (db: Database.Database, sql: string): number => db.prepare(sql).pluck().get() as number;
const all = (db: Database.Database, sql: string): Row[] => db.prepare(sql).all() as Row[];
const extraOf = (m: Row): Record<string, unknown> => (JSON.parse(m.extra as string) as { acarshub: Record<string, unknown> }).acarshub;

describe('adopting seed.db', () => {
  it('leaves the original byte-identical and no temporary file behind', () => {
    expect(sha256(source)).toBe(before);
    expect(readdirSync(dir).filter((f) => f.includes('adopting'))).toEqual([]);
  });

  it('recognizes the generation and revision, and says what it did not carry and why', () => {
    expect(report.generation).toBe(2);
    expect(report.revision).toBe(legacy.prepare('SELECT version_num FROM alembic_version').pluck().get());
    const skipped = Object.fromEntries(report.notCarried.map((n) => [n.table, n.rows]));
    for (const t of ['__drizzle_migrations', 'sqlite_stat1', 'sqlite_stat4', 'alembic_version', 'sqlite_sequence', 'messages_fts']) {
      expect(skipped[t], t).toBe(count(legacy, `SELECT count(*) FROM "${t}"`));
    }
    for (const n of report.notCarried) expect(n.why.length, n.table).toBeGreaterThan(10);
    expect(report.warnings).toEqual([]);
    expect([...steps]).toEqual(expect.arrayContaining(['copy', 'messages', 'alert matches', 'time series', 'full-text index', 'verify']));
  });

  it('accounts for every legacy row: before = after + rejected + merged, and none were lost', () => {
    const legacyRows = (t: string): number => count(legacy, `SELECT count(*) FROM ${t}`);
    for (const t of report.tables) {
      expect(t.before, t.from).toBe(legacyRows(t.from));
      expect(t.before, t.from).toBe(t.after + t.rejected + t.merged);
    }
    // The seed is clean: nothing rejected, nothing merged.
    expect(report.rejects).toEqual([]);
    expect(count(adopted, 'SELECT count(*) FROM rejects')).toBe(0);
    expect(count(adopted, 'SELECT count(*) FROM messages')).toBe(legacyRows('messages'));
    expect(count(adopted, 'SELECT count(*) FROM alert_matches')).toBe(legacyRows('alert_matches'));
    expect(count(adopted, 'SELECT count(*) FROM alert_terms')).toBe(legacyRows('alert_stats'));
    expect(count(adopted, 'SELECT count(*) FROM timeseries')).toBe(legacyRows('timeseries_stats'));
    for (const d of DECODERS) {
      expect(count(adopted, `SELECT coalesce(sum(count), 0) FROM level_${d}`), d).toBe(count(legacy, `SELECT coalesce(sum(count), 0) FROM level_${d}`));
      expect(count(adopted, `SELECT coalesce(sum(count), 0) FROM freqs_${d}`), d).toBe(count(legacy, `SELECT coalesce(sum(count), 0) FROM freqs_${d}`));
    }
    expect(report.contrail.messages).toBe(legacyRows('messages'));
  });

  it('converts every message: types, MHz frequencies, hex ICAO, NAK, numbers, NULL for empty text', () => {
    const old = new Map(all(legacy, 'SELECT * FROM messages').map((m) => [m.id, m]));
    const rows = all(adopted, 'SELECT * FROM messages ORDER BY id');
    expect(rows.length).toBe(old.size);
    const nullIfEmpty = (v: unknown): unknown => (v === '' ? null : v);
    for (const m of rows) {
      const o = old.get(m.id)!;
      const f = o.freq as string;
      const where = `message ${String(m.id)}`;
      expect(m.type, where).toBe(o.message_type);
      expect(m.msg_time, where).toBe(o.msg_time);
      // The seed's only dotless frequency is VHF "1290000" (129.0 MHz padded to seven characters).
      expect(m.freq, where).toBe(f.includes('.') ? Number(f) : Number(f) / 10_000);
      expect(m.icao, where).toBe(nullIfEmpty(o.icao));
      expect(m.ack, where).toBe(o.ack === 'false' ? '!' : nullIfEmpty(o.ack));
      expect(m.level, where).toBe(Number(o.level));
      expect(m.error, where).toBe(Number(o.error));
      for (const c of ['lat', 'lon', 'alt'] as const) expect(m[c], `${where} ${c}`).toBe(o[c] === '' ? null : Number(o[c]));
      for (const c of ['station_id', 'tail', 'flight', 'label', 'mode', 'block_id', 'msgno', 'depa', 'dsta'] as const) {
        expect(m[c], `${where} ${c}`).toBe(nullIfEmpty(o[c]));
      }
      expect(m.text, where).toBe(nullIfEmpty(o.msg_text));
      expect(m.is_acars, where).toBe(o.label !== '' || o.msg_text !== '' ? 1 : 0);
      expect(m.decoded === null ? null : JSON.parse(m.decoded as string), where).toEqual(o.libacars === '' ? null : { libacars: JSON.parse(o.libacars as string) });
      expect(extraOf(m).uid, where).toBe(o.uid);
      expect(m.journal_end, where).toBeNull();
      expect(m.frame_index, where).toBeNull();
      expect(m.received_at, where).toBe((o.msg_time as number) * 1000);
    }
  });

  it('spot checks: a padded frequency, a NAK, a CPDLC message with its addresses, a hex ICAO of digits', () => {
    const padded = legacy.prepare("SELECT id FROM messages WHERE freq = '1290000' AND ack = 'false' ORDER BY id LIMIT 1").pluck().get();
    expect(adopted.prepare('SELECT freq, ack, type FROM messages WHERE id = ?').get(padded)).toEqual({ freq: 129, ack: '!', type: 'ACARS' });

    const cpdlc = legacy.prepare("SELECT * FROM messages WHERE libacars LIKE '%WILCO%' ORDER BY id LIMIT 1").get() as Row;
    const m = adopted.prepare('SELECT * FROM messages WHERE id = ?').get(cpdlc.id) as Row;
    expect(m.type).toBe('VDL-M2');
    expect(m.freq).toBe(Number(cpdlc.freq));
    expect(m.src_addr).toBe(Number(cpdlc.fromaddr).toString(16).toUpperCase().padStart(6, '0'));
    expect(m.dst_addr).toBe(Number(cpdlc.toaddr).toString(16).toUpperCase().padStart(6, '0'));
    expect((JSON.parse(m.decoded as string) as { libacars: { msg_type: string } }).libacars.msg_type).toBe('fans1a_cpdlc_msg');
    expect(extraOf(m).is_onground).toBe(cpdlc.is_onground);

    // After revision 3168c906fb9e an ICAO of digits only is hex already.
    const digits = legacy.prepare("SELECT id, icao FROM messages WHERE icao != '' AND icao NOT GLOB '*[A-F]*' LIMIT 1").get() as Row;
    expect(adopted.prepare('SELECT icao FROM messages WHERE id = ?').pluck().get(digits.id)).toBe(digits.icao);

    const hf = legacy.prepare("SELECT id, freq FROM messages WHERE message_type = 'HFDL' AND freq LIKE '%00' LIMIT 1").get() as Row;
    expect(adopted.prepare('SELECT freq FROM messages WHERE id = ?').pluck().get(hf.id)).toBe(Number(hf.freq));
  });

  it('keeps alert matches pointing at the same messages, with terms and hit counts', () => {
    const expected = all(legacy, 'SELECT a.id, m.id AS message_id, a.term, a.match_type AS field, a.matched_at FROM alert_matches a JOIN messages m ON m.uid = a.message_uid ORDER BY a.id');
    expect(all(adopted, 'SELECT id, message_id, term, field, matched_at FROM alert_matches ORDER BY id')).toEqual(expected);
    expect(all(adopted, 'SELECT term, hits FROM alert_terms ORDER BY term')).toEqual(all(legacy, 'SELECT term, count AS hits FROM alert_stats ORDER BY term'));
    expect(all(adopted, 'SELECT DISTINCT is_regex FROM alert_terms')).toEqual([{ is_regex: 0 }]);
  });

  it('carries levels, frequencies in MHz, the time series with its steps, and the counters', () => {
    for (const d of DECODERS) {
      expect(all(adopted, `SELECT level, count FROM level_${d} ORDER BY level`), d).toEqual(all(legacy, `SELECT level, sum(count) AS count FROM level_${d} GROUP BY level ORDER BY level`));
    }
    const freqs = all(adopted, 'SELECT freq, count FROM freqs_acars ORDER BY freq');
    const legacyFreqs = all(legacy, 'SELECT freq, count FROM freqs_acars').map((f) => {
      const t = f.freq as string;
      return { freq: t.includes('.') ? Number(t) : Number(t) / 10_000, count: f.count };
    });
    expect(freqs).toEqual(legacyFreqs.sort((a, b) => a.freq - b.freq));

    const steps: Record<string, number> = { '1min': 60, '5min': 300, '1hour': 3600, '6hour': 21600 };
    for (const [resolution, step] of Object.entries(steps)) {
      const legacyRows = all(legacy, `SELECT timestamp AS start, acars_count AS acars, vdlm_count AS vdlm2, hfdl_count AS hfdl, imsl_count AS imsl, irdm_count AS irdm, total_count AS total, error_count AS errors FROM timeseries_stats WHERE resolution = '${resolution}' ORDER BY timestamp`);
      expect(legacyRows.length, resolution).toBeGreaterThan(0);
      expect(all(adopted, `SELECT start, acars, vdlm2, hfdl, imsl, irdm, total, errors FROM timeseries WHERE step = ${step} ORDER BY start`), resolution).toEqual(legacyRows);
    }

    const c = legacy.prepare('SELECT * FROM count').get() as Row;
    const n = legacy.prepare('SELECT * FROM nonlogged_count').get() as Row;
    expect(Object.fromEntries(all(adopted, 'SELECT name, value FROM counters').map((r) => [r.name, r.value]))).toEqual({
      acarshub_total: c.total,
      acarshub_errors: c.errors,
      acarshub_good: c.good,
      acarshub_nonlogged_errors: n.errors,
      acarshub_nonlogged_good: n.good,
    });
  });

  it('indexes the adopted messages for full-text search', () => {
    const flights = count(legacy, "SELECT count(*) FROM messages WHERE flight = 'WN4899' AND (label != '' OR msg_text != '')");
    expect(flights).toBeGreaterThan(0);
    expect(count(adopted, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'flight:WN4899'")).toBe(flights);
  });

  it('counts the adopted messages per minute and decoder, as the writer counts what it stores', () => {
    expect(count(adopted, 'SELECT sum(messages) FROM counts_minute')).toBe(count(adopted, 'SELECT count(*) FROM messages'));
    expect(count(adopted, 'SELECT sum(errors) FROM counts_minute')).toBe(count(adopted, 'SELECT count(*) FROM messages WHERE error > 0'));
    const perMinute = all(adopted, 'SELECT minute, type, messages FROM counts_minute ORDER BY minute, type LIMIT 5');
    for (const r of perMinute) {
      const n = count(adopted, `SELECT count(*) FROM messages WHERE type = '${String(r.type)}' AND msg_time >= ${Number(r.minute)} AND msg_time < ${Number(r.minute) + 60}`);
      expect(n).toBe(r.messages);
    }
    expect(steps.has('minute counters')).toBe(true);
  });

  it('records the adoption with its report', () => {
    const rows = all(adopted, 'SELECT * FROM adoptions');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: source, generation: 'acarshub-2', revision: report.revision, started_at: report.startedAt });
    expect(JSON.parse(rows[0]!.report as string)).toEqual(report);
  });

  it('has exactly the schema of a fresh Contrail database', async () => {
    const freshPath = join(dir, 'fresh.sqlite');
    const fresh = openWriterDatabase(freshPath);
    await migrateToLatest(fresh);
    const schema = (db: Database.Database): Row[] => all(db, 'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name');
    expect(schema(adopted)).toEqual(schema(fresh));
    expect(schema(adopted).filter((r) => /^sqlite_(stat|sequence)/.test(r.name as string))).toEqual([]);
    for (const p of ['auto_vacuum', 'journal_mode', 'page_size', 'user_version']) {
      expect(adopted.pragma(p, { simple: true }), p).toEqual(fresh.pragma(p, { simple: true }));
    }
    fresh.close();
  });
});
