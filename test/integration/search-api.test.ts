/**
 * Search and history over HTTP, through the engine as a user runs it: the kabq corpus in over
 * TCP, then combined filters paged through with cursors and checked against every stored row,
 * history, single messages that read like the live ones, 400s that name the parameter, 404s, and
 * aircraft lookups (now in the reader pool) over HTTP and the WebSocket.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { total } from '../../bench/lib/metrics-scrape.js';
import { parseSearchRequest } from '../../src/store/reads/search-request.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines, TCP_LISTENERS, waitUntil } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';
import { allRows, expectedIds, type Row } from '../store/search-oracle.js';

const FILES = {
  ACARS: 'acarshub-kabq/raw-acars-messages.jsonl',
  'VDL-M2': 'acarshub-kabq/raw-vdlm2-messages.jsonl',
  HFDL: 'acarshub-kabq/raw-hfdl-messages.jsonl',
} as const;

let engine: RunningEngine;
let client: WsClient;
let rows: Row[];

const get = (path: string): Promise<{ status: number; body: Json }> => apiRequest(engine, path);

/** Every page of a search over HTTP (bounded), checking each page's total. */
async function pages(query: Record<string, string>): Promise<{ ids: number[]; totals: number[]; pages: number }> {
  const ids: number[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let n = 0;
  for (; n < 200; n++) {
    const q = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const r = await get(`/api/v1/search?${q.toString()}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const page = r.body as { messages: { id: number }[]; next: string | null; total: number };
    ids.push(...page.messages.map((m) => m.id));
    totals.push(page.total);
    cursor = page.next;
    if (cursor === null) break;
  }
  expect(cursor).toBeNull();
  return { ids, totals, pages: n + 1 };
}

beforeAll(async () => {
  engine = await startEngine({
    ...TCP_LISTENERS,
    // Every frame stored as its own message: the live feed and the store then pair one to one.
    CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
  });
  client = await WsClient.connect(`ws://127.0.0.1:${engine.httpPort}/ws`);
  await client.request({ op: 'subscribe', topics: ['messages'], id: 1 });
  let sent = 0;
  for (const [type, file] of Object.entries(FILES)) {
    const frames = readCorpusFrames(file);
    sent += frames.length;
    await sendTcpLines(engine.port(type, 'tcp-listen'), frames);
  }
  const s = await accountedFor(engine.httpPort, sent);
  const stored = total(s, 'contrail_messages_stored_total');
  await waitUntil('every stored message published', async () => client.messages.length, (n) => n >= stored);
  const db = new Database(join(engine.dataDir, 'contrail.sqlite'), { readonly: true });
  try {
    rows = allRows(db);
  } finally {
    db.close();
  }
  expect(rows.length).toBe(stored);
}, 120_000);

afterAll(async () => {
  client?.close();
  if (engine) {
    await engine.stop();
    engine.cleanup();
  }
});

describe('search API', () => {
  it('applies combined filters across pages, newest first, with the first page\'s total on each', async () => {
    const times = rows.map((r) => r.msg_time as number).sort((a, b) => a - b);
    const mid = String(times[Math.floor(times.length / 2)]);
    const tail = rows.find((r) => typeof r.tail === 'string' && r.type === 'VDL-M2')!.tail as string;
    const linkIcao = rows.find((r) => r.is_acars === 0 && typeof r.icao === 'string')!.icao as string;
    const cases: Record<string, string>[] = [
      { text: 'KPHX', limit: '7' },
      { text: 'KPHX', type: 'ACARS', from: mid, limit: '5' },
      { tail, label: 'H1', limit: '3' },
      { icao: linkIcao, limit: '4' },
      { type: 'HFDL', freq_min: '5', freq_max: '30', to: mid, limit: '100' },
      { substring: 'phx', from: mid, limit: '9' },
      { label: '_d', station: rows.find((r) => r.label === '_d')!.station_id as string, limit: '10' },
    ];
    let paged = 0;
    for (const q of cases) {
      const { ids, totals, pages: n } = await pages(q);
      const want = expectedIds(rows, parseSearchRequest(q).filters);
      expect(ids, JSON.stringify(q)).toEqual(want);
      expect(new Set(totals), JSON.stringify(q)).toEqual(new Set([want.length]));
      if (n > 1) paged++;
    }
    expect(paged).toBeGreaterThan(3);
  });

  it('answers 400 naming the parameter, and refuses a cursor with other filters', async () => {
    const bad = async (query: string, pattern: RegExp): Promise<void> => {
      const r = await get(`/api/v1/search?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error, query).toMatchObject({ code: 'CONTRAIL_ERR_BAD_REQUEST', message: expect.stringMatching(pattern) });
    };
    await bad('icao=ZZZ', /^icao "ZZZ"/);
    await bad('limit=0', /^limit "0": an integer from 1 to 500/);
    await bad('type=ADSB', /^type "ADSB": one of/);
    await bad('tial=N1', /^unknown parameter "tial"/);
    await bad('type=ACARS&type=HFDL', /^parameter "type" given twice/);
    await bad('from=soon', /^from "soon" is not a time/);
    await bad('cursor=abc', /^cursor: not a cursor/);
    const first = (await get('/api/v1/search?text=KPHX&limit=2')).body as { next: string };
    await bad(`text=KDFW&limit=2&cursor=${first.next}`, /^cursor: it belongs to a search with other filters/);
    expect((await get('/api/v1/messages?text=KPHX')).status).toBe(400);
  });

  it('serves history and single messages that read like the live ones', async () => {
    const recent = (await get('/api/v1/messages?type=HFDL&limit=5')).body as { messages: { id: number }[] };
    expect(recent.messages.map((m) => m.id)).toEqual(expectedIds(rows, { type: 'HFDL' }).slice(0, 5));
    expect(((await get('/api/v1/messages')).body.messages as unknown[]).length).toBe(Math.min(250, rows.length));

    let compared = 0;
    for (const live of client.messages.filter((m) => m.labelDecoded !== undefined).slice(0, 20)) {
      const r = await get(`/api/v1/messages/${String(live.id)}`);
      expect(r.status).toBe(200);
      // Not stored: where the position came from. Moving on: a group's parts, and the copies of a message.
      const { positionSource: _p, multipart: _m, ...want } = live;
      const { multipart: _mm, copies, heardBy: _h, ...got } = r.body;
      expect(got).toEqual(want);
      expect(copies).toBe(1);
      compared++;
    }
    expect(compared).toBeGreaterThan(5);
    expect((await get('/api/v1/messages/999999999')).status).toBe(404);
    expect((await get('/api/v1/messages/999999999')).body.error).toMatchObject({ code: 'CONTRAIL_ERR_NOT_FOUND' });
    expect((await get('/api/v1/messages/abc')).status).toBe(400);
  });

  it('still looks aircraft up, over HTTP and the WebSocket', async () => {
    const tail = rows.find((r) => typeof r.tail === 'string' && r.aircraft_id !== null)!.tail as string;
    const byTail = await get(`/api/v1/aircraft?tail=${encodeURIComponent(tail)}&limit=3`);
    expect(byTail.status).toBe(200);
    expect(byTail.body.aircraft).toMatchObject({ tail });
    expect((byTail.body.recent as unknown[]).length).toBeGreaterThan(0);
    const ws = await client.request({ op: 'aircraft', id: 9, tail, limit: 2 });
    expect(ws).toMatchObject({ id: 9, ok: true, result: { aircraft: { tail } } });
    expect((await get('/api/v1/aircraft?tail=NOSUCH')).status).toBe(404);
    expect((await get('/api/v1/aircraft')).status).toBe(400);
  });

  it('searches and serves history over the WebSocket, with the same answers as HTTP', async () => {
    const tail = rows.find((r) => typeof r.tail === 'string')!.tail as string;
    const http = await get(`/api/v1/search?tail=${encodeURIComponent(tail)}&limit=5`);
    const ws = await client.request({ op: 'search', id: 's1', tail, limit: 5 });
    expect(ws).toMatchObject({ id: 's1', ok: true });
    expect((ws.result as Json).messages).toEqual(http.body.messages);
    expect((ws.result as Json).total).toBe(http.body.total);
    const recent = await client.request({ op: 'history', id: 'h1', limit: 7 });
    expect(((recent.result as Json).messages as Json[]).map((m) => m.id)).toEqual(((await get('/api/v1/messages?limit=7')).body.messages as Json[]).map((m) => m.id));
    // History on subscribe: the newest N in the reply, newest first, then live messages.
    // A subscribe's history: the newest of what the topic delivers, here ACARS only, as history with type=ACARS says.
    const sub = await client.request({ op: 'subscribe', id: 'h2', topics: ['messages:ACARS'], history: 3 });
    const history = ((sub.result as Json).history as Json).messages as Json[];
    const acars = await client.request({ op: 'history', id: 'h3', limit: 3, type: 'ACARS' });
    expect(history.map((m) => m.id)).toEqual(((acars.result as Json).messages as Json[]).map((m) => m.id));
    expect(history.every((m) => m.type === 'ACARS')).toBe(true);
    expect(await client.request({ op: 'search', id: 's2', limit: 9999 })).toMatchObject({ id: 's2', ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/limit/) } });
    expect(await client.request({ op: 'subscribe', id: 's3', topics: ['messages'], history: 'all' })).toMatchObject({ id: 's3', ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
