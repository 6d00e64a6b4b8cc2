/**
 * The analytics on the DuckDB hot mirror. The mirror has no per-minute counters: rates count
 * `messages` rows per bucket, filing each in its minute with the writer's own expression
 * (floor(msg_time / 60) * 60, IEEE doubles like JS) so that a row lands in the same minute, hence
 * the same bucket, as in SQLite's `counts_minute`. SQL returns exact groups; buckets.ts shapes the
 * answer. Times are bound as DOUBLE parameters.
 */
import { BIGINT, DOUBLE, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { RESOLUTIONS, type AlertHitsResult, type Analytics, type FrequencyResult, type Range, type RatesResult, type Resolution, type SignalResult, type TimelineResult, type TopField, type TopResult } from './analytics-types.js';
import { alertHitsResult, bucketSpan, bucketSql, checkLimit, checkRange, fetchWindow, frequencyResult, ratesResult, signalResult, TOP_COLUMN } from './buckets.js';
import type { AircraftRanking, RankedAircraft } from './compare-analytics.js';

const IN_RANGE = 'msg_time >= ? AND msg_time < ?';

/**
 * Bound: fetch window (first - 60, end + 60: lets zone maps skip the rest), first, end. Rows are
 * kept by their minute, as SQLite's counters keep them.
 */
function duckdbRatesSql(step: number): string {
  return `WITH m AS (
      SELECT type, error, CAST(floor(msg_time / 60) * 60 AS BIGINT) AS minute FROM messages WHERE ${IN_RANGE}
    )
    SELECT ${bucketSql('minute', step)} AS bucket, type, count(*) AS messages, count(*) FILTER (WHERE error > 0) AS errors
    FROM m WHERE minute >= ? AND minute < ? GROUP BY ALL`;
}

const SIGNAL_SQL = `SELECT type, level, count(*) FROM messages WHERE ${IN_RANGE} AND level IS NOT NULL GROUP BY type, level`;
const FREQ_SQL = `SELECT type, freq, count(*) FROM messages WHERE ${IN_RANGE} AND freq IS NOT NULL GROUP BY type, freq`;
const TIMELINE_SQL = `SELECT id, msg_time, type, label, msg_time - lag(msg_time) OVER (ORDER BY msg_time, id) AS gap
  FROM messages WHERE aircraft_id = ? AND ${IN_RANGE} ORDER BY msg_time, id`;
const AIRCRAFT_SQL = `SELECT aircraft_id, count(*) AS messages FROM messages
  WHERE ${IN_RANGE} AND aircraft_id IS NOT NULL GROUP BY aircraft_id ORDER BY messages DESC, aircraft_id ASC LIMIT ?`;
const MATCHES_SQL = 'SELECT term, matched_at, count(*) FROM alert_matches WHERE matched_at >= ? AND matched_at < ? GROUP BY term, matched_at';

const topSql = (column: string): string =>
  `SELECT ${column} AS value, count(*) AS messages FROM messages WHERE ${IN_RANGE} AND ${column} IS NOT NULL
   GROUP BY ${column} ORDER BY messages DESC, value ASC LIMIT ?`;

/** DuckDB gives BIGINT (and every count) as bigint. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`expected a number from DuckDB, got ${String(v)}`);
}

function numOrNull(v: unknown): number | null {
  return v === null ? null : num(v);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  throw new TypeError(`expected a string from DuckDB, got ${String(v)}`);
}

function strOrNull(v: unknown): string | null {
  return v === null ? null : str(v);
}

export class DuckdbAnalytics implements Analytics, AircraftRanking {
  readonly #conn: DuckDBConnection;

  constructor(conn: DuckDBConnection) {
    this.#conn = conn;
  }

  async #rows(sql: string, values: DuckDBValue[], types: DuckDBType[]): Promise<DuckDBValue[][]> {
    return (await this.#conn.runAndReadAll(sql, values, types)).getRows();
  }

  async rates(range: Range, resolution: Resolution): Promise<RatesResult> {
    const span = bucketSpan(range, RESOLUTIONS[resolution]);
    if (span.count === 0) return ratesResult(span, []);
    const w = fetchWindow(span);
    const rows = await this.#rows(duckdbRatesSql(span.step), [w.from, w.to, span.first, span.end], [DOUBLE, DOUBLE, DOUBLE, DOUBLE]);
    return ratesResult(
      span,
      rows.map(([bucket, type, messages, errors]) => ({ bucket: num(bucket), type: str(type), messages: num(messages), errors: num(errors) })),
    );
  }

  async signal(range: Range): Promise<SignalResult> {
    checkRange(range);
    const rows = await this.#rows(SIGNAL_SQL, [range.from, range.to], [DOUBLE, DOUBLE]);
    return signalResult(rows.map(([type, value, count]) => ({ type: str(type), value: num(value), count: num(count) })));
  }

  async frequencies(range: Range): Promise<FrequencyResult> {
    checkRange(range);
    const rows = await this.#rows(FREQ_SQL, [range.from, range.to], [DOUBLE, DOUBLE]);
    return frequencyResult(rows.map(([type, value, count]) => ({ type: str(type), value: num(value), count: num(count) })));
  }

  async top(range: Range, field: TopField, limit: number): Promise<TopResult> {
    checkRange(range);
    checkLimit(limit);
    const column = TOP_COLUMN[field];
    if (!column) throw new RangeError(`unknown field: ${String(field)}`);
    const rows = await this.#rows(topSql(column), [range.from, range.to, BigInt(limit)], [DOUBLE, DOUBLE, BIGINT]);
    return { field, top: rows.map(([value, messages]) => ({ value: str(value), messages: num(messages) })) };
  }

  async timeline(range: Range, aircraftId: number): Promise<TimelineResult> {
    checkRange(range);
    if (!Number.isSafeInteger(aircraftId)) return { aircraftId, messages: [] };
    const rows = await this.#rows(TIMELINE_SQL, [BigInt(aircraftId), range.from, range.to], [BIGINT, DOUBLE, DOUBLE]);
    return {
      aircraftId,
      messages: rows.map(([id, time, type, label, gap]) => ({ id: num(id), time: num(time), type: str(type), label: strOrNull(label), gap: numOrNull(gap) })),
    };
  }

  async alertHits(range: Range, resolution: Resolution): Promise<AlertHitsResult> {
    const span = bucketSpan(range, RESOLUTIONS[resolution]);
    if (span.count === 0) return alertHitsResult(span, []);
    const w = fetchWindow(span);
    const rows = await this.#rows(MATCHES_SQL, [w.from, w.to], [DOUBLE, DOUBLE]);
    return alertHitsResult(span, rows.map(([term, time, count]) => ({ term: str(term), time: num(time), count: num(count) })));
  }

  async topAircraft(range: Range, limit: number): Promise<RankedAircraft[]> {
    checkRange(range);
    checkLimit(limit);
    const rows = await this.#rows(AIRCRAFT_SQL, [range.from, range.to, BigInt(limit)], [DOUBLE, DOUBLE, BIGINT]);
    return rows.map(([aircraftId, messages]) => ({ aircraftId: num(aircraftId), messages: num(messages) }));
  }
}
