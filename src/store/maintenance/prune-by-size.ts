/**
 * Pruning by size (CONTRAIL_DB_MAX_BYTES): the oldest messages go, a bounded chunk per step,
 * each step one short write transaction, until the database is back under the cap with some
 * headroom (the scheduler measures between steps and ends the pass).
 *
 * Messages that matched an alert go last: a pass first deletes the oldest messages without an
 * alert match, stepping over the matched ones with a cursor on (msg_time, id); only when none is
 * left does it delete the matched ones, oldest first. Alert matches are what users keep longest.
 *
 * The cap is compared with used pages plus the WAL file (database-size.ts), but only used pages
 * are a reason to delete messages: the WAL is checkpointed and truncated instead (the scheduler
 * does it). Used pages follow deletes at once for the table and its indexes: rows deleted oldest
 * first empty whole pages, which go to the free list. The
 * full-text index lags: a delete adds markers until a merge drops them, so a pass frees somewhat
 * less than it deletes and the merge that follows frees the rest. The scheduler therefore stops
 * a pass at the target, waits for merges in progress before starting another, and gives up a
 * pass whose deletes do not shrink the measure (something other than messages fills the
 * database: deleting every message would not help).
 */
import type { Transaction } from 'better-sqlite3';
import type { Db } from '../open-database.js';
import { prepareMessageDeleter, prepareOldestScan, START, type ScanCursor } from './oldest-messages.js';

export interface SizeStep {
  examined: number;
  plainDeleted: number;
  alertDeleted: number;
  alertMatchesDeleted: number;
  /** ACARS messages deleted (they were in the full-text index). */
  indexedDeleted: number;
  /** No message is left to delete. */
  exhausted: boolean;
}

type Phase = 'plain' | 'alerts' | 'exhausted';

export class SizePruner {
  readonly #scan: ReturnType<typeof prepareOldestScan>;
  readonly #delete: ReturnType<typeof prepareMessageDeleter>;
  readonly #step: Transaction<(limit: number) => SizeStep>;
  #phase: Phase = 'plain';
  #cursor: ScanCursor = START;

  constructor(db: Db) {
    this.#scan = prepareOldestScan(db);
    this.#delete = prepareMessageDeleter(db);
    this.#step = db.transaction((limit: number) => this.#work(limit));
  }

  startPass(): void {
    this.#phase = 'plain';
    this.#cursor = START;
  }

  /** Examines and deletes at most `limit` messages in one immediate transaction. */
  step(limit: number): SizeStep {
    return this.#step.immediate(Math.max(1, Math.floor(limit)));
  }

  #work(limit: number): SizeStep {
    for (;;) {
      if (this.#phase === 'exhausted') return { examined: 0, plainDeleted: 0, alertDeleted: 0, alertMatchesDeleted: 0, indexedDeleted: 0, exhausted: true };
      const plain = this.#phase === 'plain';
      const rows = this.#scan(plain ? this.#cursor : START, Number.MAX_VALUE, limit);
      if (rows.length === 0) {
        this.#phase = plain ? 'alerts' : 'exhausted';
        continue;
      }
      const doomed = plain ? rows.filter((r) => !r.alert) : rows;
      const last = rows[rows.length - 1]!;
      if (plain) this.#cursor = { time: last.msg_time, id: last.id };
      const counts = this.#delete(doomed);
      const alertDeleted = doomed.filter((r) => r.alert).length;
      return {
        examined: rows.length,
        plainDeleted: counts.messages - alertDeleted,
        alertDeleted,
        alertMatchesDeleted: counts.alertMatches,
        indexedDeleted: counts.indexed,
        exhausted: false,
      };
    }
  }
}

export interface SizePrunable {
  overBytes: number;
  bytesPerMessage: number;
  /** About this many of the oldest messages would go. */
  messages: number;
}

/** An estimate of what a pass would delete: the excess over the target at the mean bytes per message. Counts every message: for the CLI. */
export function estimateSizePrunable(db: Db, measuredBytes: number, targetBytes: number): SizePrunable {
  const overBytes = Math.max(0, measuredBytes - targetBytes);
  const count = db.prepare<[], number>('SELECT count(*) FROM messages').pluck().get()!;
  const bytesPerMessage = count > 0 ? measuredBytes / count : 0;
  const messages = overBytes > 0 && bytesPerMessage > 0 ? Math.min(count, Math.ceil(overBytes / bytesPerMessage)) : 0;
  return { overBytes, bytesPerMessage, messages };
}
