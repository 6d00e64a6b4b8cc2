/**
 * Proof that two Analytics (SQLite and the DuckDB mirror) answer alike: every query on both, over
 * one range, compared value by value. Only meaningful over a range the mirror holds entirely (its
 * hot window): older rows are in SQLite alone.
 */
import { TOP_FIELDS, type Analytics, type Range } from './analytics-types.js';

export interface RankedAircraft {
  aircraftId: number;
  messages: number;
}

/** Beside Analytics: which aircraft to compare timelines for. Both implementations have it. */
export interface AircraftRanking {
  /** Aircraft with most messages in the range: most first, then by id ascending; at most `limit`. */
  topAircraft(range: Range, limit: number): Promise<RankedAircraft[]>;
}

export interface Difference {
  query: string;
  /** JSON path of the first differing value ("$.series[0].messages[12]"), or "(error)". */
  path: string;
  a: unknown;
  b: unknown;
}

/** One side of a comparison: the analytics, and the ranking that picks the timelines compared. */
type Compared = Analytics & AircraftRanking;

/** Rows per ranking. */
const TOP_LIMIT = 20;
/** Timelines are compared for this many aircraft, those with most messages in the range. */
const TIMELINE_AIRCRAFT = 3;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The first place two JSON-like values differ (depth first, in order), or null. Numbers as JSON sees them: 0 equals -0. */
export function firstDifference(a: unknown, b: unknown, path = '$'): { path: string; a: unknown; b: unknown } | null {
  if (a === b) return null;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b) ? null : { path, a, b };
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return { path, a, b };
  if (Array.isArray(a) !== Array.isArray(b)) return { path, a, b };
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(a[i], b[i], child(path, i));
      if (d) return d;
    }
    return a.length === b.length ? null : { path: `${path}.length`, a: a.length, b: b.length };
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  for (const k of keys) {
    const d = firstDifference(ra[k], rb[k], child(path, k));
    if (d) return d;
  }
  return null;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs one query on both; the difference, if any (a query failing alike on both is no difference). */
async function check<T>(query: string, a: Compared, b: Compared, run: (x: Compared) => Promise<T>): Promise<{ diff: Difference | null; a: T | null; b: T | null }> {
  const [ra, rb] = await Promise.allSettled([run(a), run(b)]);
  if (ra.status === 'fulfilled' && rb.status === 'fulfilled') {
    const d = firstDifference(ra.value, rb.value);
    return { diff: d && { query, ...d }, a: ra.value, b: rb.value };
  }
  const sa = ra.status === 'rejected' ? `error: ${message(ra.reason)}` : 'ok';
  const sb = rb.status === 'rejected' ? `error: ${message(rb.reason)}` : 'ok';
  return { diff: sa === sb ? null : { query, path: '(error)', a: sa, b: sb }, a: null, b: null };
}

export async function compareAnalytics(a: Compared, b: Compared, range: Range): Promise<Difference[]> {
  const queries: [string, (x: Compared) => Promise<unknown>][] = [
    ['rates 1m', (x) => x.rates(range, '1m')],
    ['rates 1h', (x) => x.rates(range, '1h')],
    ['signal', (x) => x.signal(range)],
    ['frequencies', (x) => x.frequencies(range)],
    ...TOP_FIELDS.map((f): [string, (x: Compared) => Promise<unknown>] => [`top ${f}`, (x) => x.top(range, f, TOP_LIMIT)]),
    ['alertHits 1h', (x) => x.alertHits(range, '1h')],
  ];
  const out: Difference[] = [];
  for (const [query, run] of queries) {
    const { diff } = await check(query, a, b, run);
    if (diff) out.push(diff);
  }

  const r = await check('topAircraft', a, b, (x) => x.topAircraft(range, TIMELINE_AIRCRAFT));
  if (r.diff) out.push(r.diff);
  // Both sides' picks: an aircraft only one side ranks shows up as a timeline difference too.
  const ids = [...new Set([...(r.a ?? []), ...(r.b ?? [])].map((x) => x.aircraftId))];
  for (const id of ids) {
    const { diff } = await check(`timeline ${id}`, a, b, (x) => x.timeline(range, id));
    if (diff) out.push(diff);
  }
  return out;
}
