/**
 * A subscribe's history on a real store (the real writer's corpus rows, plus rows whose
 * identifiers only the live path's normalization matches), checked against live delivery
 * itself: each row's meta made by the writer's encodeMeta and read back from a publish batch,
 * then routed as the server routes it. Also the scan bound and what `complete` says about it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODER_TYPES, type DecoderType } from '../../src/decode/message.js';
import type { Subscription } from '../../src/serve/ws-topics.js';
import { encodeMeta, encodePublishBatch, forEachPublished, type MessageMeta } from '../../src/store/publish-batch.js';
import { messageById } from '../../src/store/reads/search.js';
import { rowMeta, subscriptionHistory } from '../../src/store/reads/subscription-history.js';
import { allRows, type Row } from './search-oracle.js';
import { NOW, openSearchFixture, type SearchFixture } from './search-fixture.js';
import { deliveredLive, subscriptionsOf as request } from '../helpers/subscriptions.js';

let fx: SearchFixture;
let rows: Row[];
/** Each row's meta as live publishing makes it, by row id. */
let published: Map<number, MessageMeta>;

/** Identifiers that JavaScript's trim and toUpperCase normalize, as live routing does, and SQLite's would not. */
const ODD: [type: DecoderType, tail: string | null, flight: string | null, icao: string | null, label: string | null, station: string | null][] = [
  ['HFDL', ' n8560z\t', 'ual1\u00a0', 'abc123', ' H1', 'KSEA-1 '],
  ['VDL-M2', '\ufb00x1', '\u3000swa7', ' a1b2c3\n', 'H1', 'kabq-b'],
  ['IRDM', 'N8560Z', null, null, '_d', 'KSEA-1'],
];

const str = (v: string | number | null | undefined): string | null => (typeof v === 'string' ? v : null);

beforeAll(async () => {
  fx = await openSearchFixture();
  const insert = fx.db.prepare('INSERT INTO messages (type, is_acars, msg_time, received_at, tail, flight, icao, label, station_id) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?)');
  ODD.forEach(([type, tail, flight, icao, label, station], k) => insert.run(type, NOW - 60 + k, (NOW - 60 + k) * 1000, tail, flight, icao, label, station));
  // Newer rows after the odd ones, so they are found mid-scan rather than first.
  fx.append(40, NOW - 30);
  rows = allRows(fx.reader);
  const buffer = encodePublishBatch(
    rows.map(() => '{}'),
    rows.map((r) => DECODER_TYPES.indexOf(r.type as DecoderType)),
    rows.map((r) => encodeMeta(str(r.label), str(r.flight), str(r.tail), str(r.icao), str(r.station_id))),
  );
  const metas: MessageMeta[] = [];
  forEachPublished(buffer, (p) => metas.push(p.meta()));
  published = new Map(rows.map((r, k) => [r.id as number, metas[k]!]));
});
afterAll(() => fx?.dispose());

/** Ids a client holding `subs` would have received live, newest first, among the newest `scanned` rows. */
function liveIds(subs: Subscription[], scanned = rows.length): number[] {
  return rows
    .slice(0, scanned)
    .map((r) => r.id as number)
    .filter((id) => deliveredLive(subs, published.get(id)!));
}

const CASES: [string, Subscription[], number][] = [
  ['messages', request(['messages']), 30],
  // The 800th HFDL row is past the first page of the scan.
  ['messages:HFDL across scan pages', request(['messages:HFDL']), 800],
  ['messages + filter', request(['messages'], { type: ['VDL-M2', 'HFDL'], label: 'H1' }), 25],
  ['tail, padded and lower case when stored', request(['tail:N8560Z']), 20],
  ['tail normalized from a ligature', request(['tail:FFX1']), 5],
  ['flight behind a no-break space', request(['flight:UAL1', 'flight:SWA7']), 10],
  ['aircraft + station filter (exact case)', request(['aircraft:A1B2C3', 'aircraft:ABC123'], { station: ['kabq-b', 'KSEA-1'] }), 10],
  ['label:H1 + type filter', request(['label:H1'], { type: ['IRDM', 'VDL-M2'] }), 15],
  ['station exact: not KABQ-B for kabq-b', request(['station:KABQ-B']), 10],
  ['two topics, one filter', request(['label:_d', 'messages:IRDM'], { station: 'KSEA-1' }), 12],
  ['a message topic beside alerts', request(['alerts', 'messages:IRDM']), 8],
];

describe('subscription history on a real store', () => {
  it('reads each row meta as live publishing makes it', () => {
    const read = fx.reader.prepare('SELECT id, type, label, flight, tail, icao, station_id FROM messages').raw(true).all() as [number, DecoderType, ...(string | null)[]][];
    expect(read.length).toBe(rows.length);
    for (const [id, type, label = null, flight = null, tail = null, icao = null, station = null] of read) {
      expect(rowMeta(type, label, flight, tail, icao, station), `row ${id}`).toEqual(published.get(id));
    }
  });

  it.each(CASES)('%s: the newest N live deliveries, newest first', (name, subs, limit) => {
    const want = liveIds(subs).slice(0, limit);
    const got = subscriptionHistory(fx.reader, subs, limit);
    expect(got.messages.map((m) => m.id)).toEqual(want);
    // Only the exact-case station finds nothing (the store holds kabq-b).
    if (!name.startsWith('station exact')) expect(want.length).toBeGreaterThan(0);
    expect(got.complete).toBe(true);
  });

  it('gives the same message views as a lookup by id', () => {
    const got = subscriptionHistory(fx.reader, request(['tail:N8560Z']), 5);
    expect(got.messages.length).toBeGreaterThan(0);
    for (const m of got.messages) expect(m).toEqual(messageById(fx.reader, m.id));
  });

  it('matches the odd rows by the live normalization, not by what is stored', () => {
    const odd = (station: string): number => fx.reader.prepare('SELECT id FROM messages WHERE station_id = ? AND msg_time >= ?').pluck().get(station, NOW - 60) as number;
    const [padded, ligature] = [odd('KSEA-1 '), odd('kabq-b')];
    const ids = (subs: Subscription[]): number[] => subscriptionHistory(fx.reader, subs, 1000).messages.map((m) => m.id);
    expect(ids(request(['tail:N8560Z']))).toContain(padded);
    expect(ids(request(['flight:UAL1']))).toContain(padded);
    expect(ids(request(['tail:FFX1']))).toEqual([ligature]);
    expect(ids(request(['aircraft:A1B2C3']))).toContain(ligature);
    // Labels and stations are compared as stored: ' H1' and 'KSEA-1 ' are other values.
    expect(ids(request(['label:H1']))).not.toContain(padded);
    expect(ids(request(['station:KSEA-1']))).not.toContain(padded);
    expect(ids(request(['label:H1']))).toContain(ligature);
  });
});

describe('the scan bound', () => {
  const rare = request(['tail:N8560Z']);

  it('stops after scanRows rows: the matches among them, and complete false', () => {
    const all = liveIds(rare);
    expect(all.length).toBeGreaterThan(3);
    // A bound that cuts the matches short.
    const bound = rows.findIndex((r) => r.id === all[2]) + 1;
    const got = subscriptionHistory(fx.reader, rare, 50, bound);
    expect(got.messages.map((m) => m.id)).toEqual(liveIds(rare, bound));
    expect(got.messages).toHaveLength(3);
    expect(got.complete).toBe(false);
  });

  it('is complete when N are found within the bound, or when the bound reaches the oldest row', () => {
    const all = liveIds(rare);
    const bound = rows.findIndex((r) => r.id === all[2]) + 1;
    expect(subscriptionHistory(fx.reader, rare, 3, bound)).toMatchObject({ complete: true });
    const exact = subscriptionHistory(fx.reader, rare, 1000, rows.length);
    expect(exact.messages.map((m) => m.id)).toEqual(all);
    expect(exact.complete).toBe(true);
    expect(subscriptionHistory(fx.reader, rare, 1000, rows.length - 1).complete).toBe(false);
  });

  it('reads nothing for subscriptions without messages', () => {
    expect(subscriptionHistory(fx.reader, request(['alerts', 'stats']), 10)).toEqual({ messages: [], complete: true });
  });
});
