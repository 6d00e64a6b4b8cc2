/**
 * Pruning by age (DB_SAVE_DAYS, DB_ALERT_SAVE_DAYS), a bounded chunk per step, each step one
 * short write transaction.
 *
 * A message that matched an alert is kept max(DB_SAVE_DAYS, DB_ALERT_SAVE_DAYS) days: alert
 * matches are kept longer than other messages, never shorter (ACARS Hub kept them in a table of
 * their own, pruned separately). A pass has three phases, each walking the msg_time index:
 *   1. expired: every message older than the alert cutoff, alert-matched or not, oldest first;
 *      nothing is skipped, so no cursor is needed.
 *   2. plain: messages older than the plain cutoff without an alert match. The alert-matched
 *      ones are stepped over by a cursor on (msg_time, id), kept between passes so the kept
 *      rows are not read again every pass; it restarts from the oldest row every `rescanMs`, so
 *      messages stored late with an old msg_time (a journal replay, an import) are found too.
 *   3. rejects: rejected frames older than the plain cutoff (they hold raw frames).
 * The cutoffs are fixed when a pass starts, so a pass ends even while messages keep expiring.
 * Deleting a message deletes its alert_matches rows and (by trigger) its full-text entries.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import type { Db } from '../open-database.js';
import { prepareMessageDeleter, prepareOldestScan, START, type OldRow, type ScanCursor } from './oldest-messages.js';

const DAY_S = 86_400;

export interface AgeCutoffs {
  /** Epoch seconds: messages without an alert match and with an older msg_time go. */
  plainBefore: number;
  /** Epoch seconds: every message with an older msg_time goes. */
  alertBefore: number;
  /** Epoch milliseconds: rejects received earlier go. */
  rejectsBefore: number;
}

export function ageCutoffs(nowMs: number, saveDays: number, alertSaveDays: number): AgeCutoffs {
  const now = nowMs / 1000;
  return {
    plainBefore: now - saveDays * DAY_S,
    alertBefore: now - Math.max(saveDays, alertSaveDays) * DAY_S,
    rejectsBefore: nowMs - saveDays * DAY_S * 1000,
  };
}

export type AgePhase = 'expired' | 'plain' | 'rejects';

export interface AgeStep {
  /** The phase that did this step's work; null when the pass had nothing left. */
  phase: AgePhase | null;
  examined: number;
  /** Messages without an alert match deleted. */
  plainDeleted: number;
  /** Alert-matched messages deleted (older than the alert cutoff). */
  alertDeleted: number;
  alertMatchesDeleted: number;
  /** ACARS messages deleted (they were in the full-text index). */
  indexedDeleted: number;
  rejectsDeleted: number;
  /** The pass has nothing left. */
  done: boolean;
}

const PHASES: readonly AgePhase[] = ['expired', 'plain', 'rejects'];

export class AgePruner {
  readonly #rescanMs: number;
  readonly #scan: ReturnType<typeof prepareOldestScan>;
  readonly #delete: ReturnType<typeof prepareMessageDeleter>;
  readonly #deleteRejects: Statement<[number, number]>;
  readonly #step: Transaction<(limit: number) => AgeStep>;
  #cutoffs: AgeCutoffs | null = null;
  #phase = PHASES.length;
  #cursor: ScanCursor = START;
  #lastRescanAt = -Infinity;

  constructor(db: Db, options: { rescanMs?: number } = {}) {
    this.#rescanMs = options.rescanMs ?? 3_600_000;
    this.#scan = prepareOldestScan(db);
    this.#delete = prepareMessageDeleter(db);
    this.#deleteRejects = db.prepare('DELETE FROM rejects WHERE id IN (SELECT id FROM rejects WHERE received_at < ? ORDER BY received_at LIMIT ?)');
    this.#step = db.transaction((limit: number) => this.#work(limit));
  }

  /** A pass is under way. */
  get active(): boolean {
    return this.#phase < PHASES.length;
  }

  startPass(cutoffs: AgeCutoffs, nowMs: number): void {
    this.#cutoffs = cutoffs;
    this.#phase = 0;
    if (nowMs - this.#lastRescanAt >= this.#rescanMs) {
      this.#cursor = START;
      this.#lastRescanAt = nowMs;
    }
  }

  /**
   * Examines at most `limit` rows (and deletes at most that many) in one immediate transaction.
   * Phases with nothing to do are passed over within the same step.
   */
  step(limit: number): AgeStep {
    if (!this.active) return { ...EMPTY, done: true };
    return this.#step.immediate(Math.max(1, Math.floor(limit)));
  }

  #work(limit: number): AgeStep {
    const c = this.#cutoffs!;
    while (this.active) {
      const phase = PHASES[this.#phase]!;
      const out: AgeStep = { ...EMPTY, phase };
      let full: boolean;
      if (phase === 'rejects') {
        out.rejectsDeleted = this.#deleteRejects.run(c.rejectsBefore, limit).changes;
        out.examined = out.rejectsDeleted;
        full = out.rejectsDeleted >= limit;
      } else {
        const expired = phase === 'expired';
        const rows = this.#scan(expired ? START : this.#cursor, expired ? c.alertBefore : c.plainBefore, limit);
        const doomed: OldRow[] = expired ? rows : rows.filter((r) => !r.alert);
        const counts = this.#delete(doomed);
        out.examined = rows.length;
        out.alertDeleted = expired ? doomed.filter((r) => r.alert).length : 0;
        out.plainDeleted = counts.messages - out.alertDeleted;
        out.alertMatchesDeleted = counts.alertMatches;
        out.indexedDeleted = counts.indexed;
        const last = rows[rows.length - 1];
        if (!expired && last) this.#cursor = { time: last.msg_time, id: last.id };
        full = rows.length >= limit;
      }
      if (!full) this.#phase++;
      if (out.examined > 0 || !this.active) return { ...out, done: !this.active };
    }
    return { ...EMPTY, done: true };
  }
}

const EMPTY: AgeStep = { phase: null, examined: 0, plainDeleted: 0, alertDeleted: 0, alertMatchesDeleted: 0, indexedDeleted: 0, rejectsDeleted: 0, done: false };

export interface AgePrunable {
  /** Alert-matched messages older than the alert cutoff. */
  alertMessages: number;
  /** Messages without an alert match older than the plain cutoff. */
  plainMessages: number;
  /** Alert-matched messages older than the plain cutoff that stay (until the alert cutoff). */
  alertKept: number;
  rejects: number;
}

/** What a pass with these cutoffs would delete. Reads the whole expired range: for the CLI, not for a slice. */
export function countAgePrunable(db: Db, c: AgeCutoffs): AgePrunable {
  const alerted = 'EXISTS (SELECT 1 FROM alert_matches a WHERE a.message_id = m.id)';
  const r = db
    .prepare<[number, number, number], { expiredAlert: number | null; plain: number | null; kept: number | null }>(
      `SELECT sum(${alerted} AND m.msg_time < ?) AS expiredAlert,
              sum(NOT ${alerted}) AS plain,
              sum(${alerted} AND m.msg_time >= ?) AS kept
       FROM messages m WHERE m.msg_time < ?`,
    )
    .get(c.alertBefore, c.alertBefore, c.plainBefore)!;
  const rejects = db.prepare<[number], number>('SELECT count(*) FROM rejects WHERE received_at < ?').pluck().get(c.rejectsBefore)!;
  return { alertMessages: r.expiredAlert ?? 0, plainMessages: r.plain ?? 0, alertKept: r.kept ?? 0, rejects };
}
