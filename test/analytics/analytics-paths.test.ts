/**
 * The two analytics paths on a real store: SQLite (counters and indexes) and the DuckDB mirror fed
 * from it give identical answers, and those answers are right by independent plain SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLUTIONS, TOP_FIELDS, type Range } from '../../src/analytics/analytics-types.js';
import { TOP_COLUMN } from '../../src/analytics/buckets.js';
import { compareAnalytics } from '../../src/analytics/compare-analytics.js';
import { DuckdbAnalytics } from '../../src/analytics/duckdb-analytics.js';
import { SqliteAnalytics, SQLITE_MATCHES_SQL, SQLITE_TIMELINE_SQL, sqliteRatesSql } from '../../src/analytics/sqlite-analytics.js';
import { openTempDatabase } from '../../bench/reference/support/temp-database.js';
import { openAnalyticsFixture, NOW, ROWS, type AnalyticsFixture } from './analytics-fixture.js';

const DAY = 86_400;
const WHOLE: Range = { from: NOW - 4 * DAY, to: NOW + 60 };
/** One hour, not on a minute boundary at either end. */
const SLICE: Range = { from: NOW - DAY + 1234.567, to: NOW - DAY + 1234.567 + 3600 };
const RANGES: Record<string, Range> = {
  'all the data': WHOLE,
  'an hour off the minute grid': SLICE,
  'a day on the day grid': { from: Math.floor((NOW - DAY) / DAY) * DAY, to: Math.floor((NOW - DAY) / DAY) * DAY + DAY },
  'an empty range (from = to)': { from: NOW - 3600, to: NOW - 3600 },
  'a range with no data': { from: NOW + DAY, to: NOW + 2 * DAY },
};

let f: AnalyticsFixture;
beforeAll(async () => {
  f = await openAnalyticsFixture();
});
afterAll(() => f?.dispose());

const count = (sql: string, ...params: unknown[]): number => f.db.prepare(sql).pluck().get(...params) as number;
const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);

describe('analytics paths', () => {
  it('mirrors every stored message and match', async () => {
    expect(count('SELECT count(*) FROM messages')).toBe(ROWS);
    expect(f.mirrored).toBe(ROWS);
    const duckCount = Number((await f.duck.runAndReadAll('SELECT count(*) FROM messages')).getRows()[0]![0]);
    expect(duckCount).toBe(ROWS);
    const matches = Number((await f.duck.runAndReadAll('SELECT count(*) FROM alert_matches')).getRows()[0]![0]);
    expect(matches).toBe(count('SELECT count(*) FROM alert_matches'));
    expect(new Set(f.db.prepare('SELECT DISTINCT term FROM alert_matches').pluck().all()).size).toBe(3);
  });

  for (const [name, range] of Object.entries(RANGES)) {
    it(`gives identical answers on both paths: ${name}`, async () => {
      expect(await compareAnalytics(f.sqlite, f.mirror, range)).toEqual([]);
    });
  }

  it('counts rates exactly, zero-filled, over whole buckets', async () => {
    for (const resolution of ['1m', '1h', '1d'] as const) {
      const step = RESOLUTIONS[resolution];
      const r = await f.sqlite.rates(WHOLE, resolution);
      const first = Math.floor(WHOLE.from / step) * step;
      const end = Math.ceil(WHOLE.to / step) * step;
      expect(r.step).toBe(step);
      expect(r.buckets.length).toBe((end - first) / step);
      expect(r.buckets[0]).toBe(first);
      expect(r.buckets.at(-1)).toBe(end - step);
      const types = f.db.prepare('SELECT DISTINCT type FROM messages').pluck().all() as string[];
      expect(r.series.map((s) => s.type).sort()).toEqual([...types].sort());
      for (const s of r.series) {
        expect(s.messages.length).toBe(r.buckets.length);
        expect(sum(s.messages)).toBe(count('SELECT count(*) FROM messages WHERE type = ? AND msg_time >= ? AND msg_time < ?', s.type, first, end));
        expect(sum(s.errors)).toBe(count('SELECT count(*) FROM messages WHERE type = ? AND error > 0 AND msg_time >= ? AND msg_time < ?', s.type, first, end));
      }
      // The day before the data is there, as zeros.
      if (step < DAY) expect(r.series.every((s) => s.messages[0] === 0)).toBe(true);
    }
    // Every decoder type present, in DECODER_TYPES order.
    expect((await f.sqlite.rates(WHOLE, '1h')).series.map((s) => s.type)).toEqual(['ACARS', 'VDL-M2', 'HFDL']);
  });

  it('widens an unaligned range to whole buckets', async () => {
    const r = await f.mirror.rates(SLICE, '1m');
    const first = Math.floor(SLICE.from / 60) * 60;
    expect(r.buckets.length).toBe(61);
    expect(r.buckets[0]).toBe(first);
    const total = sum(r.series.flatMap((s) => s.messages));
    expect(total).toBeGreaterThan(0);
    expect(total).toBe(count('SELECT count(*) FROM messages WHERE msg_time >= ? AND msg_time < ?', first, first + 61 * 60));
    const hourly = await f.sqlite.rates(SLICE, '1h');
    expect(hourly.buckets).toEqual([Math.floor(SLICE.from / 3600) * 3600, Math.floor(SLICE.from / 3600) * 3600 + 3600]);
  });

  it('files a time on a minute boundary in that minute, and one a hair under it in the previous', async () => {
    const exact = f.db.prepare('SELECT msg_time FROM messages WHERE msg_time = CAST(msg_time AS INTEGER) AND CAST(msg_time AS INTEGER) % 60 = 0 LIMIT 1').pluck().get() as number;
    expect(exact).toBeDefined();
    for (const a of [f.sqlite, f.mirror]) {
      const r = await a.rates({ from: exact, to: exact + 60 }, '1m');
      expect(r.buckets).toEqual([exact]);
      expect(sum(r.series.map((s) => s.messages[0]!))).toBe(count('SELECT count(*) FROM messages WHERE msg_time >= ? AND msg_time < ?', exact, exact + 60));
    }
  });

  it('gives signal percentiles and histograms matching the stored levels', async () => {
    const s = await f.mirror.signal(WHOLE);
    expect(s.decoders.length).toBeGreaterThan(0);
    for (const d of s.decoders) {
      const levels = f.db.prepare('SELECT level FROM messages WHERE type = ? AND level IS NOT NULL ORDER BY level').pluck().all(d.type) as number[];
      expect(d.count).toBe(levels.length);
      expect(sum(d.histogram.map(([, n]) => n))).toBe(levels.length);
      expect(d.histogram.map(([b]) => b)).toEqual([...new Set(levels.map((l) => Math.floor(l)))]);
      const rank = (p: number): number => levels[Math.max(1, Math.ceil((p * levels.length) / 100)) - 1]!;
      expect([d.p10, d.p50, d.p90]).toEqual([rank(10), rank(50), rank(90)]);
      expect(d.p10).toBeLessThanOrEqual(d.p50);
      expect(d.p50).toBeLessThanOrEqual(d.p90);
    }
  });

  it('counts frequencies per decoder', async () => {
    const r = await f.sqlite.frequencies(WHOLE);
    expect(r.decoders.length).toBeGreaterThan(0);
    for (const d of r.decoders) {
      expect(sum(d.freqs.map((x) => x.messages))).toBe(count('SELECT count(*) FROM messages WHERE type = ? AND freq IS NOT NULL', d.type));
      expect(d.freqs.map((x) => x.freq)).toEqual([...d.freqs.map((x) => x.freq)].sort((a, b) => a - b));
    }
  });

  it('ranks like a plain GROUP BY', async () => {
    for (const field of TOP_FIELDS) {
      const r = await f.mirror.top(WHOLE, field, 20);
      const column = TOP_COLUMN[field];
      const expected = f.db
        .prepare(`SELECT ${column} AS value, count(*) AS messages FROM messages WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY messages DESC, value LIMIT 20`)
        .all();
      expect(r.top, field).toEqual(expected);
      expect(r.top.length, field).toBeGreaterThan(0);
    }
    expect((await f.sqlite.top(WHOLE, 'station', 20)).top.map((x) => x.value)).toContain('ÉTÉ-Ü');
  });

  it('lists an aircraft timeline with gaps between consecutive messages', async () => {
    const { aircraft_id: id, n } = f.db
      .prepare('SELECT aircraft_id, count(*) AS n FROM messages WHERE aircraft_id IS NOT NULL GROUP BY aircraft_id ORDER BY n DESC, aircraft_id LIMIT 1')
      .get() as { aircraft_id: number; n: number };
    expect((await f.sqlite.topAircraft(WHOLE, 1))[0]).toEqual({ aircraftId: id, messages: n });
    const t = await f.sqlite.timeline(WHOLE, id);
    expect(t.messages.length).toBe(n);
    expect(n).toBeGreaterThan(2);
    expect(t.messages[0]!.gap).toBeNull();
    for (let i = 1; i < t.messages.length; i++) {
      const [prev, cur] = [t.messages[i - 1]!, t.messages[i]!];
      expect(cur.gap).toBe(cur.time - prev.time);
      expect(cur.time > prev.time || (cur.time === prev.time && cur.id > prev.id)).toBe(true);
    }
    // Within a sub-range the first message's gap is null again: gaps are within the range.
    const mid = t.messages[Math.floor(n / 2)]!;
    const tail = await f.mirror.timeline({ from: mid.time, to: WHOLE.to }, id);
    expect(tail.messages[0]!.gap).toBeNull();
  });

  it('counts alert hits per term and bucket', async () => {
    const r = await f.mirror.alertHits(WHOLE, '1h');
    expect(r.terms.map((t) => t.term)).toEqual(['EMERG', 'N8560Z', 'ÄLERT']);
    for (const t of r.terms) {
      expect(t.hits.length).toBe(r.buckets.length);
      expect(sum(t.hits)).toBe(count('SELECT count(*) FROM alert_matches WHERE term = ?', t.term));
    }
    const slice = await f.sqlite.alertHits(SLICE, '15m');
    expect(slice.buckets.length).toBe(5);
    const first = slice.buckets[0]!;
    expect(sum(slice.terms.flatMap((t) => t.hits))).toBe(count('SELECT count(*) FROM alert_matches WHERE matched_at >= ? AND matched_at < ?', first, first + 5 * 900));
  });

  it('reads rates from counts_minute only, and the other queries through their indexes', () => {
    const plan = (sql: string, ...params: unknown[]): string =>
      (f.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
    for (const step of Object.values(RESOLUTIONS)) {
      const p = plan(sqliteRatesSql(step), 0, step);
      expect(p).toMatch(/counts_minute/);
      expect(p).not.toMatch(/\bmessages\b/);
      expect(p).toMatch(/SEARCH counts_minute/);
    }
    expect(plan(SQLITE_TIMELINE_SQL, 1, 0, 1)).toMatch(/USING INDEX messages_aircraft \(aircraft_id=\?\)/);
    const matches = plan(SQLITE_MATCHES_SQL, 0, 1);
    expect(matches).toMatch(/alert_matches_term_time \(term=\? AND matched_at>\? AND matched_at<\?\)/);
    expect(matches).not.toMatch(/SCAN alert_matches|SCAN a\b/);
  });

  it('reports a difference when the mirror lacks a row', async () => {
    const other = await f.openMirror();
    try {
      const victim = Number((await other.conn.runAndReadAll('SELECT id FROM messages WHERE aircraft_id IS NOT NULL AND level IS NOT NULL ORDER BY id LIMIT 1 OFFSET 100')).getRows()[0]![0]);
      const faulty = new DuckdbAnalytics(other.conn);
      expect(await compareAnalytics(f.sqlite, faulty, WHOLE)).toEqual([]);
      await other.conn.run(`DELETE FROM messages WHERE id = ${victim}`);
      const diffs = await compareAnalytics(f.sqlite, faulty, WHOLE);
      expect(diffs.map((d) => d.query)).toContain('rates 1m');
      expect(diffs.map((d) => d.query)).toContain('signal');
      const rates = diffs.find((d) => d.query === 'rates 1m')!;
      expect(rates.path).toMatch(/^\$\.series\[\d+\]\.messages\[\d+\]$/);
      expect(rates.a).toBe((rates.b as number) + 1);
    } finally {
      other.close();
    }
  });

  it('counts a year-long range from the counters alone', async () => {
    const r = await f.sqlite.rates({ from: NOW - 365 * DAY, to: NOW }, '1h');
    expect(r.buckets.length).toBe(365 * 24 + 1);
    expect(sum(r.series.flatMap((s) => s.messages))).toBe(ROWS);
  });
});

describe('rates over a year of counters', () => {
  it('sums every minute of a year counted for three decoders (speed is measured in the benchmark, not here)', async () => {
    const temp = await openTempDatabase('analytics-year');
    try {
      const start = Math.floor((NOW - 365 * DAY) / 60) * 60;
      // 1.6 M counter rows, as a year of steady traffic on three decoders leaves them.
      temp.db
        .prepare(
          `WITH RECURSIVE m(x) AS (SELECT ? UNION ALL SELECT x + 60 FROM m WHERE x + 60 < ?)
           INSERT INTO counts_minute (minute, type, messages, errors, non_acars, duplicates)
           SELECT x, t.type, 1 + x % 7, x % 3, 0, 0 FROM m, (SELECT 'ACARS' AS type UNION ALL SELECT 'VDL-M2' UNION ALL SELECT 'HFDL') AS t`,
        )
        .run(start, NOW);
      const a = new SqliteAnalytics(temp.db);
      const total = temp.db.prepare('SELECT sum(messages) FROM counts_minute').pluck().get() as number;
      for (const resolution of ['1h', '1d'] as const) {
        const r = await a.rates({ from: NOW - 365 * DAY, to: NOW }, resolution);
        expect(sum(r.series.flatMap((s) => s.messages))).toBe(total);
        expect(r.series.map((s) => s.type)).toEqual(['ACARS', 'VDL-M2', 'HFDL']);
      }
    } finally {
      temp.dispose();
    }
  });
});
