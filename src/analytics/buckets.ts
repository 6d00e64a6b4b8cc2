/**
 * What the SQLite and DuckDB analytics share, so that their answers are equal by construction:
 * the SQL on each side returns exact groups (integer counts by raw values), and everything
 * computed from them (bucket alignment, zero-fill, histograms, percentiles, order) is done here,
 * once, in JS.
 *
 * Time buckets: a time t lies in the minute m = floor(t / 60) * 60, exactly as the writer files it
 * in `counts_minute`, and in the bucket floor(m / step) * step (every resolution is whole
 * minutes, so that is the bucket holding t). A bucketed query over [from, to) counts every time
 * whose minute lies in whole buckets, from the bucket holding `from` to the one holding `to - ε`:
 * the range is widened to whole steps, because the per-minute counters cannot split a minute.
 */
import { DECODER_TYPES } from '../decode/message.js';
import type { AlertHitsResult, FrequencyResult, Range, RatesResult, SignalResult, TopField } from './analytics-types.js';

/** A bucketed answer larger than this is refused: 1 minute buckets over about two years. */
const MAX_BUCKETS = 1_100_000;

/** The column each ranking reads (the same name on both sides). */
export const TOP_COLUMN: Readonly<Record<TopField, string>> = {
  flight: 'flight',
  tail: 'tail',
  label: 'label',
  station: 'station_id',
  airline: 'airline',
};

export function checkRange(range: Range): void {
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to)) throw new RangeError(`range bounds must be finite numbers: [${range.from}, ${range.to})`);
}

/** A row limit: a whole number from 0. */
export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0: ${limit}`);
}

/** Whole buckets [first, end) a range covers; count 0 for an empty range (to <= from). */
export interface BucketSpan {
  step: number;
  first: number;
  end: number;
  count: number;
}

export function bucketSpan(range: Range, step: number): BucketSpan {
  checkRange(range);
  if (!Number.isInteger(step) || step <= 0 || step % 60 !== 0) throw new RangeError(`step must be whole minutes: ${step}`);
  const first = Math.floor(range.from / step) * step;
  if (!(range.to > range.from)) return { step, first, end: first, count: 0 };
  const end = Math.ceil(range.to / step) * step;
  const count = Math.round((end - first) / step);
  if (count > MAX_BUCKETS) throw new RangeError(`${count} buckets of ${step} s: more than ${MAX_BUCKETS}, use a coarser resolution`);
  return { step, first, end, count };
}

function bucketStarts(span: BucketSpan): number[] {
  return Array.from({ length: span.count }, (_, i) => span.first + i * span.step);
}

/** The minute a time is counted in, computed as the writer computes it. */
function minuteOf(t: number): number {
  return Math.floor(t / 60) * 60;
}

/** Bucket start of a minute (integer arithmetic, floor also below 0); the SQL on both sides uses the same expression. */
export function bucketOfMinute(minute: number, step: number): number {
  return minute - (((minute % step) + step) % step);
}

/** SQL for bucketOfMinute over an integer column; `step` must be a whole number (it is inlined). */
export function bucketSql(column: string, step: number): string {
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`step must be a positive integer: ${step}`);
  return `${column} - ((${column} % ${step}) + ${step}) % ${step}`;
}

/**
 * Raw times to fetch so that every time whose minute is in the span is included: one minute more
 * on each side, then filtered by minute in JS (a time a hair under a minute boundary can round
 * into the next minute).
 */
export function fetchWindow(span: BucketSpan): Range {
  return { from: span.first - 60, to: span.end + 60 };
}

/** Index of a time's bucket in the span, or -1 when its minute is outside. */
export function bucketIndexOfTime(span: BucketSpan, t: number): number {
  const minute = minuteOf(t);
  if (minute < span.first || minute >= span.end) return -1;
  return Math.round((bucketOfMinute(minute, span.step) - span.first) / span.step);
}

// Order

const TYPE_RANK = new Map<string, number>(DECODER_TYPES.map((t, i) => [t, i]));

/**
 * Code point order, which is also the byte order of UTF-8 strings that SQLite (BINARY) and DuckDB
 * sort by: JS's `<` compares UTF-16 units and puts U+E000..U+FFFF after astral characters.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

function unitRank(u: number): number {
  if (u < 0xd800) return u;
  return u >= 0xe000 ? u - 0x800 : u + 0x2000; // surrogates after every BMP unit
}

/** Decoder types in DECODER_TYPES order, then any other type by code point. */
export function compareTypes(a: string, b: string): number {
  const ra = TYPE_RANK.get(a) ?? TYPE_RANK.size;
  const rb = TYPE_RANK.get(b) ?? TYPE_RANK.size;
  return ra !== rb ? ra - rb : compareCodePoints(a, b);
}

function groupBy<R>(rows: readonly R[], key: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

// Distributions

/** A raw value and how many rows hold it. */
export interface ValueCount {
  value: number;
  count: number;
}

/** Ascending by value, equal values merged. */
export function sortedCounts(pairs: readonly ValueCount[]): ValueCount[] {
  const sorted = pairs.filter((p) => p.count > 0).sort((x, y) => x.value - y.value);
  const out: ValueCount[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.value === p.value) last.count += p.count;
    else out.push({ value: p.value, count: p.count });
  }
  return out;
}

/** 1 dB buckets [floor(level), count], ascending. */
export function histogram1dB(sorted: readonly ValueCount[]): [number, number][] {
  const out: [number, number][] = [];
  for (const p of sorted) {
    const bucket = Math.floor(p.value) + 0; // + 0: no -0 bucket
    const last = out[out.length - 1];
    if (last && last[0] === bucket) last[1] += p.count;
    else out.push([bucket, p.count]);
  }
  return out;
}

/**
 * Nearest-rank percentile of values given ascending with counts: the smallest value whose
 * cumulative count reaches ceil(p / 100 * n) (at least 1). p * n / 100 is computed in that
 * order: p * n is an exact integer, so a whole rank is never pushed up by rounding (0.1 * 30 is
 * 3.0000000000000004).
 */
export function percentile(sorted: readonly ValueCount[], p: number): number {
  const n = sorted.reduce((s, x) => s + x.count, 0);
  if (n === 0) throw new RangeError('percentile of no values');
  const rank = Math.max(1, Math.ceil((p * n) / 100));
  let seen = 0;
  for (const x of sorted) {
    seen += x.count;
    if (seen >= rank) return x.value;
  }
  return sorted[sorted.length - 1]!.value;
}

// Results from rows

export interface RateRow {
  bucket: number;
  type: string;
  messages: number;
  errors: number;
}

/** Zero-filled series per type with stored messages in the span (a type with only duplicates or error corrections is left out). */
export function ratesResult(span: BucketSpan, rows: readonly RateRow[]): RatesResult {
  const series: RatesResult['series'] = [];
  for (const [type, list] of groupBy(rows, (r) => r.type)) {
    const messages = new Array<number>(span.count).fill(0);
    const errors = new Array<number>(span.count).fill(0);
    for (const r of list) {
      const i = Math.round((r.bucket - span.first) / span.step);
      if (i < 0 || i >= span.count) throw new RangeError(`bucket ${r.bucket} outside [${span.first}, ${span.end})`);
      messages[i]! += r.messages;
      errors[i]! += r.errors;
    }
    if (messages.some((m) => m > 0)) series.push({ type, messages, errors });
  }
  series.sort((a, b) => compareTypes(a.type, b.type));
  return { step: span.step, buckets: bucketStarts(span), series };
}

export interface TypedValueCount {
  type: string;
  value: number;
  count: number;
}

export function signalResult(rows: readonly TypedValueCount[]): SignalResult {
  const decoders: SignalResult['decoders'] = [];
  for (const [type, list] of groupBy(rows, (r) => r.type)) {
    const sorted = sortedCounts(list);
    const count = sorted.reduce((s, x) => s + x.count, 0);
    if (count === 0) continue;
    decoders.push({ type, count, histogram: histogram1dB(sorted), p10: percentile(sorted, 10), p50: percentile(sorted, 50), p90: percentile(sorted, 90) });
  }
  decoders.sort((a, b) => compareTypes(a.type, b.type));
  return { decoders };
}

/** Frequencies ascending within each decoder. */
export function frequencyResult(rows: readonly TypedValueCount[]): FrequencyResult {
  const decoders: FrequencyResult['decoders'] = [];
  for (const [type, list] of groupBy(rows, (r) => r.type)) {
    const freqs = sortedCounts(list).map((x) => ({ freq: x.value, messages: x.count }));
    if (freqs.length > 0) decoders.push({ type, freqs });
  }
  decoders.sort((a, b) => compareTypes(a.type, b.type));
  return { decoders };
}

export interface MatchRow {
  term: string;
  time: number;
  count: number;
}

/** Rows fetched over fetchWindow(span); terms by code point. */
export function alertHitsResult(span: BucketSpan, rows: readonly MatchRow[]): AlertHitsResult {
  const terms: AlertHitsResult['terms'] = [];
  for (const [term, list] of groupBy(rows, (r) => r.term)) {
    const hits = new Array<number>(span.count).fill(0);
    let any = false;
    for (const r of list) {
      const i = bucketIndexOfTime(span, r.time);
      if (i < 0) continue;
      hits[i]! += r.count;
      any = true;
    }
    if (any) terms.push({ term, hits });
  }
  terms.sort((a, b) => compareCodePoints(a.term, b.term));
  return { step: span.step, buckets: bucketStarts(span), terms };
}
