/**
 * Keeps the DuckDB hot mirror in step with SQLite. Rows are read back from SQLite by id (a
 * read-only connection, short reads of pages the writer just wrote) and go into DuckDB through
 * the Appender, one flush per pull: the writer thread, the engine's busiest, does no extra work
 * beyond telling which ids a commit added or changed. Catching up at start and following live
 * commits are the same pull, so the mirror can stop at any point and resume.
 *
 * The hot window is by message time: rows older than `windowDays` are not mirrored and are
 * trimmed away in the background.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { Database, Statement } from 'better-sqlite3';
import { scalar } from './duck-scalar.js';
import { MATCH_MIRROR_COLUMNS, MATCH_SELECT, MESSAGE_MIRROR_COLUMNS, MESSAGE_SELECT, MIRROR_DDL, type MirrorColumn } from './mirror-schema.js';

/**
 * The mirror holds an hour more than its window: a range of exactly the window ("the last 7
 * days" with 7 days held) starts a few milliseconds before the window by the time it is checked,
 * and would always fall back to SQLite.
 */
const WINDOW_MARGIN_S = 3600;

export interface MirrorFeedOptions {
  /** Hot window, days of message time. */
  windowDays: number;
  /** Rows per SQLite read and Appender flush. */
  chunkRows: number;
}

export interface CatchUpProgress {
  /** Rows gone through so far (some may be older than the window and passed over). */
  mirrored: number;
  /** Rows to mirror in all (estimated from the id span at the start). */
  total: number;
  percent: number;
  done: boolean;
}

type Row = Record<string, unknown>;

function appendRow(a: DuckDBAppender, cols: readonly MirrorColumn[], row: Row): void {
  for (const c of cols) {
    const v = row[c.name];
    if (v === null || v === undefined) a.appendNull();
    else if (c.duck === 'VARCHAR') a.appendVarchar(String(v));
    else if (c.duck === 'DOUBLE') a.appendDouble(Number(v));
    else if (c.duck === 'INTEGER') a.appendInteger(Number(v));
    else a.appendBigInt(BigInt(v as number));
  }
  a.endRow();
}

export class MirrorFeed {
  readonly #duck: DuckDBConnection;
  readonly #options: MirrorFeedOptions;
  readonly #maxId: Statement;
  readonly #firstInWindow: Statement;
  readonly #readRange: Statement;
  readonly #readIds: Statement;
  readonly #readMatches: Statement;
  #lastId = 0;
  #lastMatchId = 0;
  /** Messages in the mirror: counted at open, then kept by every change this feed makes. */
  #rows = 0;

  private constructor(sqlite: Database, duck: DuckDBConnection, options: MirrorFeedOptions) {
    this.#duck = duck;
    this.#options = options;
    this.#maxId = sqlite.prepare('SELECT max(id) FROM messages').pluck();
    this.#firstInWindow = sqlite.prepare('SELECT min(id) FROM messages WHERE msg_time >= ?').pluck();
    this.#readRange = sqlite.prepare(`SELECT ${MESSAGE_SELECT} FROM messages WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`);
    this.#readIds = sqlite.prepare(`SELECT ${MESSAGE_SELECT} FROM messages WHERE id IN (SELECT value FROM json_each(?))`);
    this.#readMatches = sqlite.prepare(`SELECT ${MATCH_SELECT} FROM alert_matches WHERE id > ? AND matched_at >= ? ORDER BY id`);
  }

  /** Creates the mirror's tables if needed and reads how far it got. */
  static async open(sqlite: Database, duck: DuckDBConnection, options: MirrorFeedOptions): Promise<MirrorFeed> {
    for (const ddl of MIRROR_DDL) await duck.run(ddl);
    const feed = new MirrorFeed(sqlite, duck, options);
    feed.#lastId = (await scalar(duck, 'SELECT max(id) FROM messages')) ?? 0;
    feed.#lastMatchId = (await scalar(duck, 'SELECT max(id) FROM alert_matches')) ?? 0;
    feed.#rows = (await scalar(duck, 'SELECT count(*) FROM messages')) ?? 0;
    return feed;
  }

  /**
   * Empties the mirror (creating its tables if needed): its rows are of a database file that was
   * replaced. One transaction: a crash leaves it whole or empty, and either catches up right.
   */
  static async clear(duck: DuckDBConnection): Promise<void> {
    for (const ddl of MIRROR_DDL) await duck.run(ddl);
    await duck.run('BEGIN TRANSACTION');
    try {
      await duck.run('DELETE FROM messages');
      await duck.run('DELETE FROM alert_matches');
      await duck.run('COMMIT');
    } catch (e) {
      await duck.run('ROLLBACK');
      throw e;
    }
  }

  /** The newest message id the mirror has read: mirrored, or passed over as older than the window (0 before any). */
  get lastId(): number {
    return this.#lastId;
  }

  /** Messages in the mirror. */
  get rows(): number {
    return this.#rows;
  }

  /** The oldest message time the mirror holds, for a given now (epoch s). */
  windowStart(nowS: number): number {
    return nowS - this.#options.windowDays * 86_400 - WINDOW_MARGIN_S;
  }

  /**
   * Mirrors every committed row past the mirror's newest, in chunks; `onProgress` after each.
   * `stop`, checked after each chunk, ends it early (the next pull resumes there). Returns the
   * rows appended (rows older than the window are passed over).
   */
  async pull(nowS: number, onProgress?: (p: CatchUpProgress) => void, stop?: () => boolean): Promise<number> {
    const cutoff = this.windowStart(nowS);
    const maxId = (this.#maxId.get() as number | null) ?? 0;
    if (maxId <= this.#lastId) {
      await this.#pullMatches(cutoff);
      return 0;
    }
    // An empty mirror starts at the window's first row (msg_time index), not at id 1. With none in
    // the window every row is passed over, as below: otherwise traffic with old message times (a
    // replayed capture) would leave the mirror "behind" for good, its lag growing without end.
    if (this.#lastId === 0) {
      const first = this.#firstInWindow.get(cutoff) as number | null;
      if (first === null) {
        this.#lastId = maxId;
        await this.#pullMatches(cutoff);
        return 0;
      }
      this.#lastId = first - 1;
    }
    const startId = this.#lastId;
    const total = maxId - startId;
    let mirrored = 0;
    for (;;) {
      const rows = this.#readRange.all(this.#lastId, maxId, this.#options.chunkRows) as Row[];
      if (rows.length === 0) break;
      mirrored += await this.#appendMessages(rows, cutoff);
      this.#lastId = rows[rows.length - 1]!.id as number;
      const percent = Math.min(100, Math.round((1000 * (this.#lastId - startId)) / total) / 10);
      onProgress?.({ mirrored: this.#lastId - startId, total, percent, done: this.#lastId >= maxId });
      if (rows.length < this.#options.chunkRows || stop?.()) break;
    }
    await this.#pullMatches(cutoff);
    return mirrored;
  }

  /** Re-reads messages a later copy changed (reception fields) and replaces them in the mirror (inside the window only). */
  async refresh(ids: readonly number[], nowS: number): Promise<void> {
    const mirrored = ids.filter((id) => id <= this.#lastId);
    if (mirrored.length === 0) return;
    const cutoff = this.windowStart(nowS);
    for (let i = 0; i < mirrored.length; i += 500) {
      const chunk = mirrored.slice(i, i + 500).map((id) => Math.trunc(id));
      const rows = this.#readIds.all(JSON.stringify(chunk)) as Row[];
      const deleted = await this.#duck.run(`DELETE FROM messages WHERE id IN (${chunk.join(',')})`);
      this.#rows -= Number(deleted.rowsChanged);
      await this.#appendMessages(rows, cutoff);
    }
  }

  /** Appends the rows inside the window (message time at or after `cutoff`), one flush; returns how many. */
  async #appendMessages(rows: readonly Row[], cutoff: number): Promise<number> {
    const appender = await this.#duck.createAppender('messages');
    let appended = 0;
    try {
      for (const r of rows) {
        if ((r.msg_time as number) < cutoff) continue;
        appendRow(appender, MESSAGE_MIRROR_COLUMNS, r);
        appended++;
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    this.#rows += appended;
    return appended;
  }

  /** Alert matches past the newest mirrored one, for messages in the window. */
  async #pullMatches(cutoff: number): Promise<void> {
    const rows = this.#readMatches.all(this.#lastMatchId, cutoff) as Row[];
    if (rows.length === 0) return;
    const appender = await this.#duck.createAppender('alert_matches');
    try {
      for (const r of rows) appendRow(appender, MATCH_MIRROR_COLUMNS, r);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    this.#lastMatchId = rows[rows.length - 1]!.id as number;
  }

  /** Copies the window's alert matches again (a rescan rewrote them). */
  async resyncMatches(nowS: number): Promise<void> {
    await this.#duck.run('DELETE FROM alert_matches');
    this.#lastMatchId = 0;
    await this.#pullMatches(this.windowStart(nowS));
  }

  /** Removes rows older than the window. Returns the messages removed. */
  async trim(nowS: number): Promise<number> {
    const cutoff = this.windowStart(nowS);
    const r = await this.#duck.run(`DELETE FROM messages WHERE msg_time < ${cutoff}`);
    await this.#duck.run(`DELETE FROM alert_matches WHERE matched_at < ${cutoff}`);
    const removed = Number(r.rowsChanged);
    this.#rows -= removed;
    return removed;
  }
}
