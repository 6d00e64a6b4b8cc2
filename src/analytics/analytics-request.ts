/**
 * An analytics request as the HTTP API and the WebSocket receive it, validated once here: a bad
 * value is refused with a message naming it and what is allowed.
 */
import { ContrailError } from '../errors.js';
import { RESOLUTIONS, TOP_FIELDS, type Range, type Resolution, type TopField } from './analytics-types.js';

const ANALYTICS_QUERIES = ['rates', 'signal', 'frequencies', 'top', 'timeline', 'alerts', 'compare'] as const;
export type AnalyticsQuery = (typeof ANALYTICS_QUERIES)[number];

export interface AnalyticsRequest {
  query: AnalyticsQuery;
  range: Range;
  resolution: Resolution;
  field: TopField;
  limit: number;
  aircraftId: number | null;
  /** null: the configured DATA_SOURCE. */
  source: 'sqlite' | 'duckdb' | null;
}

const MAX_RANGE_S = 366 * 86_400 * 5;

/** Refuses a request: CONTRAIL_ERR_BAD_REQUEST (HTTP 400) with a message naming the value and what is allowed. */
export function bad(message: string): never {
  throw new ContrailError('CONTRAIL_ERR_BAD_REQUEST', message);
}

/** Epoch seconds, ISO 8601, or a relative `<n><s|m|h|d>` meaning that long before now. */
export function parseTime(name: string, raw: string, nowS: number): number {
  const rel = /^(\d+(?:\.\d+)?)([smhd])$/.exec(raw);
  if (rel) return nowS - Number(rel[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) bad(`${name} "${raw}" is not a time: give epoch seconds, an ISO 8601 time, or a duration ago such as 24h or 7d`);
  return ms / 1000;
}

/** From query-string style parameters (all strings or absent). */
export function parseAnalyticsRequest(query: string, p: Record<string, string | undefined>, nowS = Date.now() / 1000): AnalyticsRequest {
  if (!(ANALYTICS_QUERIES as readonly string[]).includes(query)) bad(`unknown analytics query "${query}": one of ${ANALYTICS_QUERIES.join(', ')}`);
  const to = p.to !== undefined && p.to !== '' ? parseTime('to', p.to, nowS) : nowS;
  const from = p.from !== undefined && p.from !== '' ? parseTime('from', p.from, nowS) : to - 86_400;
  if (!(from < to)) bad(`from (${from}) must be before to (${to})`);
  if (to - from > MAX_RANGE_S) bad(`the range is ${Math.round((to - from) / 86_400)} days: at most ${MAX_RANGE_S / 86_400}`);
  const resolution = (p.resolution ?? '1h') as Resolution;
  if (!(resolution in RESOLUTIONS)) bad(`resolution "${resolution}": one of ${Object.keys(RESOLUTIONS).join(', ')}`);
  const field = (p.field ?? 'flight') as TopField;
  if (!(TOP_FIELDS as readonly string[]).includes(field)) bad(`field "${field}": one of ${TOP_FIELDS.join(', ')}`);
  const limit = p.limit !== undefined && p.limit !== '' ? Number(p.limit) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) bad(`limit "${p.limit}": an integer from 1 to 1000`);
  let aircraftId: number | null = null;
  if (p.aircraft !== undefined && p.aircraft !== '') {
    aircraftId = Number(p.aircraft);
    if (!Number.isInteger(aircraftId) || aircraftId < 1) bad(`aircraft "${p.aircraft}": an aircraft id (a positive integer)`);
  }
  if (query === 'timeline' && aircraftId === null) bad('timeline needs aircraft=<id>');
  const source = p.source ?? null;
  if (source !== null && source !== 'sqlite' && source !== 'duckdb') bad(`source "${source}": sqlite or duckdb`);
  const buckets = (to - from) / RESOLUTIONS[resolution];
  if ((query === 'rates' || query === 'alerts') && buckets > 100_000) bad(`${Math.ceil(buckets)} buckets of ${resolution}: at most 100000, choose a coarser resolution`);
  return { query: query as AnalyticsQuery, range: { from, to }, resolution, field, limit, aircraftId, source };
}
