/**
 * Search latency on the 1,000,000-message database through the real reader pool: a mix of
 * searches (flight, tail, ICAO, whole words, substring, time ranges, unindexed filters, combined),
 * each as a first page (with its count) and as a fifth page (following cursors), plus history.
 *
 *   node dist/bench/reference/search-latency.js [--runs N]
 *
 * Works on a copy of the cached database in a temp dir. Latency is measured on this thread from
 * the call to the reply: validation, the hop to a reader thread and back (structured clone of
 * the page) included. Searches run one at a time, after one warm-up run each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ReaderPool } from '../../src/reads/reader-pool.js';
import { parseRecentRequest, parseSearchRequest } from '../../src/store/reads/search-request.js';
import { emitResult } from '../lib/result.js';
import { copyMillion, millionDatabase } from './million-db.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
/** Timed runs per search and page (after one warm-up run). */
const RUNS = Math.max(1, Number(values.runs));
const LIMIT = 50;
const THREADS = 2;

export interface SearchTiming {
  search: string;
  params: Record<string, string>;
  total: number;
  firstP50Ms: number;
  firstP99Ms: number;
  /** Null when the search has fewer than five pages. */
  fifthP50Ms: number | null;
  fifthP99Ms: number | null;
}

export interface SearchBenchResult {
  messages: number;
  threads: number;
  limit: number;
  runs: number;
  /** Over every timed first page of every search. */
  firstPage: { p50Ms: number; p99Ms: number; samples: number };
  fifthPage: { p50Ms: number; p99Ms: number; samples: number };
  /** History: the newest 250 messages, no filter. */
  recent250: { p50Ms: number; p99Ms: number };
  searches: SearchTiming[];
}

/** Nearest-rank percentile. */
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

/** Values the corpus holds, read once from the copy (so the mix finds rows whatever the corpus). */
function pickParams(path: string): { mix: [string, Record<string, string>][]; messages: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string): string => {
      const v = db.prepare(sql).pluck().get();
      if (typeof v !== 'string') throw new Error(`search bench: nothing for ${sql}`);
      return v;
    };
    const newest = db.prepare('SELECT max(msg_time) FROM messages').pluck().get() as number;
    const messages = db.prepare('SELECT max(id) FROM messages').pluck().get() as number;
    // Sampled every 997th row: the common values without a scan of the table.
    const sample = 'FROM messages WHERE id % 997 = 0';
    const acarsFlight = one(`SELECT flight ${sample} AND is_acars = 1 AND flight IS NOT NULL GROUP BY flight ORDER BY count(*) DESC LIMIT 1`);
    const linkFlight = one(`SELECT trim(flight) ${sample} AND is_acars = 0 AND flight IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const tail = one(`SELECT tail ${sample} AND tail IS NOT NULL GROUP BY tail ORDER BY count(*) ASC LIMIT 1`);
    const tailH1 = one(`SELECT tail ${sample} AND label = 'H1' AND tail IS NOT NULL GROUP BY tail ORDER BY count(*) DESC LIMIT 1`);
    const icao = one(`SELECT icao ${sample} AND is_acars = 0 AND icao IS NOT NULL GROUP BY icao ORDER BY count(*) DESC LIMIT 1`);
    const station = one(`SELECT station_id ${sample} AND station_id IS NOT NULL LIMIT 1`);
    const h = (s: number): string => String(Math.floor(newest - s));
    const mix: [string, Record<string, string>][] = [
      ['flight (ACARS)', { flight: acarsFlight }],
      ['flight (link frames)', { flight: linkFlight }],
      ['flight prefix', { flight: `${acarsFlight.slice(0, 2)}*` }],
      ['tail', { tail }],
      ['icao', { icao }],
      ['text, common word', { text: 'KPHX' }],
      ['text, two words', { text: 'KPHX KDFW' }],
      ['text, rare word', { text: 'CLOSEOUT' }],
      ['substring', { substring: 'phx' }],
      ['time, last hour', { from: h(3600) }],
      ['time, a day 3 days ago', { from: h(4 * 86_400), to: h(3 * 86_400) }],
      ['station (no index)', { station }],
      ['label', { label: 'H1' }],
      ['text + day + type', { text: 'KPHX', from: h(86_400), type: 'ACARS' }],
      ['tail + label + week', { tail: tailH1, label: 'H1', from: h(7 * 86_400) }],
      ['substring + hour', { substring: 'phx', from: h(3600) }],
    ];
    return { mix, messages };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const source = await millionDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'contrail-bench-search-'));
  const path = copyMillion(source, dir);
  const pool = new ReaderPool({ dbPath: path, threads: THREADS, timeoutMs: 60_000 });
  try {
    const { mix, messages } = pickParams(path);
    const searches: SearchTiming[] = [];
    const allFirst: number[] = [];
    const allFifth: number[] = [];
    for (const [name, params] of mix) {
      const first: number[] = [];
      const fifth: number[] = [];
      let total = 0;
      for (let run = 0; run <= RUNS; run++) {
        const [ms, page] = await timed(() => pool.search(parseSearchRequest({ ...params, limit: String(LIMIT) })));
        total = page.total;
        if (run > 0) first.push(ms);
        let next = page.next;
        for (let n = 2; n <= 5 && next !== null; n++) {
          const cursor = next;
          const [pms, p] = await timed(() => pool.search(parseSearchRequest({ ...params, limit: String(LIMIT), cursor })));
          next = p.next;
          if (n === 5 && run > 0) fifth.push(pms);
        }
      }
      allFirst.push(...first);
      allFifth.push(...fifth);
      const t: SearchTiming = {
        search: name,
        params,
        total,
        firstP50Ms: pct(first, 50),
        firstP99Ms: pct(first, 99),
        fifthP50Ms: fifth.length > 0 ? pct(fifth, 50) : null,
        fifthP99Ms: fifth.length > 0 ? pct(fifth, 99) : null,
      };
      searches.push(t);
      console.log(`  ${name.padEnd(24)} ${String(total).padStart(8)} found   first ${String(t.firstP50Ms).padStart(7)} / ${String(t.firstP99Ms).padStart(7)} ms   fifth ${String(t.fifthP50Ms ?? '-').padStart(6)} / ${String(t.fifthP99Ms ?? '-').padStart(6)} ms`);
    }
    const recent: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const [ms] = await timed(() => pool.recent(parseRecentRequest({})));
      if (run > 0) recent.push(ms);
    }
    const result: SearchBenchResult = {
      messages,
      threads: THREADS,
      limit: LIMIT,
      runs: RUNS,
      firstPage: { p50Ms: pct(allFirst, 50), p99Ms: pct(allFirst, 99), samples: allFirst.length },
      fifthPage: { p50Ms: pct(allFifth, 50), p99Ms: pct(allFifth, 99), samples: allFifth.length },
      recent250: { p50Ms: pct(recent, 50), p99Ms: pct(recent, 99) },
      searches,
    };
    console.log(`search: first pages p50 ${result.firstPage.p50Ms} ms, p99 ${result.firstPage.p99Ms} ms; fifth pages p50 ${result.fifthPage.p50Ms} ms, p99 ${result.fifthPage.p99Ms} ms; history (250) p50 ${result.recent250.p50Ms} ms`);
    emitResult(result);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
