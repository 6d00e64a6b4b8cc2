import { describe, expect, it } from 'vitest';
import type { DecoderType } from '../../src/decode/message.js';
import type { MessageMeta } from '../../src/store/publish-batch.js';
import { MessageRouter } from '../../src/serve/ws-router.js';
import { parseFilter, parseTopic, planDelivery, type Subscription } from '../../src/serve/ws-topics.js';

function sub(name: string, filter: unknown = null): Subscription {
  const topic = parseTopic(name);
  if (topic === null) throw new Error(`bad topic ${name}`);
  return { topic, filter: parseFilter(filter) };
}

class Client {
  nativeTypes: ReadonlySet<DecoderType> = new Set();
  routed = new Map<string, ReturnType<typeof parseFilter>>();
  constructor(readonly name: string) {}
}

function meta(over: Partial<MessageMeta>): MessageMeta {
  return { type: 'ACARS', label: 'H1', flight: 'UAL1', tail: 'N1', icao: 'ABC123', station: 'S1', ...over };
}

function subscribe(router: MessageRouter<Client>, c: Client, subs: Subscription[]): void {
  const plan = planDelivery(subs);
  router.set(c, c.routed, plan.routed);
  c.routed = plan.routed;
  c.nativeTypes = plan.nativeTypes;
}

describe('delivery plans', () => {
  it('keeps unfiltered message topics native and narrower ones routed', () => {
    const plan = planDelivery([sub('messages:ACARS'), sub('flight:UAL1'), sub('messages:HFDL', { label: 'H1' }), sub('alerts'), sub('stats')]);
    expect([...plan.native].sort()).toEqual(['alerts', 'messages:ACARS', 'stats']);
    expect([...plan.nativeTypes]).toEqual(['ACARS']);
    expect([...plan.routed.keys()].sort()).toEqual(['flight:UAL1', 'messages:HFDL']);
  });

  it('lets "messages" absorb everything narrower', () => {
    const plan = planDelivery([sub('messages:ACARS'), sub('flight:UAL1'), sub('messages')]);
    expect([...plan.native]).toEqual(['messages']);
    expect(plan.nativeTypes.size).toBe(5);
    expect(plan.routed.size).toBe(0);
  });
});

describe('filters', () => {
  it('normalizes ICAO addresses and refuses what cannot be one, as the aircraft topic does', () => {
    expect(parseFilter({ icao: [' abc123', 'A1B2C3'] })?.icao).toEqual(new Set(['ABC123', 'A1B2C3']));
    for (const bad of ['ZZZ', 'ABC12', 'ABC1234', 'ABC12G']) {
      expect(() => parseFilter({ icao: bad })).toThrow(/filter "icao" values must be 6 hex digits/);
      expect(parseTopic(`aircraft:${bad}`)).toBeNull();
    }
  });
});

describe('the message router', () => {
  it('delivers each message once to a client whose subscriptions overlap', () => {
    const router = new MessageRouter<Client>();
    const a = new Client('a');
    subscribe(router, a, [sub('flight:UAL1'), sub('label:H1'), sub('tail:N1'), sub('aircraft:abc123'), sub('station:S1')]);
    const delivered: string[] = [];
    router.route(meta({}), (c) => delivered.push(c.name));
    expect(delivered).toEqual(['a']);
    expect(router.size).toBe(5);
  });

  it('skips the types a client already receives natively', () => {
    const router = new MessageRouter<Client>();
    const a = new Client('a');
    subscribe(router, a, [sub('messages:ACARS'), sub('flight:UAL1')]);
    const to: string[] = [];
    router.route(meta({ type: 'ACARS' }), (c) => to.push(`${c.name}:ACARS`));
    router.route(meta({ type: 'HFDL' }), (c) => to.push(`${c.name}:HFDL`));
    expect(to).toEqual(['a:HFDL']);
  });

  it('applies filters: any value within a field, every field given', () => {
    const router = new MessageRouter<Client>();
    const a = new Client('a');
    const b = new Client('b');
    subscribe(router, a, [sub('messages', { type: ['VDL-M2', 'HFDL'], label: 'H1' })]);
    subscribe(router, b, [sub('label:5Z'), sub('flight:UAL1', { station: 'S2' })]);
    const run = (m: MessageMeta): string[] => {
      const out: string[] = [];
      router.route(m, (c) => out.push(c.name));
      return out.sort();
    };
    expect(run(meta({ type: 'VDL-M2' }))).toEqual(['a']);
    expect(run(meta({ type: 'ACARS' }))).toEqual([]);
    expect(run(meta({ type: 'HFDL', label: '5Z' }))).toEqual(['b']);
    expect(run(meta({ type: 'VDL-M2', station: 'S2' }))).toEqual(['a', 'b']);
  });

  it('forgets unsubscribed topics and dropped clients', () => {
    const router = new MessageRouter<Client>();
    const a = new Client('a');
    subscribe(router, a, [sub('flight:UAL1'), sub('label:H1')]);
    subscribe(router, a, [sub('label:H1')]);
    expect(router.size).toBe(1);
    router.drop(a, a.routed);
    expect(router.size).toBe(0);
    let n = 0;
    router.route(meta({}), () => n++);
    expect(n).toBe(0);
  });
});
