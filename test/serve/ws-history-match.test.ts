/**
 * deliversAny, the predicate a subscribe's history is chosen by, against live delivery itself:
 * for every message of a grid and every subscription set, a client holding those subscriptions
 * gets the message live (native topics of its plan, or the router) exactly when deliversAny says so.
 */
import { describe, expect, it } from 'vitest';
import { DECODER_TYPES } from '../../src/decode/message.js';
import type { MessageMeta } from '../../src/store/publish-batch.js';
import { deliversAny, type Subscription } from '../../src/serve/ws-topics.js';
import { deliveredLive, subscriptionsOf as request } from '../helpers/subscriptions.js';

const METAS: MessageMeta[] = [];
for (const type of DECODER_TYPES) {
  for (const label of ['H1', '_d', '']) {
    for (const [flight, tail, icao] of [
      ['UAL1', 'N1', 'ABC123'],
      ['', 'N1', ''],
      ['DAL2', '', 'A1B2C3'],
      ['', '', ''],
    ] as const) {
      for (const station of ['KSEA-1', 'kabq-b', '']) METAS.push({ type, label, flight, tail, icao, station });
    }
  }
}

const REQUESTS: [string, Subscription[]][] = [
  ['messages', request(['messages'])],
  ['messages:VDL-M2', request(['messages:VDL-M2'])],
  ['messages + filter', request(['messages'], { type: ['VDL-M2', 'HFDL'], label: 'H1' })],
  ['tail (lower case)', request(['tail:n1'])],
  ['label:H1 + type filter', request(['label:H1'], { type: 'IRDM' })],
  ['aircraft', request(['aircraft:abc123'])],
  ['two topics', request(['aircraft:A1B2C3', 'tail:N1'])],
  ['two topics + station filter', request(['label:_d', 'messages:IRDM'], { station: ['KSEA-1'] })],
  ['station exact case', request(['station:KABQ-B'])],
  ['station as stored', request(['station:kabq-b'], { flight: ' ual1 ' })],
  ['flight + icao filter', request(['flight:UAL1', 'flight:DAL2'], { icao: 'a1b2c3' })],
  ['message topic beside alerts', request(['alerts', 'messages:ACARS'])],
  ['no message topics', request(['alerts', 'stats', 'database'])],
  ['messages with others it absorbs', request(['messages', 'label:H1', 'messages:HFDL'])],
];

describe('deliversAny: the history predicate is live delivery', () => {
  it.each(REQUESTS)('%s', (_name, subs) => {
    const mismatches = METAS.filter((m) => deliversAny(subs, m) !== deliveredLive(subs, m));
    expect(mismatches).toEqual([]);
  });

  it('selects what each kind of subscription names, and nothing for topics without messages', () => {
    const m: MessageMeta = { type: 'VDL-M2', label: 'H1', flight: 'UAL1', tail: 'N1', icao: 'ABC123', station: 'kabq-b' };
    expect(deliversAny(request(['messages:VDL-M2']), m)).toBe(true);
    expect(deliversAny(request(['messages:HFDL']), m)).toBe(false);
    expect(deliversAny(request(['messages'], { type: 'HFDL' }), m)).toBe(false);
    expect(deliversAny(request(['label:H1'], { type: ['HFDL', 'VDL-M2'] }), m)).toBe(true);
    expect(deliversAny(request(['tail:n1', 'label:Q0']), m)).toBe(true);
    // Stations are exact, as live: not compared case-insensitively as search does.
    expect(deliversAny(request(['station:KABQ-B']), m)).toBe(false);
    expect(deliversAny(request(['alerts', 'stats', 'database']), m)).toBe(false);
    expect(deliversAny([], m)).toBe(false);
  });

  it('covers a grid where every request selects some messages and misses others', () => {
    for (const [name, subs] of REQUESTS) {
      const n = METAS.filter((m) => deliversAny(subs, m)).length;
      // No message in the grid has station KABQ-B: only kabq-b, which it must not match.
      if (name === 'no message topics' || name === 'station exact case') expect(n, name).toBe(0);
      else if (name.startsWith('messages with') || name === 'messages') expect(n).toBe(METAS.length);
      else {
        expect(n, name).toBeGreaterThan(0);
        expect(n, name).toBeLessThan(METAS.length);
      }
    }
  });
});
