import type { DecoderType } from '../../src/decode/message.js';
import { MessageRouter } from '../../src/serve/ws-router.js';
import { isMessageTopic, parseFilter, parseTopic, planDelivery, type Subscription } from '../../src/serve/ws-topics.js';
import type { MessageMeta } from '../../src/store/publish-batch.js';

/** A subscribe request's subscriptions: its topics, each with the request's filter (message topics only). */
export function subscriptionsOf(topics: string[], filter: unknown = null): Subscription[] {
  const f = parseFilter(filter);
  return topics.map((name) => {
    const topic = parseTopic(name);
    if (topic === null) throw new Error(`bad topic ${name}`);
    return { topic, filter: isMessageTopic(topic) ? f : null };
  });
}

/** Whether a client holding exactly `subs` receives `m` live: through its plan's native topics, or routed. */
export function deliveredLive(subs: Subscription[], m: MessageMeta): boolean {
  const plan = planDelivery(subs);
  if (plan.native.has('messages') || plan.native.has(`messages:${m.type}`)) return true;
  const client = { nativeTypes: plan.nativeTypes as ReadonlySet<DecoderType> };
  const router = new MessageRouter<typeof client>();
  router.set(client, new Map(), plan.routed);
  let got = false;
  router.route(m, () => (got = true));
  return got;
}
