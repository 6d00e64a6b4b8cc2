/**
 * The analytics on the SQLite store (a read-only connection). Rates read only the per-minute
 * counters, so a year costs about half a million counter rows, never a scan of `messages`; for
 * that the range is widened to whole buckets (see buckets.ts), the same on the DuckDB side. The
 * other queries read `messages` over the msg_time index, the timeline the aircraft index, alert
 * hits the (term, matched_at) index. SQL returns exact groups; buckets.ts shapes the answer.
 */
import type { Database, Statement } from 'better-sqlite3';
import { prepared } from '../store/reads/prepared.js';
import { RESOLUTIONS, type AlertHitsResult, type Analytics, type FrequencyResult, type Range, type RatesResult, type Resolution, type SignalResult, type TimelineResult, type TopField, type TopResult } from './analytics-types.js';
import {
  alertHitsResult,
  bucketSpan,
  bucketSql,
  checkLimit,
  checkRange,
  fetchWindow,
  frequencyResult,
  ratesResult,
  signalResult,
  TOP_COLUMN,
  type MatchRow,
  type RateRow,
  type TypedValueCount,
} from './buckets.js';
import type { AircraftRanking, RankedAircraft } from './compare-analytics.js';

/**
 * Rates from `counts_minute` alone; bound: first bucket, end (both whole multiples of `step`).
 * Minute buckets are the counter rows themselves (one per minute and type): no GROUP BY, whose
 * sort is most of the cost of a long range.
 */
export function sqliteRatesSql(step: number): string {
  if (step === 60) return 'SELECT minute AS bucket, type, messages, errors FROM counts_minute WHERE minute >= ? AND minute < ?';
  return `SELECT ${bucketSql('minute', step)} AS bucket, type, sum(messages) AS messages, sum(errors) AS errors
    FROM counts_minute WHERE minute >= ? AND minute < ? GROUP BY bucket, type`;
}

const IN_RANGE = 'msg_time >= ? AND msg_time < ?';

const SIGNAL_SQL = `SELECT type, level AS value, count(*) AS count FROM messages WHERE ${IN_RANGE} AND level IS NOT NULL GROUP BY type, level`;
const FREQ_SQL = `SELECT type, freq AS value, count(*) AS count FROM messages WHERE ${IN_RANGE} AND freq IS NOT NULL GROUP BY type, freq`;
export const SQLITE_TIMELINE_SQL = `SELECT id, msg_time AS time, type, label, msg_time - lag(msg_time) OVER (ORDER BY msg_time, id) AS gap
  FROM messages WHERE aircraft_id = ? AND ${IN_RANGE} ORDER BY msg_time, id`;
const AIRCRAFT_SQL = `SELECT aircraft_id AS aircraftId, count(*) AS messages FROM messages
  WHERE ${IN_RANGE} AND aircraft_id IS NOT NULL GROUP BY aircraft_id ORDER BY messages DESC, aircraft_id ASC LIMIT ?`;
/**
 * The (term, matched_at) index answers a time range per term; the distinct terms come from the
 * same index one seek each (a loose index scan), not from a scan of every match.
 */
export const SQLITE_MATCHES_SQL = `WITH RECURSIVE terms(term) AS (
    SELECT min(term) FROM alert_matches
    UNION ALL
    SELECT (SELECT min(term) FROM alert_matches WHERE term > terms.term) FROM terms WHERE terms.term IS NOT NULL
  )
  SELECT a.term AS term, a.matched_at AS time, count(*) AS count
  FROM terms JOIN alert_matches a ON a.term = terms.term AND a.matched_at >= ? AND a.matched_at < ?
  GROUP BY a.term, a.matched_at`;

const topSql = (column: string): string =>
  `SELECT ${column} AS value, count(*) AS messages FROM messages WHERE ${IN_RANGE} AND ${column} IS NOT NULL
   GROUP BY ${column} ORDER BY messages DESC, value ASC LIMIT ?`;

export class SqliteAnalytics implements Analytics, AircraftRanking {
  readonly #db: Database;
  readonly #signal: Statement;
  readonly #freqs: Statement;
  readonly #timeline: Statement;
  readonly #aircraft: Statement;
  readonly #matches: Statement;

  constructor(db: Database) {
    this.#db = db;
    this.#signal = db.prepare(SIGNAL_SQL);
    this.#freqs = db.prepare(FREQ_SQL);
    this.#timeline = db.prepare(SQLITE_TIMELINE_SQL);
    this.#aircraft = db.prepare(AIRCRAFT_SQL);
    this.#matches = db.prepare(SQLITE_MATCHES_SQL);
  }

  async rates(range: Range, resolution: Resolution): Promise<RatesResult> {
    const span = bucketSpan(range, RESOLUTIONS[resolution]);
    const rows = span.count === 0 ? [] : (prepared(this.#db, sqliteRatesSql(span.step)).all(span.first, span.end) as RateRow[]);
    return ratesResult(span, rows);
  }

  async signal(range: Range): Promise<SignalResult> {
    checkRange(range);
    return signalResult(this.#signal.all(range.from, range.to) as TypedValueCount[]);
  }

  async frequencies(range: Range): Promise<FrequencyResult> {
    checkRange(range);
    return frequencyResult(this.#freqs.all(range.from, range.to) as TypedValueCount[]);
  }

  async top(range: Range, field: TopField, limit: number): Promise<TopResult> {
    checkRange(range);
    checkLimit(limit);
    const column = TOP_COLUMN[field];
    if (!column) throw new RangeError(`unknown field: ${String(field)}`);
    const rows = prepared(this.#db, topSql(column)).all(range.from, range.to, limit) as { value: unknown; messages: number }[];
    return { field, top: rows.map((r) => ({ value: String(r.value), messages: r.messages })) };
  }

  async timeline(range: Range, aircraftId: number): Promise<TimelineResult> {
    checkRange(range);
    return { aircraftId, messages: this.#timeline.all(aircraftId, range.from, range.to) as TimelineResult['messages'] };
  }

  async alertHits(range: Range, resolution: Resolution): Promise<AlertHitsResult> {
    const span = bucketSpan(range, RESOLUTIONS[resolution]);
    if (span.count === 0) return alertHitsResult(span, []);
    const w = fetchWindow(span);
    return alertHitsResult(span, this.#matches.all(w.from, w.to) as MatchRow[]);
  }

  async topAircraft(range: Range, limit: number): Promise<RankedAircraft[]> {
    checkRange(range);
    checkLimit(limit);
    return this.#aircraft.all(range.from, range.to, limit) as RankedAircraft[];
  }
}
