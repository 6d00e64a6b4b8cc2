/**
 * The client side of the WebSocket protocol: requests are objects `{op, id, ...}` (JSON text, or
 * MessagePack with the `contrail.msgpack` subprotocol); every request gets exactly one reply
 * `{id, ok: true[, result]}` or `{id, ok: false, error: {code, message}}`.
 * Pure: parsing and validation only; docs/protocol.md is the contract.
 */
import { ContrailError } from '../errors.js';
import { parseAircraftQuery, type AircraftQuery } from '../store/reads/aircraft-queries.js';
import { parseAnalyticsRequest, type AnalyticsRequest } from '../analytics/analytics-request.js';
import { parseRecentRequest, parseSearchRequest, RECENT_LIMIT, type RecentRequest, type SearchRequest } from '../store/reads/search-request.js';
import { isMessageTopic, parseFilter, parseTopic, TOPIC_GRAMMAR, type Filter, type ParsedTopic } from './ws-topics.js';

export const PROTOCOL_VERSION = 2;

/** Operations that change the database or its alert terms: they need the admin token. */
export const ADMIN_OPS = ['alerts.add', 'alerts.remove', 'alerts.rescan', 'db.backup', 'db.migrate', 'db.restore'] as const;
export type AdminOp = (typeof ADMIN_OPS)[number];

export type ClientRequest =
  /** `history`: also the newest `limit` stored messages these subscriptions would have delivered, in the reply. */
  | { op: 'subscribe'; id: RequestId; topics: ParsedTopic[]; filter: Filter | null; history: { limit: number } | null }
  | { op: 'unsubscribe'; id: RequestId; topics: ParsedTopic[] }
  | { op: 'subscriptions'; id: RequestId }
  | { op: 'ping'; id: RequestId }
  | { op: 'auth'; id: RequestId; token: string }
  | { op: 'aircraft'; id: RequestId; query: AircraftQuery }
  | { op: 'analytics'; id: RequestId; request: AnalyticsRequest }
  | { op: 'search'; id: RequestId; request: SearchRequest }
  | { op: 'history'; id: RequestId; request: RecentRequest }
  | { op: 'alerts.terms' | 'db.status' | 'db.backups'; id: RequestId }
  | { op: 'alerts.add'; id: RequestId; term: unknown; regex: unknown; ignore: boolean }
  | { op: 'alerts.remove'; id: RequestId; term: string; ignore: boolean }
  | { op: 'alerts.rescan' | 'db.backup' | 'db.migrate'; id: RequestId }
  | { op: 'db.restore'; id: RequestId; backup: string };

export const OPS: readonly ClientRequest['op'][] = ['subscribe', 'unsubscribe', 'subscriptions', 'ping', 'auth', 'aircraft', 'analytics', 'search', 'history', 'alerts.terms', 'db.status', 'db.backups', ...ADMIN_OPS];

export type RequestId = string | number | null;

const ERROR_CODES = [
  'BAD_REQUEST',
  'TOO_LARGE',
  'UNKNOWN_OP',
  'UNKNOWN_TOPIC',
  'TOO_MANY_TOPICS',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'UNAVAILABLE',
  'BUSY',
  'TIMEOUT',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The reply code for an error from the engine's own parts (the HTTP API's status follows it too). */
export function replyCode(e: unknown): ErrorCode {
  const code = e instanceof ContrailError ? e.code : null;
  switch (code) {
    case 'CONTRAIL_ERR_USAGE':
    case 'CONTRAIL_ERR_BAD_REQUEST':
    case 'CONTRAIL_ERR_ALERT_TERM':
      return 'BAD_REQUEST';
    case 'CONTRAIL_ERR_NOT_FOUND':
      return 'NOT_FOUND';
    case 'CONTRAIL_ERR_LOCKED':
    case 'CONTRAIL_ERR_MIGRATION':
      return 'CONFLICT';
    case 'CONTRAIL_ERR_NOT_READY':
    case 'CONTRAIL_ERR_CLOSED':
    case 'CONTRAIL_ERR_WORKER':
      return 'UNAVAILABLE';
    case 'CONTRAIL_ERR_BUSY':
      return 'BUSY';
    case 'CONTRAIL_ERR_QUERY_TIMEOUT':
      return 'TIMEOUT';
    default:
      return 'INTERNAL';
  }
}

export class RequestError extends Error {
  constructor(
    readonly id: RequestId,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The id of a request, when it has a usable one. */
export function readId(value: unknown): RequestId {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** At most this many topic names in one request (the per-client limit is checked by the server). */
const MAX_TOPICS_PER_REQUEST = 256;

function readTopics(obj: Record<string, unknown>, id: RequestId): ParsedTopic[] {
  const topics = obj.topics;
  if (!Array.isArray(topics) || topics.length === 0) throw new RequestError(id, 'BAD_REQUEST', '"topics" must be a non-empty array of topic names');
  if (topics.length > MAX_TOPICS_PER_REQUEST) throw new RequestError(id, 'TOO_MANY_TOPICS', `at most ${MAX_TOPICS_PER_REQUEST} topics per request`);
  const out = new Map<string, ParsedTopic>();
  for (const t of topics) {
    const parsed = parseTopic(t);
    if (parsed === null) throw new RequestError(id, 'UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(t)}; topics are ${TOPIC_GRAMMAR}`);
    out.set(parsed.name, parsed);
  }
  return [...out.values()];
}

function readString(obj: Record<string, unknown>, id: RequestId, field: string, what: string): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.length === 0) throw new RequestError(id, 'BAD_REQUEST', `"${field}" must be ${what}`);
  return v;
}

/** `subscribe`'s `history`: how many stored messages, at most as many as the `history` op's `limit`. */
function readHistory(value: unknown, id: RequestId): { limit: number } {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > RECENT_LIMIT.max) {
    throw new RequestError(id, 'BAD_REQUEST', `"history" must be a whole number of messages, 1 to ${RECENT_LIMIT.max}, not ${JSON.stringify(value)}`);
  }
  return { limit: value };
}

/** Parses one decoded frame from a client. Throws RequestError (with the id when it could be read). */
export function parseRequest(value: unknown): ClientRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestError(null, 'BAD_REQUEST', 'request must be an object {"op": ..., "id": ...}');
  }
  const obj = value as Record<string, unknown>;
  const id = readId(obj);
  if (typeof obj.op !== 'string') throw new RequestError(id, 'UNKNOWN_OP', `"op" must name an operation; ops are ${OPS.join(', ')}`);
  switch (obj.op) {
    case 'subscribe': {
      const topics = readTopics(obj, id);
      const filter = readParams(id, () => parseFilter(obj.filter));
      if (filter !== null && !topics.some(isMessageTopic)) {
        throw new RequestError(id, 'BAD_REQUEST', '"filter" applies to message topics (messages, messages:TYPE, label:, flight:, tail:, aircraft:, station:)');
      }
      const history = obj.history === undefined || obj.history === null ? null : readHistory(obj.history, id);
      return { op: 'subscribe', id, topics, filter, history };
    }
    case 'unsubscribe':
      return { op: 'unsubscribe', id, topics: readTopics(obj, id) };
    case 'search':
      return { op: 'search', id, request: readParams(id, () => parseSearchRequest(stringParams(obj))) };
    case 'history':
      return { op: 'history', id, request: readParams(id, () => parseRecentRequest(stringParams(obj))) };
    case 'subscriptions':
    case 'ping':
    case 'alerts.terms':
    case 'db.status':
    case 'db.backups':
    case 'alerts.rescan':
    case 'db.backup':
    case 'db.migrate':
      return { op: obj.op, id };
    case 'auth':
      return { op: 'auth', id, token: readString(obj, id, 'token', 'the admin token (a non-empty string)') };
    case 'alerts.add':
      return { op: 'alerts.add', id, term: obj.term, regex: obj.regex, ignore: obj.ignore === true };
    case 'alerts.remove':
      return { op: 'alerts.remove', id, term: readString(obj, id, 'term', 'the term to remove'), ignore: obj.ignore === true };
    case 'db.restore':
      return { op: 'db.restore', id, backup: readString(obj, id, 'backup', 'the id of a backup (see db.backups)') };
    case 'aircraft':
      // `id` is the request's own: the aircraft's id goes in `aircraft`.
      return { op: 'aircraft', id, query: readParams(id, () => parseAircraftQuery(obj, 'aircraft')) };
    case 'analytics': {
      const query = obj.query;
      if (typeof query !== 'string') throw new RequestError(id, 'BAD_REQUEST', '"query" must name the analytics query: rates, signal, frequencies, top, timeline or alerts');
      // compare runs every query twice: an admin operation (HTTP, admin token), not a client one.
      if (query === 'compare') throw new RequestError(id, 'BAD_REQUEST', 'compare is an admin operation: GET /api/v1/analytics/compare with the admin token');
      return { op: 'analytics', id, request: readParams(id, () => parseAnalyticsRequest(query, stringParams(obj))) };
    }
    default:
      throw new RequestError(id, 'UNKNOWN_OP', `unknown op ${JSON.stringify(obj.op)}; ops are ${OPS.join(', ')}`);
  }
}

/** A request's own fields (not op or id) as the string parameters the HTTP API takes. */
function stringParams(obj: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'op' && k !== 'id' && v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** Runs a parameter parser; its refusal becomes a BAD_REQUEST reply naming the parameter. */
function readParams<T>(id: RequestId, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new RequestError(id, 'BAD_REQUEST', (e as Error).message);
  }
}

export function okReply(id: RequestId): { id: RequestId; ok: true } {
  return { id, ok: true };
}

/** The reply to a request that returns something. */
export function resultReply(id: RequestId, result: unknown): { id: RequestId; ok: true; result: unknown } {
  return { id, ok: true, result };
}

export function errorReply(e: RequestError): { id: RequestId; ok: false; error: { code: ErrorCode; message: string } } {
  return { id: e.id, ok: false, error: { code: e.code, message: e.message } };
}
