/**
 * The two analytics paths side by side on the 1,000,000-message database: SQLite (a read-only
 * connection, as the analytics thread opens it) and the DuckDB hot mirror (built here from that
 * database with the real MirrorFeed, so its catch-up speed and file size are measured too).
 *
 *   node dist/bench/reference/analytics-queries.js [--runs N] [--budget-ms MS]
 *
 * Works on a copy of the cached database in a temp dir (the cache is never opened for writing).
 * The cached database has no alert matches, so the copy gets a few alert terms and the real
 * rescan first, so that alert hits have something to count.
 *
 * Every query runs over ranges of 1 hour, 1 day, 30 days and 1 year ending now, on both paths:
 * one warm-up run (which is also the memory run and the one compared), then timed runs, the
 * median reported. The data spans 7 days: the 30-day and 1-year ranges hold the same rows as a
 * 7-day range would (their rate and alert buckets are more and empty).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { compileMatcher } from '../../src/alerts/alert-matcher.js';
import { AlertRescan } from '../../src/alerts/alert-rescan.js';
import { addTerm, termSet } from '../../src/alerts/term-store.js';
import { CHUNK_ROWS } from '../../src/analytics/analytics-service.js';
import type { Analytics, Range, Resolution } from '../../src/analytics/analytics-types.js';
import { firstDifference } from '../../src/analytics/compare-analytics.js';
import { scalar } from '../../src/analytics/duck-scalar.js';
import { DuckdbAnalytics } from '../../src/analytics/duckdb-analytics.js';
import { MirrorFeed } from '../../src/analytics/mirror-feed.js';
import { SqliteAnalytics } from '../../src/analytics/sqlite-analytics.js';
import { openWriterDatabase } from '../../src/store/open-database.js';
import { emitResult } from '../lib/result.js';
import { copyMillion, millionDatabase } from './million-db.js';
import { duckdbMemoryByTag, withMemoryPeak } from './support/duckdb-memory.js';
import { peakRssKind, peakRssSince } from './support/peak-rss.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'budget-ms': { type: 'string', default: '1200' },
  },
});
/** Timed runs per query and path (after the warm-up), at most. */
const RUNS = Math.max(1, Number(values.runs));
/** Timed runs of one query on one path stop once they have taken this long (at least one run). */
const BUDGET_MS = Math.max(0, Number(values['budget-ms']));
/** Hot window: far wider than the data, so the mirror holds every row. */
const WINDOW_DAYS = 3660;
const MB = 2 ** 20;
const HOUR = 3600;
const DAY = 86_400;

/** Alert terms for the copy: words, a tail and a flight the corpus carries (literal: text as whole words, tail/flight as substrings). */
const ALERT_TERMS = ['KPHX', 'KDFW', 'ARINC', 'CLOSEOUT', 'N438WN', 'WN4899'];

const RANGES: { name: string; seconds: number; resolution: Resolution }[] = [
  { name: '1h', seconds: HOUR, resolution: '1m' },
  { name: '1d', seconds: DAY, resolution: '1m' },
  { name: '30d', seconds: 30 * DAY, resolution: '1h' },
  { name: '1y', seconds: 365 * DAY, resolution: '1d' },
];

export interface AnalyticsQueryTiming {
  query: string;
  range: string;
  /** Resolution (rates, alert hits), rows asked (top), aircraft (timeline). */
  detail: string;
  /** Median of the timed runs. */
  sqliteMs: number;
  duckdbMs: number;
  sqliteRuns: number;
  duckdbRuns: number;
  /**
   * Peak process RSS during the warm-up run over the RSS before it (gc'd first): SQLite's page
   * cache and sorter (it runs on this thread) plus the JS objects of the answer.
   */
  sqliteRssDeltaMb: number;
  /** Peak of DuckDB's buffer manager (duckdb_memory(), all tags) during the warm-up run, cached table blocks included. */
  duckdbMemMb: number;
  /** The same peak minus the reading before the run: the query's own working memory. */
  duckdbMemDeltaMb: number;
  /** Peak process RSS during the DuckDB warm-up run over the RSS before it: DuckDB's threads, the result's way to JS, the answer. */
  duckdbRssDeltaMb: number;
  /** JSON-equal answers from the two paths (warm-up runs). */
  identical: boolean;
  /** Where they first differ, when they do (or each side's error). */
  difference?: { path: string; sqlite: unknown; duckdb: unknown };
}

export interface AnalyticsBenchResult {
  /** Mirror catch-up from SQLite (MirrorFeed.pull into an empty DuckDB file), rows per second. */
  catchUpRowsPerSec: number;
  /** DuckDB file bytes per mirrored message, after a CHECKPOINT (alert matches included). */
  duckdbBytesPerMessage: number;
  queries: AnalyticsQueryTiming[];
  messages: number;
  mirrorRows: number;
  catchUpSeconds: number;
  checkpointMs: number;
  duckdbFileBytes: number;
  /** SQLite file bytes per message (FTS included), the copy before the alert rescan. */
  sqliteBytesPerMessage: number;
  alertTerms: string[];
  alertMatches: number;
  rescanSeconds: number;
  /** Newest and oldest message times (epoch s) and where the ranges end. */
  data: { oldest: number; newest: number; rangeEnd: number; rangeEndIs: 'now' | 'newest message'; rowsPerRange: Record<string, number> };
  duckdb: { version: string; memoryLimit: string; threads: number; memMbAfterCatchUp: Record<string, number>; memMbAtEnd: Record<string, number> };
  runs: number;
  budgetMs: number;
  /** 'peak': RSS deltas are the high-water mark (reset through /proc/self/clear_refs); 'after': RSS after the run (no reset allowed). */
  rssMeasure: 'peak' | 'after';
  differences: number;
  seconds: number;
}

const log = (s: string): void => void process.stdout.write(`${s}\n`);
const mb = (bytes: number): number => Number((bytes / MB).toFixed(1));
const ms = (x: number): number => Number(x.toFixed(x < 10 ? 2 : 1));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** global.gc without --expose-gc on the command line (the orchestrator starts plain `node`). */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

async function attempt(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Timed runs after the warm-up: up to RUNS, stopping once BUDGET_MS is spent. */
async function timedRuns(run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < RUNS && (times.length === 0 || performance.now() - start < BUDGET_MS)) {
    const t0 = performance.now();
    await run().catch(() => undefined);
    times.push(performance.now() - t0);
  }
  return times;
}

/** The real rescan over the copy with ALERT_TERMS, as `contrail alerts` does it. */
function addAlertMatches(path: string): { matches: number; seconds: number } {
  const t0 = performance.now();
  const db = openWriterDatabase(path);
  try {
    for (const term of ALERT_TERMS) addTerm(db, term, 'alert');
    const set = termSet(db);
    const rescan = new AlertRescan(db, compileMatcher(set.terms, set.ignore));
    let p = rescan.progress();
    while (!rescan.done) p = rescan.step(250);
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { matches: p.matches, seconds: (performance.now() - t0) / 1000 };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const source = await millionDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'contrail-bench-analytics-'));
  let instance: DuckDBInstance | null = null;
  const conns: DuckDBConnection[] = [];
  let sqlite: Database.Database | null = null;
  try {
    const t0 = performance.now();
    const path = copyMillion(source, dir);
    const sqliteBytes = statSync(path).size;
    log(`analytics: copied ${source} (${mb(sqliteBytes)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rescan = addAlertMatches(path);
    log(`analytics: alert rescan with ${ALERT_TERMS.length} terms: ${rescan.matches.toLocaleString('en')} matches in ${rescan.seconds.toFixed(1)} s`);

    // As the analytics thread opens it (analytics-service.ts): read-only, default cache.
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    const span = sqlite.prepare('SELECT count(*) AS n, min(msg_time) AS oldest, max(msg_time) AS newest FROM messages').get() as { n: number; oldest: number; newest: number };

    // The mirror, as the analytics thread builds it: one instance, a feed connection and a query connection.
    instance = await DuckDBInstance.create(join(dir, 'contrail.duckdb'));
    const feedConn = await instance.connect();
    const queryConn = await instance.connect();
    const probe = await instance.connect();
    conns.push(feedConn, queryConn, probe);
    const settings = (await probe.runAndReadAll("SELECT version(), current_setting('memory_limit'), current_setting('threads')")).getRows()[0]!;
    const feed = await MirrorFeed.open(sqlite, feedConn, { windowDays: WINDOW_DAYS, chunkRows: CHUNK_ROWS });
    const nowWall = Date.now() / 1000;
    const c0 = performance.now();
    let lastShown = -1;
    const mirrored = await feed.pull(nowWall, (p) => {
      const q = Math.floor(p.percent / 25);
      if (q !== lastShown) {
        lastShown = q;
        process.stderr.write(`analytics: mirror catch-up ${p.percent}%\n`);
      }
    });
    const catchUpSeconds = (performance.now() - c0) / 1000;
    const k0 = performance.now();
    await feedConn.run('CHECKPOINT');
    const checkpointMs = performance.now() - k0;
    const duckFile = join(dir, 'contrail.duckdb');
    const duckdbFileBytes = statSync(duckFile).size + (existsSync(`${duckFile}.wal`) ? statSync(`${duckFile}.wal`).size : 0);
    const mirrorRows = (await scalar(probe, 'SELECT count(*) FROM messages')) ?? 0;
    const memMbAfterCatchUp = await duckdbMemoryByTag(probe);
    const catchUpRowsPerSec = Math.round(mirrored / catchUpSeconds);
    const duckdbBytesPerMessage = Math.round(duckdbFileBytes / Math.max(1, mirrorRows));
    log(
      `analytics: mirror catch-up ${mirrored.toLocaleString('en')} rows in ${catchUpSeconds.toFixed(1)} s = ${catchUpRowsPerSec.toLocaleString('en')} rows/s; ` +
        `CHECKPOINT ${Math.round(checkpointMs)} ms; DuckDB file ${mb(duckdbFileBytes)} MB = ${duckdbBytesPerMessage} B/message ` +
        `(SQLite ${Math.round(sqliteBytes / span.n)} B/message with FTS); DuckDB memory ${JSON.stringify(memMbAfterCatchUp)} MB`,
    );

    // Ranges end now; a cache built over an hour ago would leave the short ranges empty, so they
    // then end at the newest message instead (as if the bench ran right after the data came in).
    const fresh = nowWall - span.newest < HOUR;
    const rangeEnd = fresh ? nowWall : Math.ceil(span.newest / 60) * 60 + 60;
    const countIn = sqlite.prepare('SELECT count(*) FROM messages WHERE msg_time >= ? AND msg_time < ?').pluck();
    const rowsPerRange: Record<string, number> = {};
    for (const r of RANGES) rowsPerRange[r.name] = countIn.get(rangeEnd - r.seconds, rangeEnd) as number;
    const iso = (t: number): string => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
    log(
      `analytics: data ${span.n.toLocaleString('en')} messages from ${iso(span.oldest)} to ${iso(span.newest)} UTC ` +
        `(${((span.newest - span.oldest) / DAY).toFixed(1)} days; the newest ${Math.round((nowWall - span.newest) / 60)} min before now). ` +
        `Ranges end ${fresh ? 'now' : `at the newest message (${iso(rangeEnd)}), the cache being older than an hour`}; ` +
        `the data covers only 7 days, so 30 days and 1 year hold the same rows. Rows per range: ` +
        RANGES.map((r) => `${r.name} ${rowsPerRange[r.name]!.toLocaleString('en')}`).join(', '),
    );

    const sqlitePath = new SqliteAnalytics(sqlite);
    const duckPath = new DuckdbAnalytics(queryConn);
    const queries: AnalyticsQueryTiming[] = [];
    for (const r of RANGES) {
      const range: Range = { from: rangeEnd - r.seconds, to: rangeEnd };
      const [top] = await sqlitePath.topAircraft(range, 1);
      const aircraft = top?.aircraftId ?? -1;
      const list: [string, string, (a: Analytics) => Promise<unknown>][] = [
        ['rates', r.resolution, (a) => a.rates(range, r.resolution)],
        ['signal', '', (a) => a.signal(range)],
        ['frequencies', '', (a) => a.frequencies(range)],
        ['top flight', 'limit 20', (a) => a.top(range, 'flight', 20)],
        ['top station', 'limit 20', (a) => a.top(range, 'station', 20)],
        ['timeline', top ? `aircraft ${aircraft}, ${top.messages.toLocaleString('en')} msgs` : 'no aircraft', (a) => a.timeline(range, aircraft)],
        ['alertHits', r.resolution, (a) => a.alertHits(range, r.resolution)],
      ];
      for (const [query, detail, run] of list) {
        // Warm-up, SQLite: the peak RSS of the (synchronous) call over the RSS before it.
        gc();
        const { result: sq, deltaBytes: sqRss } = await peakRssSince(() => attempt(() => run(sqlitePath)));
        // Warm-up, DuckDB: the same, and its buffer manager polled from another connection meanwhile.
        gc();
        const { result: dkm, deltaBytes: dkRss } = await peakRssSince(() => withMemoryPeak(probe, () => attempt(() => run(duckPath))));
        const { result: dk, peak } = dkm;
        const sqliteTimes = await timedRuns(() => run(sqlitePath));
        const duckTimes = await timedRuns(() => run(duckPath));

        let difference: AnalyticsQueryTiming['difference'];
        if (sq.ok && dk.ok) {
          if (JSON.stringify(sq.value) !== JSON.stringify(dk.value)) {
            const d = firstDifference(sq.value, dk.value);
            difference = { path: d?.path ?? '(JSON text)', sqlite: d?.a, duckdb: d?.b };
          }
        } else {
          const say = (o: Outcome): string => (o.ok ? 'ok' : `error: ${o.error}`);
          if (say(sq) !== say(dk)) difference = { path: '(error)', sqlite: say(sq), duckdb: say(dk) };
        }
        const t: AnalyticsQueryTiming = {
          query,
          range: r.name,
          detail,
          sqliteMs: ms(median(sqliteTimes)),
          duckdbMs: ms(median(duckTimes)),
          sqliteRuns: sqliteTimes.length,
          duckdbRuns: duckTimes.length,
          sqliteRssDeltaMb: mb(sqRss),
          duckdbMemMb: mb(peak.duckdbPeakBytes),
          duckdbMemDeltaMb: mb(peak.duckdbPeakBytes - peak.duckdbBeforeBytes),
          duckdbRssDeltaMb: mb(dkRss),
          identical: difference === undefined,
          ...(difference ? { difference } : {}),
        };
        if (!sq.ok) log(`analytics: ${query} ${r.name}: SQLite failed: ${sq.error}`);
        if (!dk.ok) log(`analytics: ${query} ${r.name}: DuckDB failed: ${dk.error}`);
        queries.push(t);
      }
    }
    const memMbAtEnd = await duckdbMemoryByTag(probe);
    printTable(queries);
    const differences = queries.filter((q) => !q.identical);
    for (const q of differences) log(`DIFFERENT: ${q.query} ${q.range}: at ${q.difference?.path}: SQLite ${JSON.stringify(q.difference?.sqlite)}, DuckDB ${JSON.stringify(q.difference?.duckdb)}`);
    const rssHow = peakRssKind() === 'peak' ? 'peak process RSS during the warm-up run (Linux high-water mark, reset before it) over the RSS before it' : 'process RSS after the warm-up run minus before it (the kernel refused to reset the peak)';
    log(
      `RSS deltas: ${rssHow}; the process was gc'd first. SQLite runs on this thread: its page cache (default 2 MB) and sorter plus the JS answer. ` +
        `DuckDB: its threads' allocations, the result on its way to JS, the JS answer.\n` +
        `DuckDB mem: peak of duckdb_memory() (buffer manager, all tags: the table blocks it caches plus the query's hash tables and sorts) during the warm-up run, ` +
        `polled every 5 ms from another connection; "+" is that peak over the reading before the run. memory_limit ${String(settings[1])}, threads ${String(settings[2])}; ` +
        `at the end ${JSON.stringify(memMbAtEnd)} MB.`,
    );
    const result: AnalyticsBenchResult = {
      catchUpRowsPerSec,
      duckdbBytesPerMessage,
      queries,
      messages: span.n,
      mirrorRows,
      catchUpSeconds: Number(catchUpSeconds.toFixed(2)),
      checkpointMs: Math.round(checkpointMs),
      duckdbFileBytes,
      sqliteBytesPerMessage: Math.round(sqliteBytes / span.n),
      alertTerms: ALERT_TERMS,
      alertMatches: rescan.matches,
      rescanSeconds: Number(rescan.seconds.toFixed(2)),
      data: { oldest: span.oldest, newest: span.newest, rangeEnd, rangeEndIs: fresh ? 'now' : 'newest message', rowsPerRange },
      duckdb: { version: String(settings[0]), memoryLimit: String(settings[1]), threads: Number(settings[2]), memMbAfterCatchUp, memMbAtEnd },
      runs: RUNS,
      budgetMs: BUDGET_MS,
      rssMeasure: peakRssKind(),
      differences: differences.length,
      seconds: Math.round((performance.now() - started) / 1000),
    };
    log(`analytics: ${result.seconds} s in all`);
    emitResult(result);
  } finally {
    for (const c of conns) c.closeSync();
    instance?.closeSync();
    if (sqlite?.open) sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(qs: readonly AnalyticsQueryTiming[]): void {
  const head = ['range', 'query', 'detail', 'SQLite ms', 'DuckDB ms', 'SQLite/DuckDB', 'SQLite RSS Δ MB', 'DuckDB mem MB (+query)', 'DuckDB RSS Δ MB', 'identical'];
  const rows = qs.map((q) => [
    q.range,
    q.query,
    q.detail,
    String(q.sqliteMs),
    String(q.duckdbMs),
    q.duckdbMs > 0 ? (q.sqliteMs / q.duckdbMs).toFixed(1) : '-',
    String(q.sqliteRssDeltaMb),
    `${q.duckdbMemMb} (+${q.duckdbMemDeltaMb})`,
    String(q.duckdbRssDeltaMb),
    q.identical ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]): string => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  log(`\nAnalytics, median of up to ${RUNS} runs after a warm-up (${BUDGET_MS} ms budget per query and path)`);
  log(line(head));
  for (const r of rows) log(line(r));
  log('');
}

await main();
