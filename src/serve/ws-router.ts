/**
 * Delivers messages to narrow subscriptions (a label, flight, tail, aircraft, station, or a
 * filtered message topic). Subscriptions are indexed by topic name, so routing one message costs
 * a handful of map lookups (its type, label, flight, tail, address, station) plus the matching
 * subscribers, not a pass over every client. A client found under several keys gets the message
 * once, and never when its native topics already deliver the message's type.
 */
import type { DecoderType } from '../decode/message.js';
import type { MessageMeta } from '../store/publish-batch.js';
import { filterMatches, routeKeys, type Filter } from './ws-topics.js';

interface Routable {
  /** Types this client receives through native topics: the router must not send them again. */
  readonly nativeTypes: ReadonlySet<DecoderType>;
}

export class MessageRouter<C extends Routable> {
  readonly #index = new Map<string, Map<C, Filter | null>>();
  #entries = 0;

  /** Routed subscriptions across all clients: 0 means publishing can skip routing entirely. */
  get size(): number {
    return this.#entries;
  }

  /** Replaces `client`'s routed subscriptions with `routed` (topic name -> filter). */
  set(client: C, previous: ReadonlyMap<string, Filter | null>, routed: ReadonlyMap<string, Filter | null>): void {
    for (const key of previous.keys()) if (!routed.has(key)) this.#remove(client, key);
    for (const [key, filter] of routed) {
      let subs = this.#index.get(key);
      if (!subs) this.#index.set(key, (subs = new Map()));
      if (!subs.has(client)) this.#entries++;
      subs.set(client, filter);
    }
  }

  /** Forgets a client that closed (a client behind stays: its misses are counted as it is routed). */
  drop(client: C, routed: ReadonlyMap<string, Filter | null>): void {
    for (const key of routed.keys()) this.#remove(client, key);
  }

  /** Calls `deliver` once for each client this message is routed to. */
  route(meta: MessageMeta, deliver: (client: C) => void): void {
    let seen: Set<C> | null = null;
    for (const key of routeKeys(meta)) {
      const subs = this.#index.get(key);
      if (subs === undefined) continue;
      for (const [client, filter] of subs) {
        if (client.nativeTypes.has(meta.type)) continue;
        if (filter !== null && !filterMatches(filter, meta)) continue;
        seen ??= new Set();
        if (seen.has(client)) continue;
        seen.add(client);
        deliver(client);
      }
    }
  }

  #remove(client: C, key: string): void {
    const subs = this.#index.get(key);
    if (!subs?.delete(client)) return;
    this.#entries--;
    if (subs.size === 0) this.#index.delete(key);
  }
}
