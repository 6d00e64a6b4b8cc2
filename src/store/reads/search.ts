/**
 * Search and history over a read-only connection: newest first by id, keyset pages (the next
 * page starts below the last id returned; never OFFSET), every filter applied together. A first
 * page also counts what the search finds, once: later pages carry that total in their cursor.
 * Each page and its count read one snapshot (one read transaction), so the total covers the
 * page; rows stored after the first page have higher ids and never shift later pages.
 */
import { ContrailError } from '../../errors.js';
import type { Db } from '../open-database.js';
import { messageViews, type MessageView, type ViewRow } from './message-view.js';
import { prepared } from './prepared.js';
import { encodeCursor } from './search-cursor.js';
import type { SearchFilters } from './search-filters.js';
import type { RecentRequest, SearchRequest } from './search-request.js';
import { byIdSql, countSql, onlyTime, pageSql, searchSides, spanSql, type IdRange, type Side } from './search-sql.js';

export interface SearchPage {
  messages: MessageView[];
  /** The cursor of the next page; null on the last one. */
  next: string | null;
  /** Messages the search finds, counted when its first page was read. */
  total: number;
}

interface Span {
  n: number;
  lo: number | null;
  hi: number | null;
}

function span(db: Db, f: SearchFilters): Span | null {
  const s = spanSql(f);
  return s === null ? null : (prepared(db, s.sql).get(...s.params) as Span);
}

/**
 * The ids a first page may come from: those the time range spans (all without one). Null when the
 * time range holds no row; `n`: the rows in the time range (null without one).
 */
function firstRange(db: Db, f: SearchFilters): { range: IdRange; n: number | null } | null {
  const s = span(db, f);
  if (s !== null && s.n === 0) return null;
  return { range: { before: null, lo: s?.lo ?? null, hi: s?.hi ?? null }, n: s?.n ?? null };
}

/** The newest `limit` + 1 rows of the sides together (the extra one says whether a next page exists). */
function page(db: Db, sides: Side[], range: IdRange, limit: number): ViewRow[] {
  const rows: ViewRow[] = [];
  for (const side of sides) {
    const q = pageSql(side, range, limit + 1);
    rows.push(...(prepared(db, q.sql).all(...q.params) as ViewRow[]));
  }
  // Sides hold disjoint rows (is_acars 1 or 0), each already newest first.
  if (sides.length > 1) rows.sort((a, b) => (b.id as number) - (a.id as number));
  return rows.slice(0, limit + 1);
}

function count(db: Db, sides: Side[], range: IdRange): number {
  let n = 0;
  for (const side of sides) {
    const q = countSql(side, range);
    n += prepared(db, q.sql).pluck().get(...q.params) as number;
  }
  return n;
}

export function search(db: Db, r: SearchRequest): SearchPage {
  const f = r.filters;
  return db.transaction((): SearchPage => {
    let range: IdRange;
    let total: number | null = null;
    if (r.cursor !== null) {
      range = { before: r.cursor.before, lo: r.cursor.lo, hi: null };
      total = r.cursor.total;
    } else {
      const first = firstRange(db, f);
      if (first === null) return { messages: [], next: null, total: 0 };
      range = first.range;
      if (first.n !== null && onlyTime(f)) total = first.n;
    }
    const sides = searchSides(f);
    const rows = page(db, sides, range, r.limit);
    total ??= count(db, sides, range);
    const shown = rows.slice(0, r.limit);
    const last = shown.at(-1);
    const next =
      rows.length > r.limit && last !== undefined
        ? encodeCursor(r.hash, { before: last.id as number, lo: range.lo, total, from: f.from ?? null, to: f.to ?? null })
        : null;
    return { messages: messageViews(db, shown), next, total };
  })();
}

/** The newest messages matching the filters (history): a search's first page without the count. */
export function recent(db: Db, r: RecentRequest): { messages: MessageView[] } {
  return db.transaction(() => {
    const first = firstRange(db, r.filters);
    if (first === null) return { messages: [] };
    const rows = page(db, searchSides(r.filters), first.range, r.limit);
    return { messages: messageViews(db, rows.slice(0, r.limit)) };
  })();
}

export function messageById(db: Db, id: number): MessageView | null {
  if (!Number.isSafeInteger(id) || id < 1) throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', `message id "${id}": a positive integer`);
  const q = byIdSql(id);
  const row = prepared(db, q.sql).get(...q.params) as ViewRow | undefined;
  return row === undefined ? null : messageViews(db, [row])[0]!;
}
