/**
 * `subscribe` with `history` against the real engine: the history is the newest N stored
 * messages that the request's subscriptions would have delivered live (same topics, same filter),
 * newest first, never messages of other types or other keys. Expected ids come from SQLite; after
 * the histories, more frames go in and each client must receive live exactly what the same SQL
 * selects among them, so history and live delivery are checked to agree.
 *
 * Two engines: A (every decoder type over TCP) answers; P starts on a database with a schema
 * update pending, where a history fails and the subscribe must change nothing.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { readCorpusFrames, splitFrames } from '../helpers/corpus.js';
import { oldDatabase, withEngineDb } from '../helpers/engine-db.js';
import type { Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines, TCP_LISTENERS } from '../helpers/traffic.js';
import { WsClient } from '../helpers/ws-client.js';

const fixture = (name: string): string[] => splitFrames(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

/**
 * Fed one type after another, so ids are grouped by type and the newest rows are not of the
 * first types: a history that ignored the topic would return the wrong ones.
 */
const FEEDS: readonly (readonly [type: string, frames: string[]])[] = [
  ['VDL-M2', readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl')],
  ['ACARS', readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl')],
  ['HFDL', readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl')],
  ['IMS-L', fixture('imsl-jaero.jsonl')],
  ['IRDM', fixture('irdm-iridium-toolkit.jsonl')],
];
/** Frames of each feed sent again (as new rows: no dedup) after the histories, for the live check. */
const LIVE_TAIL = 80;

interface HistoryCase {
  name: string;
  /** The subscribe request, without op, id and history. */
  request: Json;
  history: number;
  /** The rows the subscriptions deliver, as SQL over `messages`. */
  where: string;
}

const CASES: HistoryCase[] = [
  { name: 'messages:VDL-M2', request: { topics: ['messages:VDL-M2'] }, history: 5, where: "type = 'VDL-M2'" },
  {
    name: 'messages with a filter of a type and two labels',
    request: { topics: ['messages'], filter: { type: 'VDL-M2', label: ['H1', '_d'] } },
    history: 7,
    where: "type = 'VDL-M2' AND label IN ('H1', '_d')",
  },
  { name: 'tail: (lower case)', request: { topics: ['tail:n8560z'] }, history: 5, where: "upper(trim(tail)) = 'N8560Z'" },
  {
    name: 'label:H1 with a type filter that leaves fewer than N',
    request: { topics: ['label:H1'], filter: { type: 'IRDM' } },
    history: 3,
    where: "label = 'H1' AND type = 'IRDM'",
  },
  { name: 'aircraft:', request: { topics: ['aircraft:a542d7'] }, history: 10, where: "upper(trim(icao)) = 'A542D7'" },
  {
    name: 'two topics at once, of different types',
    request: { topics: ['aircraft:A542D7', 'tail:N8560Z'] },
    history: 50,
    where: "upper(trim(icao)) = 'A542D7' OR upper(trim(tail)) = 'N8560Z'",
  },
  {
    name: 'two topics with one filter for both',
    request: { topics: ['label:_d', 'messages:IRDM'], filter: { station: ['RP-KLDJ-IRDM', 'CS-KABQ-VDLM'] } },
    history: 20,
    where: "(label = '_d' OR type = 'IRDM') AND station_id IN ('RP-KLDJ-IRDM', 'CS-KABQ-VDLM')",
  },
  {
    name: 'overlapping topics: each message once',
    request: { topics: ['messages:IRDM', 'label:H1', 'flight:FI0615'] },
    history: 12,
    where: "type = 'IRDM' OR label = 'H1' OR upper(trim(flight)) = 'FI0615'",
  },
  { name: 'flight: with a type filter', request: { topics: ['flight:XA0000'], filter: { type: 'ACARS' } }, history: 10, where: "upper(trim(flight)) = 'XA0000' AND type = 'ACARS'" },
  { name: 'station: with a label filter', request: { topics: ['station:CS-KABQ-HFDL'], filter: { label: 'Q0' } }, history: 4, where: "station_id = 'CS-KABQ-HFDL' AND label = 'Q0'" },
  { name: 'a message topic beside alerts', request: { topics: ['alerts', 'messages:IMS-L'] }, history: 10, where: "type = 'IMS-L'" },
  { name: 'only topics without messages', request: { topics: ['stats', 'database'] }, history: 5, where: '0' },
  { name: 'messages, unfiltered', request: { topics: ['messages'] }, history: 6, where: '1' },
];

let A: RunningEngine;
let P: RunningEngine;
const clients: WsClient[] = [];
let seq = 0;

const wsUrl = (e: RunningEngine): string => `ws://127.0.0.1:${e.httpPort}/ws`;

async function connect(e: RunningEngine): Promise<WsClient> {
  const c = await WsClient.connect(wsUrl(e));
  clients.push(c);
  await c.waitForFirst();
  return c;
}

function ask(c: WsClient, req: Json): Promise<Json> {
  return c.request({ id: `h-${++seq}`, ...req });
}

function result(reply: Json): Json {
  expect(reply, JSON.stringify(reply).slice(0, 300)).toMatchObject({ ok: true });
  return reply.result as Json;
}

/** Ids of the rows the SQL selects, newest first, optionally only above `after` and at most `limit`. */
function idsWhere(where: string, limit = -1, after = 0): number[] {
  return withEngineDb(A, (db) => db.prepare(`SELECT id FROM messages WHERE id > ? AND (${where}) ORDER BY id DESC LIMIT ?`).pluck().all(after, limit) as number[]);
}

const A_ENV = {
  ...TCP_LISTENERS,
  ENABLE_IMSL: '1',
  ENABLE_IRDM: '1',
  IMSL_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  IRDM_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
  CONTRAIL_WS_REQUESTS_PER_SECOND: '1000',
};

/** Frames sent to A so far: accountedFor counts them all. */
let sentBefore = 0;

/** Sends each feed (or the part `frames` picks) in FEEDS order, waiting for each to be stored. */
async function feed(e: RunningEngine, frames: (f: string[]) => string[]): Promise<void> {
  let sent = 0;
  for (const [type, all] of FEEDS) {
    const lines = frames(all);
    await sendTcpLines(e.port(type, 'tcp-listen'), lines);
    sent += lines.length;
    // One type at a time, so its rows take the next ids.
    await accountedFor(e.httpPort, sentBefore + sent);
  }
  sentBefore += sent;
}

beforeAll(async () => {
  const [a, p] = await Promise.allSettled([
    startEngine(A_ENV),
    oldDatabase('contrail-ws-history-', '0004_frame_ref').then((dir) => startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0' }, 30_000, dir)),
  ]);
  // Whichever started is stopped in afterAll, even when the other failed.
  if (a.status === 'fulfilled') A = a.value;
  if (p.status === 'fulfilled') P = p.value;
  for (const r of [a, p]) if (r.status === 'rejected') throw r.reason;
  await feed(A, (f) => f);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(
    [A, P].map(async (e) => {
      if (!e) return;
      await e.stop();
      e.cleanup();
    }),
  );
});

describe('subscribe with history: what the subscriptions would have delivered', () => {
  const subscribed = new Map<HistoryCase, WsClient>();

  it('the corpus holds every type, and the cases select rows of more than one', () => {
    const types = withEngineDb(A, (db) => db.prepare('SELECT DISTINCT type FROM messages ORDER BY type').pluck().all());
    expect(types).toEqual(['ACARS', 'HFDL', 'IMS-L', 'IRDM', 'VDL-M2']);
    // The newest rows are IRDM: a history of any type would differ from every typed case.
    expect(idsWhere('1', 1)).toEqual(idsWhere("type = 'IRDM'", 1));
  });

  it.each(CASES)('$name', async (k) => {
    const c = await connect(A);
    const reply = result(await ask(c, { op: 'subscribe', ...k.request, history: k.history }));
    subscribed.set(k, c);
    expect(Object.keys(reply)).toEqual(['history']);
    const history = reply.history as { messages: Json[]; complete: boolean };
    const want = idsWhere(k.where, k.history);
    expect(history.messages.map((m) => m.id)).toEqual(want);
    // Fewer than N only when fewer are stored: the scan bound is far above this corpus.
    expect(history.complete).toBe(true);
    if (want.length > 0) {
      const newest = withEngineDb(A, (db) => db.prepare('SELECT id, type, label, station_id FROM messages WHERE id = ?').get(want[0]) as Json);
      expect(history.messages[0]).toMatchObject({ id: newest.id, type: newest.type, label: newest.label, station: newest.station_id, receivedAt: expect.any(Number) });
    }
    // The subscriptions stay.
    const subs = (result(await ask(c, { op: 'subscriptions' })).subscriptions as Json[]).map((s) => s.topic);
    expect(subs.length).toBe((k.request.topics as string[]).length);
  });

  it('live delivery afterwards matches the same rows the history was taken from', async () => {
    expect(subscribed.size).toBe(CASES.length);
    const before = idsWhere('1', 1)[0]!;
    await feed(A, (f) => f.slice(-LIVE_TAIL));
    const wants = new Map<HistoryCase, number[]>();
    for (const [k, c] of subscribed) {
      const want = idsWhere(k.where, -1, before).reverse();
      wants.set(k, want);
      await c.waitForCount(want.length);
    }
    // Anything extra would have arrived with the last commit's deliveries.
    await new Promise((r) => setTimeout(r, 300));
    for (const [k, c] of subscribed) {
      // A commit's native deliveries come before its routed ones: compare as sets (sorted), once each.
      expect((c.messages.map((m) => m.id) as number[]).sort((a, b) => a - b), k.name).toEqual(wants.get(k));
    }
    // The live check is not vacuous: most cases received something.
    expect([...wants.values()].filter((w) => w.length > 0).length).toBeGreaterThanOrEqual(CASES.length - 3);
  });
});

describe('the history operation honours its filters', () => {
  it.each([
    [{ type: 'IRDM', label: 'H1', limit: 5 }, "type = 'IRDM' AND label = 'H1'", 5],
    [{ tail: 'n8560z', limit: 4 }, "upper(trim(tail)) = 'N8560Z'", 4],
    [{ station: 'CS-KABQ-HFDL', label: 'Q0', limit: 3 }, "station_id = 'CS-KABQ-HFDL' AND label = 'Q0'", 3],
    [{ icao: 'A542D7', type: 'VDL-M2', limit: 6 }, "upper(trim(icao)) = 'A542D7' AND type = 'VDL-M2'", 6],
  ] as const)('%o', async (filters, where, limit) => {
    const c = await connect(A);
    const reply = result(await ask(c, { op: 'history', ...filters }));
    expect((reply.messages as Json[]).map((m) => m.id)).toEqual(idsWhere(where, limit));
  });
});

describe('a history that fails changes nothing', () => {
  it('while the schema update waits: UNAVAILABLE, and the earlier subscriptions are as they were', async () => {
    const c = await connect(P);
    expect(await ask(c, { op: 'subscribe', topics: ['tail:N1'], filter: { type: 'ACARS' } })).toMatchObject({ ok: true });
    const failed = await ask(c, { op: 'subscribe', topics: ['tail:N1', 'messages:VDL-M2'], filter: { label: 'H1' }, history: 3 });
    expect(failed).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(result(await ask(c, { op: 'subscriptions' })).subscriptions).toEqual([{ topic: 'tail:N1', filter: { type: ['ACARS'] } }]);
  });
});
