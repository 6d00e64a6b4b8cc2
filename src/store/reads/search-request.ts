/**
 * A search request and a history request as the reader threads take them: validated filters, a
 * page size and, for a search's later pages, the decoded cursor. Parsed on the main thread from
 * URL parameters; plain data, so it crosses to a reader thread as is.
 */
import { decodeCursor, type CursorState } from './search-cursor.js';
import { FILTER_PARAMETERS, filtersHash, intParam, parseFilters, refuseUnknown, type SearchFilters } from './search-filters.js';

export interface SearchRequest {
  filters: SearchFilters;
  /** filtersHash() of the filters, for the next page's cursor. */
  hash: string;
  limit: number;
  cursor: CursorState | null;
}

export interface RecentRequest {
  filters: SearchFilters;
  limit: number;
}

const SEARCH_LIMIT = { max: 500, fallback: 50 };
/** ACARS Hub shows the last 250 messages; history (and a subscribe's `history`) goes up to 1,000. */
export const RECENT_LIMIT = Object.freeze({ max: 1000, fallback: 250 });

const SEARCH_PARAMETERS = [...FILTER_PARAMETERS, 'limit', 'cursor'];
const RECENT_PARAMETERS = [...FILTER_PARAMETERS, 'limit'];

type Params = Record<string, string | undefined>;

export function parseSearchRequest(p: Params, nowS = Date.now() / 1000): SearchRequest {
  refuseUnknown(p, SEARCH_PARAMETERS);
  const filters = parseFilters(p, nowS);
  const hash = filtersHash(filters, p);
  const limit = intParam(p, 'limit', 1, SEARCH_LIMIT.max, SEARCH_LIMIT.fallback);
  const raw = p.cursor;
  const cursor = raw === undefined || raw === '' ? null : decodeCursor(raw, hash);
  if (cursor !== null) {
    // A relative time (`24h`) means the first page's window on every page.
    delete filters.from;
    delete filters.to;
    if (cursor.from !== null) filters.from = cursor.from;
    if (cursor.to !== null) filters.to = cursor.to;
  }
  return { filters, hash, limit, cursor };
}

export function parseRecentRequest(p: Params, nowS = Date.now() / 1000): RecentRequest {
  refuseUnknown(p, RECENT_PARAMETERS);
  return { filters: parseFilters(p, nowS, false), limit: intParam(p, 'limit', 1, RECENT_LIMIT.max, RECENT_LIMIT.fallback) };
}
