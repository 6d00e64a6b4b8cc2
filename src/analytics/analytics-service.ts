/**
 * The analytics thread's work: keeps the DuckDB mirror in step with SQLite (catch-up at start,
 * then a pull after each commit the writer reports, coalesced while one runs), trims the hot
 * window, and answers analytics requests on the path asked for (or DATA_SOURCE). DuckDB runs
 * its queries on its own threads, so a long one does not hold up the mirror's pulls; SQLite
 * reads are synchronous and short (counters, index ranges).
 *
 * A restore replaces the database file under the engine: `reopen` moves reads to the new file
 * and rebuilds the mirror from it (`detach` first, when its schema is not current yet). The
 * switch waits for the pull and the requests running on the old connection; requests asked
 * meanwhile wait for the new one.
 */
import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import Database, { type Statement } from 'better-sqlite3';
import { ContrailError } from '../errors.js';
import type { AnalyticsWorkerData, FromAnalytics, MirrorState } from '../threads/analytics-protocol.js';
import { SerialQueue } from '../util/serial-queue.js';
import type { AnalyticsRequest } from './analytics-request.js';
import { RESOLUTIONS, type Analytics, type Range } from './analytics-types.js';
import { bucketSpan } from './buckets.js';
import { compareAnalytics, type AircraftRanking } from './compare-analytics.js';
import { DuckdbAnalytics } from './duckdb-analytics.js';
import { MirrorFeed } from './mirror-feed.js';
import { SqliteAnalytics } from './sqlite-analytics.js';

type Post = (m: FromAnalytics) => void;

/** Rows per SQLite read and Appender flush. */
export const CHUNK_ROWS = 20_000;
/** Enough for the hot window's scans (the bench's 1M-row mirror uses ~30 MB of blocks); past it DuckDB spills to disk. */
const DUCKDB_MEMORY_LIMIT = '1GB';
const TRIM_EVERY_MS = 60_000;
/**
 * Commits are pulled together at most this often: each pull has a fixed cost (SQLite reads, an
 * Appender), and one per commit at low rates (200 batches/s at 1,000 frames/s) cost more than
 * the rows. Bounds the mirror's lag to about this plus the pull.
 */
const PULL_EVERY_MS = 250;
const STATE_EVERY_MS = 1000;

export interface Answer {
  source: 'sqlite' | 'duckdb';
  /** Why the SQLite path answered a request meant for the mirror. */
  fallback?: string;
  result: unknown;
}

export class AnalyticsService {
  readonly #data: AnalyticsWorkerData;
  readonly #post: Post;
  #sqlite!: Database.Database;
  #instance!: DuckDBInstance;
  #feedConn!: DuckDBConnection;
  #queryConn!: DuckDBConnection;
  #feed!: MirrorFeed;
  /** SQLite rows past the mirror's newest in a range: see #mirrorGap. */
  #behind!: Statement;
  #sqlitePath!: Analytics & AircraftRanking;
  #duckPath!: Analytics & AircraftRanking;
  /** Commits reported and not yet mirrored: [lastId, commit time ms], oldest first. */
  readonly #pending: [number, number][] = [];
  readonly #updated = new Set<number>();
  #matchesChanged = false;
  /** Everything that writes the mirror through #feedConn (pulls, trims, database switches, close's last pull), one at a time. */
  readonly #feedWork = new SerialQueue();
  #pullTimer: NodeJS.Timeout | null = null;
  /** A trim waits on #feedWork: later ones are not queued behind it. */
  #trimQueued = false;
  /** The longest a commit waited for the mirror since the last state report, ms. */
  #maxLagMs = 0;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  /** close() began: no new pull starts but its own last one. */
  #stopping = false;
  /** Set from a reopen or detach until the new connection is open (or closed, detached): requests wait for it. */
  #switching: Promise<void> | null = null;
  /** Requests running now: a switch waits for them before it closes the connection they read. */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** No database to read: detached (a restored file whose schema is not current yet). */
  #detached = false;
  /** The mirror is catching up from empty after a switch; stays set if close stopped it early (the next start resumes). */
  #rebuilding = false;

  constructor(data: AnalyticsWorkerData, post: Post) {
    this.#data = data;
    this.#post = post;
  }

  async start(): Promise<void> {
    const d = this.#data;
    this.#openSqlite();
    // DuckDB sizes itself for a machine of its own (80% of RAM, every core). Here it shares the
    // box with ingest: a bounded memory and one core left to the engine's other threads.
    this.#instance = await DuckDBInstance.create(d.duckdbPath, { memory_limit: DUCKDB_MEMORY_LIMIT, threads: String(Math.max(1, os.availableParallelism() - 1)) });
    this.#feedConn = await this.#instance.connect();
    this.#queryConn = await this.#instance.connect();
    if (d.rebuild) await MirrorFeed.clear(this.#feedConn);
    this.#feed = await MirrorFeed.open(this.#sqlite, this.#feedConn, { windowDays: d.windowDays, chunkRows: CHUNK_ROWS });
    const nowS = Date.now() / 1000;
    await this.#feed.trim(nowS);
    await this.#feed.pull(nowS, (progress) => this.#post({ kind: 'catch-up', progress }));
    this.#duckPath = new DuckdbAnalytics(this.#queryConn);
    this.#post({ kind: 'ready', ...this.#state() });
    this.#timers.push(setInterval(() => this.#queueTrim(), TRIM_EVERY_MS), setInterval(() => this.#post({ kind: 'state', ...this.#state() }), STATE_EVERY_MS));
    for (const t of this.#timers) t.unref();
  }

  /** The read-only connection and what reads through it. */
  #openSqlite(): void {
    const db = new Database(this.#data.dbPath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    this.#behind = db.prepare('SELECT 1 FROM messages WHERE id > ? AND msg_time >= ? AND msg_time < ? LIMIT 1');
    this.#sqlitePath = new SqliteAnalytics(db);
    this.#sqlite = db;
  }

  committed(lastId: number, updatedIds: number[], at: number): void {
    this.#pending.push([lastId, at]);
    for (const id of updatedIds) this.#updated.add(id);
    this.#schedulePull();
  }

  matchesChanged(): void {
    this.#matchesChanged = true;
    this.#schedulePull();
  }

  #schedulePull(): void {
    if (this.#stopping || this.#pullTimer) return;
    this.#pullTimer = setTimeout(() => {
      // Feed work still running keeps the timer set: commits meanwhile join the next pull.
      void this.#feedWork.run(async () => {
        this.#pullTimer = null;
        if (this.#stopping) return;
        await this.#pull();
      });
    }, PULL_EVERY_MS);
  }

  async #pull(): Promise<void> {
    // Commits of a restored file whose schema is not current yet cannot happen; earlier ones were dropped at the switch.
    if (this.#detached) return;
    const nowS = Date.now() / 1000;
    const oldest = this.#pending[0]?.[1];
    await this.#feed.pull(nowS);
    if (this.#updated.size > 0) {
      const ids = [...this.#updated];
      this.#updated.clear();
      await this.#feed.refresh(ids, nowS);
    }
    if (this.#matchesChanged) {
      this.#matchesChanged = false;
      await this.#feed.resyncMatches(nowS);
    }
    while (this.#pending.length > 0 && this.#pending[0]![0] <= this.#feed.lastId) this.#pending.shift();
    if (oldest !== undefined) this.#maxLagMs = Math.max(this.#maxLagMs, Date.now() - oldest);
  }

  /** On #feedWork, as pulls and switches: a trim never deletes under a pull or a switch's clear and catch-up. */
  #queueTrim(): void {
    if (this.#trimQueued) return;
    this.#trimQueued = true;
    void this.#feedWork.run(async () => {
      this.#trimQueued = false;
      await this.#feed.trim(Date.now() / 1000);
    });
  }

  /** `lagMs`: the longest a commit waited for the mirror since the last report, or the oldest waiting now. */
  #state(): MirrorState {
    const oldest = this.#pending[0];
    const lagMs = Math.max(this.#maxLagMs, oldest ? Date.now() - oldest[1] : 0);
    this.#maxLagMs = 0;
    if (this.#detached) return { lastId: 0, lagMs, rows: 0 };
    return { lastId: this.#feed.lastId, lagMs, rows: this.#feed.rows };
  }

  /** The database file was replaced (a restore) and its schema is current: read it, rebuild the mirror from it. */
  reopen(): Promise<void> {
    return this.#switchDatabase(true);
  }

  /** The database file was replaced by one whose schema is not current: stop reading it, empty the mirror, refuse requests. */
  detach(): Promise<void> {
    return this.#switchDatabase(false);
  }

  #switchDatabase(open: boolean): Promise<void> {
    // close() began: it closes what is open, nothing is switched under it (the engine sends no switch after close).
    if (this.#stopping) return Promise.resolve();
    // Reports so far are of the replaced file; the rebuild reads all of the new one.
    this.#pending.length = 0;
    this.#updated.clear();
    this.#matchesChanged = false;
    let switched!: () => void;
    const gate = new Promise<void>((resolve) => (switched = resolve));
    this.#switching = gate;
    return this.#feedWork.run(async () => {
      try {
        // Requests that began on the old connection finish on it.
        await Promise.allSettled([...this.#inFlight]);
        this.#sqlite.close();
        this.#detached = !open;
        await MirrorFeed.clear(this.#feedConn);
        if (open) {
          this.#openSqlite();
          this.#feed = await MirrorFeed.open(this.#sqlite, this.#feedConn, { windowDays: this.#data.windowDays, chunkRows: CHUNK_ROWS });
        }
      } finally {
        if (this.#switching === gate) this.#switching = null;
        switched();
      }
      if (!open) {
        this.#post({ kind: 'state', ...this.#state() });
        return;
      }
      // Requests are answered during the catch-up: SQLite answers a range the mirror does not hold yet.
      this.#rebuilding = true;
      await this.#feed.pull(Date.now() / 1000, (progress) => this.#post({ kind: 'catch-up', progress }), () => this.#stopping);
      // Stopped early by close: the rest is the next start's catch-up, not close's last pull.
      if (this.#stopping) return;
      this.#rebuilding = false;
      this.#post({ kind: 'state', ...this.#state() });
      if (this.#pending.length > 0 || this.#updated.size > 0) this.#schedulePull();
    });
  }

  /**
   * Why the mirror cannot answer for this range, or null: the range starts before the hot
   * window, or SQLite holds rows in it the mirror has not pulled yet.
   */
  #mirrorGap(range: Range): string | null {
    const start = this.#feed.windowStart(Date.now() / 1000);
    if (range.from < start) return `the range starts before the mirror's hot window (${this.#data.windowDays} days)`;
    const behind = this.#behind.get(this.#feed.lastId, range.from, range.to);
    if (behind !== undefined || this.#updated.size > 0) return 'the mirror is behind the database for this range';
    return null;
  }

  async answer(r: AnalyticsRequest): Promise<unknown> {
    while (this.#switching) await this.#switching;
    if (this.#detached) throw new ContrailError('CONTRAIL_ERR_NOT_READY', 'the database was restored from a backup whose schema is not current: analytics answer once it is migrated');
    // Registered before its first await: a switch waits for it.
    const running = this.#answer(r);
    this.#inFlight.add(running);
    try {
      return await running;
    } finally {
      this.#inFlight.delete(running);
    }
  }

  async #answer(r: AnalyticsRequest): Promise<unknown> {
    if (r.query === 'compare') {
      const differences = await compareAnalytics(this.#sqlitePath, this.#duckPath, r.range);
      return { range: r.range, behind: this.#mirrorGap(r.range), differences };
    }
    const wanted = r.source ?? this.#data.dataSource;
    let source: 'sqlite' | 'duckdb' = wanted;
    let fallback: string | undefined;
    if (wanted === 'duckdb') {
      // Rates and alert hits count whole buckets: the mirror must hold the first one from its start.
      const whole = r.query === 'rates' || r.query === 'alerts';
      const gap = this.#mirrorGap(whole ? { ...r.range, from: bucketSpan(r.range, RESOLUTIONS[r.resolution]).first } : r.range);
      if (gap !== null) {
        source = 'sqlite';
        fallback = gap;
      }
    }
    const a = source === 'duckdb' ? this.#duckPath : this.#sqlitePath;
    const started = performance.now();
    const result = await run(a, r);
    const answer: Answer & { ms: number } = { source, ...(fallback ? { fallback } : {}), result, ms: Math.round((performance.now() - started) * 10) / 10 };
    return answer;
  }

  /** Pulls what was committed, then closes both databases. */
  async close(): Promise<void> {
    if (this.#closed || this.#stopping) return;
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    if (this.#pullTimer) clearTimeout(this.#pullTimer);
    this.#pullTimer = null;
    // After the feed work queued before it: a switch under way finishes, its catch-up stopped
    // early (the next start resumes it).
    await this.#feedWork.run(async () => {
      if (!this.#rebuilding && (this.#pending.length > 0 || this.#updated.size > 0)) await this.#pull();
    });
    this.#closed = true;
    this.#feedConn.closeSync();
    this.#queryConn.closeSync();
    this.#instance.closeSync();
    this.#sqlite.close();
  }
}

function run(a: Analytics, r: AnalyticsRequest): Promise<unknown> {
  switch (r.query) {
    case 'rates':
      return a.rates(r.range, r.resolution);
    case 'signal':
      return a.signal(r.range);
    case 'frequencies':
      return a.frequencies(r.range);
    case 'top':
      return a.top(r.range, r.field, r.limit);
    case 'timeline':
      return a.timeline(r.range, r.aircraftId!);
    case 'alerts':
      return a.alertHits(r.range, r.resolution);
    default:
      throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `unknown analytics query ${r.query}`);
  }
}
