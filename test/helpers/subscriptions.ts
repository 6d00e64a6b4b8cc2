import { isMessageTopic, parseFilter, parseTopic, type Subscription } from '../../src/serve/ws-topics.js';

/** A subscribe request's subscriptions: its topics, each with the request's filter (message topics only). */
export function subscriptionsOf(topics: string[], filter: unknown = null): Subscription[] {
  const f = parseFilter(filter);
  return topics.map((name) => {
    const topic = parseTopic(name);
    if (topic === null) throw new Error(`bad topic ${name}`);
    return { topic, filter: isMessageTopic(topic) ? f : null };
  });
}
