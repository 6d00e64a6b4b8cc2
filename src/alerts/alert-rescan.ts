/**
 * Re-scans stored messages against the current alert terms, in bounded steps so it never holds
 * the database for long: each step reads the next chunk of ACARS messages by id, replaces their
 * alert matches with what the current terms find, and commits. Messages stored after the scan
 * started are matched on arrival (the decode workers have the new terms by then). At the end,
 * each term's hit count is recounted from the matches.
 */
import type { Statement } from 'better-sqlite3';
import { AdaptiveChunk } from '../store/maintenance/adaptive-chunk.js';
import type { Db } from '../store/open-database.js';
import type { AlertMatcher } from './alert-matcher.js';

export interface RescanProgress {
  /** Messages scanned so far. */
  scanned: number;
  /** Highest id reached, of `lastId`. */
  position: number;
  lastId: number;
  matches: number;
  percent: number;
  elapsedMs: number;
  done: boolean;
}

interface Row {
  id: number;
  msg_time: number;
  text: string | null;
  tail: string | null;
  flight: string | null;
  icao: string | null;
}

export class AlertRescan {
  readonly #db: Db;
  readonly #matcher: AlertMatcher;
  readonly #read: Statement<[number, number, number]>;
  readonly #clear: Statement<[number, number]>;
  readonly #insert: Statement<[number, string, string, number]>;
  readonly #chunk = new AdaptiveChunk({ min: 50, initial: 500, max: 50_000 });
  readonly #startedAt = performance.now();
  readonly #firstId: number;
  readonly lastId: number;
  #position: number;
  #scanned = 0;
  #matches = 0;
  #done = false;

  constructor(db: Db, matcher: AlertMatcher) {
    this.#db = db;
    this.#matcher = matcher;
    const range = db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM messages').get() as { lo: number | null; hi: number | null };
    this.#firstId = range.lo ?? 0;
    this.lastId = range.hi ?? 0;
    this.#position = this.#firstId - 1;
    this.#read = db.prepare('SELECT id, msg_time, text, tail, flight, icao FROM messages WHERE id > ? AND id <= ? AND is_acars = 1 ORDER BY id LIMIT ?');
    this.#clear = db.prepare('DELETE FROM alert_matches WHERE message_id > ? AND message_id <= ?');
    this.#insert = db.prepare('INSERT INTO alert_matches (message_id, term, field, matched_at) VALUES (?, ?, ?, ?)');
  }

  get done(): boolean {
    return this.#done;
  }

  /** One step of about `budgetMs`, in its own transaction. */
  step(budgetMs = 20): RescanProgress {
    if (this.#done) return this.progress();
    const asked = this.#chunk.size;
    const t0 = performance.now();
    const run = this.#db.transaction(() => {
      const rows = this.#read.all(this.#position, this.lastId, asked) as Row[];
      const end = rows.length < asked ? this.lastId : rows.at(-1)!.id;
      this.#clear.run(this.#position, end);
      for (const r of rows) {
        for (const m of this.#matcher.match(r)) {
          this.#insert.run(r.id, m.term, m.field, r.msg_time);
          this.#matches++;
        }
      }
      this.#scanned += rows.length;
      this.#position = end;
      if (end >= this.lastId) {
        this.#db.prepare('UPDATE alert_terms SET hits = (SELECT count(*) FROM alert_matches m WHERE m.term = alert_terms.term)').run();
        this.#done = true;
      }
      return rows.length;
    });
    const n = run();
    this.#chunk.record(n, asked, performance.now() - t0, budgetMs);
    return this.progress();
  }

  progress(): RescanProgress {
    const span = Math.max(1, this.lastId - this.#firstId + 1);
    const percent = this.#done ? 100 : Math.min(99.9, Math.round((1000 * (this.#position - this.#firstId + 1)) / span) / 10);
    return { scanned: this.#scanned, position: this.#position, lastId: this.lastId, matches: this.#matches, percent, elapsedMs: Math.round(performance.now() - this.#startedAt), done: this.#done };
  }
}
