/**
 * `contrail export parquet` against a database written by the real writer (decoded corpus rows
 * re-timed over three UTC days), read back with DuckDB: every row and value of the range, one
 * directory per day, types, nulls; the out-directory rules; and the built CLI end to end.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContrail } from '../../bench/lib/engine-process.js';
import { decodeCorpusRows, packRetimed } from '../../bench/reference/support/corpus-rows.js';
import { openTempDatabase, type TempDatabase } from '../../bench/reference/support/temp-database.js';
import { parseTimeArg } from '../../src/cli/export-command.js';
import { DECODER_TYPES } from '../../src/decode/message.js';
import { ExportError, exportParquet } from '../../src/export/parquet-export.js';
import { DEFAULT_INTEL, MessageWriter } from '../../src/store/message-writer.js';

const DAY = 86_400;
/** 2026-01-10T00:00:00Z. */
const DAY0 = Date.UTC(2026, 0, 10) / 1000;
const ROWS = 9000;
/** Rows two by two share a time (ties at chunk boundaries), 57.6 s apart, a quarter second past: three whole days. */
const timeOf = (k: number): number => DAY0 + Math.floor(k / 2) * ((3 * DAY) / (ROWS / 2)) + 0.25;
/** Cuts the first and the last day. */
const SINCE = DAY0 + 6 * 3600;
const UNTIL = DAY0 + 2 * DAY + 18 * 3600;
const DAYS = ['day=2026-01-10', 'day=2026-01-11', 'day=2026-01-12'];

type Row = Record<string, unknown>;

/** DuckDB hands BIGINT back as bigint; SQLite's values are numbers. */
const plain = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));

async function duck<T = Row>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjects().map(plain) as T[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const parquet = (dir: string): string => `read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('exportParquet', () => {
  let temp: TempDatabase;
  let work: string;

  beforeAll(async () => {
    temp = await openTempDatabase('export');
    const templates = decodeCorpusRows();
    const sources = DECODER_TYPES.map((type) => ({ descriptor: `test:${type}`, type }));
    const writer = new MessageWriter(temp.db, sources, { ...DEFAULT_INTEL, dedupWindowS: 0 });
    for (let start = 0; start < ROWS; start += 1000) writer.writeBatch(packRetimed(templates, start, 1000, (k) => ({ msgTime: timeOf(start + k) })));
    // The writer's connection stays open and its WAL unmerged, as under a running engine.
    work = mkdtempSync(join(tmpdir(), 'contrail-export-test-'));
  });
  afterAll(() => {
    temp.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  const inRange = (sql: string, ...params: unknown[]): Row[] => temp.db.prepare(sql).all(SINCE, UNTIL, ...params) as Row[];

  it('writes every message of the range, value for value, one directory per UTC day', async () => {
    const out = join(work, 'full');
    const progress: number[] = [];
    // Odd chunks split the rows sharing a time; small parts give several files per day.
    const s = await exportParquet({ dbPath: temp.path, since: SINCE, until: UNTIL, out, chunkRows: 999, partRows: 1000, onProgress: (p) => progress.push(p.rows) });

    const expected = inRange('SELECT * FROM messages WHERE msg_time >= ? AND msg_time < ? ORDER BY id');
    expect(expected.length).toBeGreaterThan(ROWS / 2);
    expect(expected.length).toBeLessThan(ROWS);
    expect(s).toMatchObject({ out, rows: expected.length, days: 3 });
    expect(readdirSync(out).sort()).toEqual(DAYS);
    const files = filesUnder(out);
    expect(files.every((f) => /\/day=2026-01-1[012]\/part-\d{6}-0\.parquet$/.test(f))).toBe(true);
    expect(s.files).toBe(files.length);
    expect(s.files).toBeGreaterThan(3);
    expect(s.bytes).toBe(files.reduce((n, f) => n + statSync(f).size, 0));
    expect(progress.at(-1)).toBe(expected.length);

    // Every column of every row, nulls and fractional times included.
    const got = await duck(`SELECT * EXCLUDE (day) FROM ${parquet(out)} ORDER BY id`);
    expect(got).toEqual(expected);
    for (const col of ['tail', 'flight', 'text', 'level', 'label_decoded']) {
      const nulls = expected.filter((r) => r[col] === null).length;
      expect(nulls, col).toBeGreaterThan(0);
      expect(nulls, col).toBeLessThan(expected.length);
    }

    // Checksums computed by each engine on its own side.
    const sqliteSum = temp.db.prepare('SELECT sum(id) AS ids, sum(length(coalesce(text, \'\'))) AS text FROM messages WHERE msg_time >= ? AND msg_time < ?').get(SINCE, UNTIL);
    const [duckSum] = await duck(`SELECT sum(id) AS ids, sum(length(coalesce(text, ''))) AS text FROM ${parquet(out)}`);
    expect(duckSum).toEqual(sqliteSum);

    // The day column is the UTC day of msg_time, as SQLite's date() computes it.
    const perDay = inRange("SELECT date(msg_time, 'unixepoch') AS day, count(*) AS n FROM messages WHERE msg_time >= ? AND msg_time < ? GROUP BY 1 ORDER BY 1");
    expect(await duck(`SELECT strftime(day, '%Y-%m-%d') AS day, count(*) AS n FROM ${parquet(out)} GROUP BY 1 ORDER BY 1`)).toEqual(perDay);
    expect(await duck(`SELECT count(*) AS n FROM ${parquet(out)} WHERE day <> CAST(epoch_ms(CAST(floor(msg_time * 1000) AS BIGINT)) AS DATE)`)).toEqual([{ n: 0 }]);
  });

  it('keeps the column types: integers as integers, REAL as DOUBLE, TEXT and JSON as VARCHAR, day as DATE', async () => {
    const out = join(work, 'types');
    await exportParquet({ dbPath: temp.path, since: SINCE, until: UNTIL, out });
    const types = Object.fromEntries((await duck<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${parquet(out)}`)).map((c) => [c.column_name, c.column_type]));
    const columns = temp.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages') as string[];
    expect(Object.keys(types)).toEqual([...columns, 'day']);
    expect(types).toMatchObject({
      id: 'BIGINT',
      received_at: 'BIGINT',
      dedup_key: 'BIGINT',
      aircraft_id: 'BIGINT',
      is_acars: 'INTEGER',
      error: 'INTEGER',
      msg_time: 'DOUBLE',
      level: 'DOUBLE',
      freq: 'DOUBLE',
      text: 'VARCHAR',
      decoded: 'VARCHAR',
      label_decoded: 'VARCHAR',
      day: 'DATE',
    });
  });

  it('refuses a non-empty directory; with force replaces only the day directories it writes', async () => {
    const out = join(work, 'existing');
    mkdirSync(join(out, 'day=2026-01-11'), { recursive: true });
    mkdirSync(join(out, 'day=2020-01-01'), { recursive: true });
    writeFileSync(join(out, 'day=2026-01-11', 'stale.parquet'), 'old');
    writeFileSync(join(out, 'day=2020-01-01', 'keep.parquet'), 'old');
    writeFileSync(join(out, 'README.txt'), 'notes');
    const before = filesUnder(out).sort();

    await expect(exportParquet({ dbPath: temp.path, since: SINCE, until: UNTIL, out })).rejects.toThrow(/is not empty .*--force/);
    expect(filesUnder(out).sort()).toEqual(before);

    const s = await exportParquet({ dbPath: temp.path, since: SINCE, until: UNTIL, out, force: true });
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'day=2020-01-01', ...DAYS]);
    expect(existsSync(join(out, 'day=2026-01-11', 'stale.parquet'))).toBe(false);
    expect(existsSync(join(out, 'day=2020-01-01', 'keep.parquet'))).toBe(true);
    const [n] = await duck<{ n: number }>(`SELECT count(*) AS n FROM read_parquet('${out}/day=2026-*/*.parquet')`);
    expect(n!.n).toBe(s.rows);
  });

  it('writes nothing for an empty range or an interrupted export, and leaves no staging behind', async () => {
    const empty = join(work, 'empty');
    expect(await exportParquet({ dbPath: temp.path, since: DAY0 - 10 * DAY, until: DAY0, out: empty })).toMatchObject({ rows: 0, days: 0, files: 0 });
    expect(existsSync(empty)).toBe(false);

    const out = join(work, 'aborted');
    const abort = new AbortController();
    const run = exportParquet({ dbPath: temp.path, since: SINCE, until: UNTIL, out, chunkRows: 500, signal: abort.signal, onProgress: () => abort.abort() });
    await expect(run).rejects.toThrow(ExportError);
    await expect(run).rejects.toThrow(/interrupted; nothing was written/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out)).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses a value that does not fit its column type, naming the message and the column', async () => {
    const id = inRange('SELECT id FROM messages WHERE msg_time >= ? AND msg_time < ? ORDER BY id LIMIT 1')[0]!.id as number;
    const level = temp.db.prepare('SELECT level FROM messages WHERE id = ?').pluck().get(id);
    // SQLite keeps text that does not look like a number as text, even in a REAL column.
    temp.db.prepare("UPDATE messages SET level = 'weak' WHERE id = ?").run(id);
    try {
      const out = join(work, 'mistyped');
      await expect(exportParquet({ dbPath: temp.path, since: SINCE, until: UNTIL, out })).rejects.toThrow(`message ${id}: level holds string "weak", not a value of its declared type REAL`);
      expect(existsSync(out)).toBe(false);
    } finally {
      temp.db.prepare('UPDATE messages SET level = ? WHERE id = ?').run(level, id);
    }
  });

  it('runs as `contrail export parquet`: summary, default directory, JSON, and a clear refusal of a bad time', async () => {
    const dataDir = dirname(temp.path);
    const env = { CONTRAIL_DATA_DIR: dataDir };
    const since = '2026-01-10T06:00';
    const until = '2026-01-12T20:00:00+02:00';
    const expected = inRange('SELECT count(*) AS n FROM messages WHERE msg_time >= ? AND msg_time < ?')[0]!.n as number;

    const r = await runContrail(['export', 'parquet', '--since', since, '--until', until, '--no-progress'], env);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(dataDir, 'exports', 'parquet-20260110T060000Z-20260112T180000Z');
    expect(r.stdout).toMatch(new RegExp(`^exported ${expected} messages from 2026-01-10T06:00:00Z to 2026-01-12T18:00:00Z into ${dir}: 3 days, \\d+ files, [\\d.]+ KiB in [\\d.]+ s \\(\\d+ messages/s\\)\\n$`));
    expect(readdirSync(dir).sort()).toEqual(DAYS);

    // The same directory again: refused, exit 1, nothing changed.
    const again = await runContrail(['export', 'parquet', '--since', since, '--until', until], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty .*--force/);

    const out = join(work, 'cli-json');
    const j = await runContrail(['export', 'parquet', '--since', since, '--until', until, '--out', out, '--json'], env);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ out, rows: expected, days: 3, since: '2026-01-10T06:00:00Z', until: '2026-01-12T18:00:00Z' });

    const before = readdirSync(dataDir).sort();
    const exportsBefore = readdirSync(join(dataDir, 'exports')).sort();
    const bad = await runContrail(['export', 'parquet', '--since', 'yesterday'], env);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain('--since "yesterday"');
    expect(bad.stderr).toMatch(/30m, 24h, 7d.*ISO-8601/);
    const backwards = await runContrail(['export', 'parquet', '--since', '2026-01-12', '--until', '2026-01-11'], env);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/--since 2026-01-12T00:00:00Z is not before --until 2026-01-11T00:00:00Z/);
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(readdirSync(join(dataDir, 'exports')).sort()).toEqual(exportsBefore);
  });
});

describe('parseTimeArg', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0, 0, 700);
  const at = (iso: string): number => Date.parse(iso) / 1000;

  it('takes durations back from now, now, all, and ISO-8601 dates and times (UTC without an offset)', () => {
    expect(parseTimeArg('--since', '7d', now)).toBe(at('2026-01-03T12:00:00Z'));
    expect(parseTimeArg('--since', '24h', now)).toBe(at('2026-01-09T12:00:00Z'));
    expect(parseTimeArg('--since', '30m', now)).toBe(at('2026-01-10T11:30:00Z'));
    expect(parseTimeArg('--since', '2w', now)).toBe(at('2025-12-27T12:00:00Z'));
    expect(parseTimeArg('--until', 'now', now)).toBe(at('2026-01-10T12:00:00Z'));
    expect(parseTimeArg('--since', 'all', now)).toBe(0);
    expect(parseTimeArg('--since', '99999999d', now)).toBe(0);
    expect(parseTimeArg('--since', '2026-01-02', now)).toBe(at('2026-01-02T00:00:00Z'));
    expect(parseTimeArg('--since', '2026-01-02T06:30', now)).toBe(at('2026-01-02T06:30:00Z'));
    expect(parseTimeArg('--since', '2026-01-02 06:30:15.5', now)).toBe(at('2026-01-02T06:30:15.500Z'));
    expect(parseTimeArg('--since', '2026-01-02T06:30:00+02:00', now)).toBe(at('2026-01-02T04:30:00Z'));
    expect(parseTimeArg('--since', '2026-01-02T06:30:00-0530', now)).toBe(at('2026-01-02T12:00:00Z'));
  });

  it('refuses anything else, naming the option and the value and saying what is allowed', () => {
    for (const bad of ['yesterday', '7', '7 days', '-7d', '2026-02-30', '2026-13-01', '2026-01-02T24:00', '2026-01-02T06:60', '2026/01/02', 'Jan 2 2026', '']) {
      expect(() => parseTimeArg('--until', bad, now), bad).toThrow(`--until ${JSON.stringify(bad)}: expected a duration back from now (30m, 24h, 7d, 2w), an ISO-8601 date or time`);
    }
    expect(() => parseTimeArg('--until', 'all', now)).toThrow(/--until "all"/);
  });
});
