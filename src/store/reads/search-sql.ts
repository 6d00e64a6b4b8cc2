/**
 * The SQL of a search. Every filter is an exact predicate on `messages` (m); indexes only find
 * candidates faster. A search reads one or two "sides", each ordered newest first by id, each
 * able to stop after a page (no sort, no OFFSET):
 *
 * - `fts`: ACARS rows found through messages_fts, when text words, an identifier or the label can
 *   use it (the index holds exactly the rows with is_acars = 1);
 * - `link`: link frames (is_acars = 0) with that flight, tail or ICAO, through the partial
 *   messages_link_* index (migration 0009). Text, substring, label and msgno exist only on
 *   ACARS rows, so with one of those there is no link side;
 * - `all`: every row, read backwards by id, when no filter can use the full-text index.
 *
 * A time range becomes a range of ids first (spanSql, on messages_msg_time): the sides then read
 * only ids inside it and check msg_time per row (`+m.msg_time` keeps the planner off the time
 * index, which would return the range in time order and sort all of it for one page).
 */
import { MESSAGE_COLUMNS } from '../message-row.js';
import { ftsMatch } from './fts-match.js';
import { IDENTIFIERS, type Identifier, type IdentifierMatch, type SearchFilters } from './search-filters.js';

export type Param = string | number;

export interface Sql {
  sql: string;
  params: Param[];
}

export interface Side {
  kind: 'fts' | 'link' | 'all';
  match: string | null;
  /** The link side's index: the planner is not left to guess between it and the rowid. */
  indexedBy: string | null;
  where: string[];
  params: Param[];
}

/** Ids a page may come from: below `before`, within [lo, hi] (each null: unbounded). */
export interface IdRange {
  before: number | null;
  lo: number | null;
  hi: number | null;
}

type MessageColumn = (typeof MESSAGE_COLUMNS)[number];

/** Stored for the writer, the intel and maintenance; a message view does not read them. */
const NOT_VIEWED = ['airline', 'gs_addr', 'dedup_key', 'frame_index'] as const satisfies readonly MessageColumn[];
type ViewedColumn = Exclude<MessageColumn, (typeof NOT_VIEWED)[number]>;
const viewed = (c: MessageColumn): c is ViewedColumn => !(NOT_VIEWED as readonly MessageColumn[]).includes(c);

/** The columns a message view is built from (message-view.ts reads them by these names). */
export const VIEW_COLUMNS = ['id', ...MESSAGE_COLUMNS.filter(viewed), 'copies', 'heard_by', 'multipart_id', 'aircraft_id'] as const;

const SELECT = VIEW_COLUMNS.map((c) => `m.${c}`).join(', ');

/** The smallest string above every string that starts with `p` (p is printable ASCII: one byte per character). */
function prefixEnd(p: string): string {
  return p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
}

function identifierPredicate(name: Identifier, m: IdentifierMatch, where: string[], params: Param[]): void {
  // The link indexes are on exactly this expression.
  const e = `upper(trim(m.${name}))`;
  if (m.prefix) {
    where.push(`${e} >= ?`, `${e} < ?`);
    params.push(m.value, prefixEnd(m.value));
  } else {
    where.push(`${e} = ?`);
    params.push(m.value);
  }
}

/** The exact check of every filter but the text words (the index answers those exactly). */
function predicates(f: SearchFilters): { where: string[]; params: Param[] } {
  const where: string[] = [];
  const params: Param[] = [];
  const add = (sql: string, ...values: Param[]): void => {
    where.push(sql);
    params.push(...values);
  };
  for (const name of IDENTIFIERS) {
    const m = f[name];
    if (m !== undefined) identifierPredicate(name, m, where, params);
  }
  if (f.depa !== undefined) add('upper(trim(m.depa)) = ?', f.depa);
  if (f.dsta !== undefined) add('upper(trim(m.dsta)) = ?', f.dsta);
  if (f.label !== undefined) add('m.label = ?', f.label);
  if (f.msgno !== undefined) add('upper(m.msgno) = ?', f.msgno);
  if (f.station !== undefined) add('m.station_id = ? COLLATE NOCASE', f.station);
  if (f.type !== undefined) add('m.type = ?', f.type);
  if (f.freq !== undefined) add('m.freq BETWEEN ? AND ?', f.freq.min, f.freq.max);
  if (f.from !== undefined) add('+m.msg_time >= ?', f.from);
  if (f.to !== undefined) add('+m.msg_time < ?', f.to);
  // SQLite's lower() folds ASCII only; applied to both sides, the comparison stays consistent.
  if (f.substring !== undefined) add('instr(lower(m.text), lower(?)) > 0', f.substring);
  return { where, params };
}

/** Filters that only ACARS rows can satisfy: link frames carry no text, label or message number. */
function acarsOnly(f: SearchFilters): boolean {
  return f.text !== undefined || f.substring !== undefined || f.label !== undefined || f.msgno !== undefined;
}

export function searchSides(f: SearchFilters): Side[] {
  const p = predicates(f);
  const match = ftsMatch(f);
  if (match === null) return [{ kind: 'all', match: null, indexedBy: null, ...p }];
  const sides: Side[] = [{ kind: 'fts', match, indexedBy: null, ...p }];
  const ids = IDENTIFIERS.filter((n) => f[n] !== undefined);
  if (ids.length > 0 && !acarsOnly(f)) {
    // The partial indexes' own conditions, stated so the planner can use them.
    const partial = ['m.is_acars = 0', ...ids.map((n) => `m.${n} IS NOT NULL`)];
    sides.push({ kind: 'link', match: null, indexedBy: `messages_link_${ids[0]!}`, where: [...partial, ...p.where], params: p.params });
  }
  return sides;
}

/** FROM and WHERE of one side over an id range; `count` may skip the join when nothing else is checked. */
function fromWhere(side: Side, range: IdRange, forCount: boolean): { from: string; where: string[]; params: Param[]; id: string } {
  const where: string[] = [];
  const params: Param[] = [];
  let from: string;
  let id: string;
  if (side.kind === 'fts') {
    id = 'messages_fts.rowid';
    const join = !forCount || side.where.length > 0;
    from = join ? 'messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid' : 'messages_fts';
    where.push('messages_fts MATCH ?');
    params.push(side.match!);
  } else {
    id = 'm.id';
    from = side.indexedBy === null ? 'messages m' : `messages m INDEXED BY ${side.indexedBy}`;
  }
  where.push(...side.where);
  params.push(...side.params);
  if (range.before !== null) {
    where.push(`${id} < ?`);
    params.push(range.before);
  }
  if (range.lo !== null) {
    where.push(`${id} >= ?`);
    params.push(range.lo);
  }
  if (range.hi !== null) {
    where.push(`${id} <= ?`);
    params.push(range.hi);
  }
  return { from, where, params, id };
}

const whereClause = (where: string[]): string => (where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`);

/** Up to `limit` rows of one side, newest first. */
export function pageSql(side: Side, range: IdRange, limit: number): Sql {
  const q = fromWhere(side, range, false);
  return { sql: `SELECT ${SELECT} FROM ${q.from}${whereClause(q.where)} ORDER BY ${q.id} DESC LIMIT ?`, params: [...q.params, limit] };
}

/** The rows of one side. */
export function countSql(side: Side, range: IdRange): Sql {
  const q = fromWhere(side, range, true);
  return { sql: `SELECT count(*) FROM ${q.from}${whereClause(q.where)}`, params: q.params };
}

/** Rows in the time range and the ids they span, from the time index alone; null without a time range. */
export function spanSql(f: SearchFilters): Sql | null {
  const where: string[] = [];
  const params: Param[] = [];
  if (f.from !== undefined) {
    where.push('msg_time >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('msg_time < ?');
    params.push(f.to);
  }
  if (where.length === 0) return null;
  return { sql: `SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM messages${whereClause(where)}`, params };
}

/** The row with this id. */
export function byIdSql(id: number): Sql {
  return { sql: `SELECT ${SELECT} FROM messages m WHERE m.id = ?`, params: [id] };
}

/** True when the time range is the only filter: the span's count is then the total. */
export function onlyTime(f: SearchFilters): boolean {
  return Object.keys(f).every((k) => k === 'from' || k === 'to');
}
