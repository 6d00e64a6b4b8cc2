/**
 * The client side of the WebSocket protocol: requests are JSON objects `{op, id, ...}`; every
 * request gets exactly one reply `{id, ok: true}` or `{id, ok: false, error: {code, message}}`.
 * Pure: parsing and validation only; docs/protocol.md is the contract.
 */
import { DECODER_TYPES, isDecoderType } from '../decode/message.js';
import { parseAircraftQuery, type AircraftQuery } from '../store/reads/aircraft-queries.js';
import { parseAnalyticsRequest, type AnalyticsRequest } from '../analytics/analytics-request.js';
import { parseRecentRequest, parseSearchRequest, type RecentRequest, type SearchRequest } from '../store/reads/search-request.js';

export const PROTOCOL_VERSION = 1;

export type Topic = 'messages' | `messages:${(typeof DECODER_TYPES)[number]}` | 'alerts' | 'stats';

export type ClientRequest =
  /** `history`: also the newest N stored messages (of every type), in the reply. */
  | { op: 'subscribe'; id: RequestId; topics: Topic[]; history: RecentRequest | null }
  | { op: 'unsubscribe'; id: RequestId; topics: Topic[] }
  | { op: 'ping'; id: RequestId }
  | { op: 'aircraft'; id: RequestId; query: AircraftQuery }
  | { op: 'analytics'; id: RequestId; request: AnalyticsRequest }
  | { op: 'search'; id: RequestId; request: SearchRequest }
  | { op: 'history'; id: RequestId; request: RecentRequest };

export type RequestId = string | number | null;

export type ErrorCode = 'BAD_REQUEST' | 'UNKNOWN_OP' | 'UNKNOWN_TOPIC' | 'TOO_MANY_TOPICS' | 'UNAVAILABLE' | 'BUSY' | 'TIMEOUT' | 'RATE_LIMITED' | 'INTERNAL';

export class RequestError extends Error {
  constructor(
    readonly id: RequestId,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const ALL_TOPICS: readonly Topic[] = ['messages', ...DECODER_TYPES.map((t) => `messages:${t}` as Topic), 'alerts', 'stats'];

export function isTopic(value: unknown): value is Topic {
  if (value === 'messages' || value === 'alerts' || value === 'stats') return true;
  return typeof value === 'string' && value.startsWith('messages:') && isDecoderType(value.slice('messages:'.length));
}

function readId(obj: Record<string, unknown>): RequestId {
  const id = obj.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

function readTopics(obj: Record<string, unknown>, id: RequestId): Topic[] {
  const topics = obj.topics;
  if (!Array.isArray(topics) || topics.length === 0) throw new RequestError(id, 'BAD_REQUEST', '"topics" must be a non-empty array of topic names');
  if (topics.length > ALL_TOPICS.length) throw new RequestError(id, 'TOO_MANY_TOPICS', `at most ${ALL_TOPICS.length} topics per request`);
  for (const t of topics) {
    if (!isTopic(t)) throw new RequestError(id, 'UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(t)}; topics are ${ALL_TOPICS.join(', ')}`);
  }
  return topics as Topic[];
}

/** Parses one text frame from a client. Throws RequestError (with the id when it could be read). */
export function parseRequest(text: string): ClientRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError(null, 'BAD_REQUEST', 'request is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestError(null, 'BAD_REQUEST', 'request must be a JSON object {"op": ..., "id": ...}');
  }
  const obj = value as Record<string, unknown>;
  const id = readId(obj);
  switch (obj.op) {
    case 'subscribe': {
      const topics = readTopics(obj, id);
      if (obj.history === undefined || obj.history === null) return { op: 'subscribe', id, topics, history: null };
      return { op: 'subscribe', id, topics, history: readParams(id, () => parseRecentRequest({ limit: String(obj.history) })) };
    }
    case 'unsubscribe':
      return { op: obj.op, id, topics: readTopics(obj, id) };
    case 'search':
      return { op: 'search', id, request: readParams(id, () => parseSearchRequest(stringParams(obj))) };
    case 'history':
      return { op: 'history', id, request: readParams(id, () => parseRecentRequest(stringParams(obj))) };
    case 'ping':
      return { op: 'ping', id };
    case 'aircraft':
      // `id` is the request's own: the aircraft's id goes in `aircraft`.
      return { op: 'aircraft', id, query: readParams(id, () => parseAircraftQuery({ ...obj, id: obj.aircraft })) };
    case 'analytics': {
      const query = obj.query;
      if (typeof query !== 'string') throw new RequestError(id, 'BAD_REQUEST', '"query" must name the analytics query: rates, signal, frequencies, top, timeline or alerts');
      // compare runs every query twice: an admin operation (HTTP, admin token), not a client one.
      if (query === 'compare') throw new RequestError(id, 'BAD_REQUEST', 'compare is an admin operation: GET /api/v1/analytics/compare with the admin token');
      return { op: 'analytics', id, request: readParams(id, () => parseAnalyticsRequest(query, stringParams(obj))) };
    }
    default:
      throw new RequestError(id, 'UNKNOWN_OP', `unknown op ${JSON.stringify(obj.op)}; ops are subscribe, unsubscribe, ping, aircraft, analytics, search, history`);
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

export function okReply(id: RequestId): string {
  return JSON.stringify({ id, ok: true });
}

/** The reply to a request that returns something (aircraft lookups). */
export function resultReply(id: RequestId, result: unknown): string {
  return JSON.stringify({ id, ok: true, result });
}

export function errorReply(e: RequestError): string {
  return JSON.stringify({ id: e.id, ok: false, error: { code: e.code, message: e.message } });
}

/**
 * uWS topics a client must be subscribed to so that it receives each message exactly once:
 * "messages" covers every type, so per-type topics are dropped when it is present.
 */
export function uwsTopicsFor(topics: ReadonlySet<Topic>): Topic[] {
  if (!topics.has('messages')) return [...topics];
  return [...topics].filter((t) => !t.startsWith('messages:'));
}
