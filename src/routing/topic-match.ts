/**
 * Which messages a subscription carries: topics and filters as parsed values, matched against the
 * routing meta the writer publishes with each message (MessageMeta). Pure, and below both the
 * live routing (serve/) and the stored history (store/reads/), so the two match alike: parsing
 * the WebSocket's topic names and filters stays in serve/ws-topics.ts.
 */
import type { DecoderType } from '../decode/message.js';
import type { MessageMeta } from '../store/publish-batch.js';

/** Topics keyed by a message field: `label:H1`, `flight:UAL123`, `tail:N12345`, `aircraft:A1B2C3`, `station:XA-KSEA`. */
export const KEYED_FIELDS = ['label', 'flight', 'tail', 'aircraft', 'station'] as const;
export type KeyedField = (typeof KEYED_FIELDS)[number];
/** The message field each keyed topic matches. */
export const KEYED_META: Readonly<Record<KeyedField, Exclude<keyof MessageMeta, 'type'>>> = { label: 'label', flight: 'flight', tail: 'tail', aircraft: 'icao', station: 'station' };

/** `name` is the topic as the router indexes it: `messages:<type>` for a typed one, `<field>:<value>` (normalized) for a keyed one. */
export type ParsedTopic =
  | { kind: 'messages'; name: string; type: DecoderType | null }
  | { kind: 'keyed'; name: string; field: KeyedField; value: string }
  | { kind: 'alerts' | 'stats' | 'database'; name: string };

/** Fields a filter may constrain; each takes one value or a list (any of them). */
export const FILTER_FIELDS = ['type', 'label', 'flight', 'tail', 'icao', 'station'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type Filter = Partial<Record<FilterField, ReadonlySet<string>>>;

export interface Subscription {
  topic: ParsedTopic;
  filter: Filter | null;
}

export function filterMatches(filter: Filter, m: MessageMeta): boolean {
  for (const field of FILTER_FIELDS) {
    const allowed = filter[field];
    if (allowed !== undefined && !allowed.has(m[field])) return false;
  }
  return true;
}

/** The router's index keys a message is found under (see MessageRouter). */
export function routeKeys(m: MessageMeta): string[] {
  const keys = ['messages', `messages:${m.type}`];
  for (const field of KEYED_FIELDS) {
    const value = m[KEYED_META[field]];
    if (value) keys.push(`${field}:${value}`);
  }
  return keys;
}

/** Topics that carry messages, and so take a filter. */
export function isMessageTopic(t: ParsedTopic): boolean {
  return t.kind === 'messages' || t.kind === 'keyed';
}

/**
 * Whether the message is found under the topic's key, as routeKeys lists them, without building
 * the list: a keyed topic's value is never empty, so it matches only a field that is set.
 */
function carries(topic: ParsedTopic, m: MessageMeta): boolean {
  switch (topic.kind) {
    case 'messages':
      return topic.type === null || topic.type === m.type;
    case 'keyed':
      return m[KEYED_META[topic.field]] === topic.value;
    default:
      return false;
  }
}

/**
 * Whether live delivery sends this message to any of these subscriptions: the message is found
 * under the topic's key and passes its filter, as in MessageRouter.route. The native topics
 * agree: `messages` and `messages:<type>` are among every message's keys. Topics that carry no
 * messages match none. Called per stored row by a subscribe's history, so it allocates nothing.
 */
export function deliversAny(subs: readonly Subscription[], m: MessageMeta): boolean {
  for (const { topic, filter } of subs) {
    if (carries(topic, m) && (filter === null || filterMatches(filter, m))) return true;
  }
  return false;
}
