/**
 * What each WebSocket client of the clients process (ws-clients.ts) subscribes to and how it reads
 * what arrives. The e2e trials use `topicsPlan` (client 0 everything, the others one decoder type
 * each); the fanout part builds its own plans (narrow topics, filters, MessagePack).
 */
import type { DecoderType } from '../../src/decode/message.js';

/** One `subscribe` request: its topics and the optional filter that applies to them. */
export interface ClientSubscription {
  topics: string[];
  filter?: Record<string, string[]>;
}

export interface ClientPlan {
  /** Sent as one `subscribe` request each, in order, once the socket is open. */
  subscriptions: ClientSubscription[];
  /** JSON text frames (default) or MessagePack binary frames (offers the `contrail.msgpack` subprotocol). */
  encoding?: 'json' | 'msgpack';
  /** Records latency from each message's `time` and `receivedAt` (JSON only; client 0). */
  measure?: boolean;
  /**
   * Reads each message's id with a byte scan (no parse) and counts ids received more than once;
   * the ids received are kept as a bitset the report can hand back.
   */
  checkIds?: boolean;
  /** MessagePack: decodes every frame with msgpackr's `unpack` (client CPU); otherwise frames are only counted. */
  unpack?: boolean;
}

/** The decoder types the e2e 'mixed' clients (and fanout's filters) spread over. */
export const TYPES: readonly DecoderType[] = ['ACARS', 'VDL-M2', 'HFDL'];

/** The e2e default: client 0 subscribes to every message and measures; the others to one decoder type each ('mixed') or to every message ('all'). */
export function topicsPlan(clients: number, topics: 'mixed' | 'all'): ClientPlan[] {
  const plan: ClientPlan[] = [{ subscriptions: [{ topics: ['messages'] }], measure: true }];
  for (let k = 1; k < clients; k++) plan.push({ subscriptions: [{ topics: [topics === 'all' ? 'messages' : `messages:${TYPES[k % TYPES.length]}`] }] });
  return plan;
}

/** The one unfiltered message topic a client's plan holds (native fan-out in uWS), or null for anything else. */
export function singleMessageTopic(p: ClientPlan): string | null {
  const [only, ...rest] = p.subscriptions;
  if (!only || rest.length > 0 || only.filter || only.topics.length !== 1) return null;
  const topic = only.topics[0]!;
  return topic === 'messages' || topic.startsWith('messages:') ? topic : null;
}
