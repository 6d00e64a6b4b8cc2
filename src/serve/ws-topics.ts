/**
 * Topic names and filters of the WebSocket protocol, and how a client's subscriptions split
 * between uWS's native fan-out and the router (ws-router.ts). Pure.
 *
 * Native topics (`messages`, `messages:TYPE` without a filter, `alerts`, `stats`, `database`) are
 * published once and fanned out by uWS in C++. Everything narrower (a label, flight, tail,
 * aircraft or station, or any message topic with a filter) is matched per message by the router,
 * which skips the types a client already receives natively: each message reaches a client once,
 * however its subscriptions overlap.
 */
import { DECODER_TYPES, isDecoderType, type DecoderType } from '../decode/message.js';
import { FILTER_FIELDS, isMessageTopic, KEYED_FIELDS, type Filter, type FilterField, type KeyedField, type ParsedTopic, type Subscription } from '../routing/topic-match.js';

// Matching lives below serve/ (the reader threads' history uses it too); re-exported for its callers here.
export { deliversAny, filterMatches, isMessageTopic, routeKeys, type Filter, type ParsedTopic, type Subscription } from '../routing/topic-match.js';

const MAX_VALUE_LENGTH = 64;
/** An ICAO address once normalized: a value that cannot be one would silently match nothing. */
const ICAO = /^[0-9A-F]{6}$/;
const MAX_FILTER_VALUES = 64;

export const TOPIC_GRAMMAR = `messages, messages:<${DECODER_TYPES.join('|')}>, ${KEYED_FIELDS.map((f) => `${f}:<value>`).join(', ')}, alerts, stats, database`;

/** Flights, tails and ICAO addresses are matched upper-case and trimmed, as they are stored and searched. */
function normalize(field: KeyedField | FilterField, value: string): string {
  return field === 'label' || field === 'station' || field === 'type' ? value.trim() : value.trim().toUpperCase();
}

/** A topic name, or null when it is not one (the caller answers UNKNOWN_TOPIC). */
export function parseTopic(name: unknown): ParsedTopic | null {
  if (typeof name !== 'string') return null;
  if (name === 'messages') return { kind: 'messages', name, type: null };
  if (name === 'alerts' || name === 'stats' || name === 'database') return { kind: name, name };
  const colon = name.indexOf(':');
  if (colon < 0) return null;
  const head = name.slice(0, colon);
  const rest = name.slice(colon + 1);
  if (head === 'messages') return isDecoderType(rest) ? { kind: 'messages', name, type: rest } : null;
  if (!(KEYED_FIELDS as readonly string[]).includes(head)) return null;
  const field = head as KeyedField;
  const value = normalize(field, rest);
  if (value.length === 0 || value.length > MAX_VALUE_LENGTH) return null;
  if (field === 'aircraft' && !ICAO.test(value)) return null;
  return { kind: 'keyed', name: `${field}:${value}`, field, value };
}

/**
 * A request's `filter` object: `{"type": "VDL-M2", "label": ["H1", "5Z"], ...}`. Within a field
 * any value matches; all fields given must match. Throws an Error naming the bad part.
 */
export function parseFilter(value: unknown): Filter | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`"filter" must be an object with any of ${FILTER_FIELDS.join(', ')}`);
  const out: Filter = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!(FILTER_FIELDS as readonly string[]).includes(key)) throw new Error(`unknown filter field "${key}"; filter fields are ${FILTER_FIELDS.join(', ')}`);
    const field = key as FilterField;
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || list.length > MAX_FILTER_VALUES) throw new Error(`filter "${field}" takes 1 to ${MAX_FILTER_VALUES} values`);
    const values = new Set<string>();
    for (const item of list) {
      if (typeof item !== 'string' || item.trim().length === 0 || item.length > MAX_VALUE_LENGTH) throw new Error(`filter "${field}" values must be non-empty strings of at most ${MAX_VALUE_LENGTH} characters`);
      if (field === 'type' && !isDecoderType(item)) throw new Error(`filter "type" must be one of ${DECODER_TYPES.join(', ')}, not ${JSON.stringify(item)}`);
      const normalized = normalize(field, item);
      if (field === 'icao' && !ICAO.test(normalized)) throw new Error(`filter "icao" values must be 6 hex digits, not ${JSON.stringify(item)}`);
      values.add(normalized);
    }
    out[field] = values;
  }
  return Object.keys(out).length === 0 ? null : out;
}

/** The filter as the client wrote it (normalized), for the `subscriptions` reply. */
export function filterToJson(filter: Filter | null): Record<string, string[]> | null {
  if (filter === null) return null;
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, [...v]]));
}

export interface DeliveryPlan {
  /** Topics uWS fans out natively (without an encoding prefix). */
  native: Set<string>;
  /** Decoder types the native topics already deliver: the router skips them for this client. */
  nativeTypes: Set<DecoderType>;
  /** Router entries: index key (the topic name) and filter. */
  routed: Map<string, Filter | null>;
}

/** Splits a client's subscriptions between native topics and the router. */
export function planDelivery(subs: Iterable<Subscription>): DeliveryPlan {
  const plan: DeliveryPlan = { native: new Set(), nativeTypes: new Set(), routed: new Map() };
  const list = [...subs];
  const everything = list.some((s) => s.topic.kind === 'messages' && s.topic.type === null && s.filter === null);
  for (const { topic, filter } of list) {
    if (topic.kind === 'messages' && filter === null) {
      if (topic.type === null) {
        plan.native.add('messages');
        for (const t of DECODER_TYPES) plan.nativeTypes.add(t);
      } else if (!everything) {
        plan.native.add(topic.name);
        plan.nativeTypes.add(topic.type);
      }
    } else if (isMessageTopic(topic)) {
      // Nothing narrower can add to "every message".
      if (!everything) plan.routed.set(topic.name, filter);
    } else {
      plan.native.add(topic.name);
    }
  }
  return plan;
}
