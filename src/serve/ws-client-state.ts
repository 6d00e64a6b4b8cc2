/**
 * What the server keeps per WebSocket client: its encoding, subscriptions and how they are
 * delivered (native uWS topics vs the router), its slow-client and request-rate state.
 */
import type { WebSocket } from 'uWebSockets.js';
import type { DecoderType } from '../decode/message.js';
import { ClientBackpressure, type BackpressurePolicy } from './client-backpressure.js';
import { TokenBucket } from './token-bucket.js';
import type { Encoding } from './ws-encoding.js';
import type { ClientSession } from './ws-requests.js';
import type { DeliveryPlan } from './ws-topics.js';

/** uWS topic names carry the encoding: a MessagePack client's "messages" is "mp:messages". */
export function uwsTopic(encoding: Encoding, topic: string): string {
  return encoding === 'json' ? topic : `mp:${topic}`;
}

/** uWS copies the user data's own properties onto the socket (no prototype): the state travels inside. */
export interface UserData {
  state: ClientState;
}

export class ClientState {
  readonly encoding: Encoding;
  readonly backpressure: ClientBackpressure;
  readonly requests: TokenBucket;
  plan: DeliveryPlan = { native: new Set(), nativeTypes: new Set(), routed: new Map() };
  /** uWS topics currently subscribed (none while the client is behind). */
  uwsTopics = new Set<string>();
  /** Set when the connection opens. */
  ws!: WebSocket<UserData>;
  /** Set at the upgrade (it holds whether the client is admin). */
  session!: ClientSession;

  constructor(encoding: Encoding, policy: BackpressurePolicy, requestsPerSecond: number, now: number) {
    this.encoding = encoding;
    this.backpressure = new ClientBackpressure(policy);
    this.requests = new TokenBucket(requestsPerSecond, 2 * requestsPerSecond, now);
  }

  /** For the router: the types native topics already deliver to this client. */
  get nativeTypes(): ReadonlySet<DecoderType> {
    return this.plan.nativeTypes;
  }

  /** The uWS topics this client should be on now. */
  wantedUwsTopics(): Set<string> {
    const want = new Set<string>();
    for (const t of this.plan.native) want.add(uwsTopic(this.encoding, t));
    return want;
  }
}
