/**
 * The WebSocket protocol (docs/protocol.md, version 2) checked against the real engine, in both
 * encodings: JSON text frames and MessagePack binary frames (subprotocol `contrail.msgpack`).
 * Every operation, every error code, the topics with "each message once" over overlapping
 * subscriptions (real corpus frames in over TCP, the expected sets computed from the stored rows),
 * and exactly one reply per request (checked for every request after each test).
 *
 * Three engines: A (admin token, a low subscription limit) answers the operations and topics;
 * B (no admin token, one reader thread, a 100 ms query limit, a low request rate, a data dir whose
 * backups directory is a file) refuses; C starts on a database with a schema update pending.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pack } from 'msgpackr';
import { startEngine, type RunningEngine } from '../../bench/lib/engine-process.js';
import { scrape, total } from '../../bench/lib/metrics-scrape.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { parseSearchRequest } from '../../src/store/reads/search-request.js';
import { migrationLockPath } from '../../src/store/schema/lock-paths.js';
import { ProcessLock } from '../../src/store/schema/process-lock.js';
import { readCorpusFrames } from '../helpers/corpus.js';
import { oldDatabase, withEngineDb } from '../helpers/engine-db.js';
import { apiRequest, type Json } from '../helpers/engine-http.js';
import { accountedFor, sendTcpLines, taggedFrame, TCP_LISTENERS, waitUntil } from '../helpers/traffic.js';
import { WsClient, type WsEncoding } from '../helpers/ws-client.js';
import { allRows, expectedIds, type Row } from '../store/search-oracle.js';

const ENCODINGS: readonly WsEncoding[] = ['json', 'msgpack'];
const ADMIN = 'ws-conformance-admin-token-0123456789';
const ADMIN_OPS = ['alerts.add', 'alerts.remove', 'alerts.rescan', 'db.backup', 'db.migrate', 'db.restore'] as const;
/** The fields each admin op needs, so that only the token is missing. */
const ADMIN_FIELDS: Record<(typeof ADMIN_OPS)[number], Json> = {
  'alerts.add': { term: 'XA0001' },
  'alerts.remove': { term: 'XA0001' },
  'alerts.rescan': {},
  'db.backup': {},
  'db.migrate': {},
  'db.restore': { backup: 'any-backup' },
};
/** Engine A's per-client subscription limit. */
const MAX_SUBSCRIPTIONS = 6;
/** Engine B's request rate (bursts of twice that). */
const B_RATE = 15;
const PHASE_1 = [['ACARS', 'acarshub-kabq/raw-acars-messages.jsonl']] as const;
const PHASE_2 = [
  ['VDL-M2', 'acarshub-kabq/raw-vdlm2-messages.jsonl'],
  ['HFDL', 'acarshub-kabq/raw-hfdl-messages.jsonl'],
] as const;
/** The term added before the replay: the alerts topic carries its matches. */
const LIVE_TERM = 'WN4899';
const OLD_SCHEMA = '0004_frame_ref';
const PENDING = Object.keys(MIGRATIONS)
  .sort()
  .filter((n) => n > OLD_SCHEMA);

let A: RunningEngine;
let B: RunningEngine;
let C: RunningEngine;
/** Rows B stores for its slow searches (about 16 MB of text). */
let bIngest: Promise<void>;
const B_ROWS = 4000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const wsUrl = (e: RunningEngine): string => `ws://127.0.0.1:${e.httpPort}/ws`;
const up = (v: unknown): string | null => (typeof v === 'string' ? v.trim().toUpperCase() : null);

// ---- every request gets exactly one reply --------------------------------------------------------

const opened: WsClient[] = [];
/** The ids of the requests sent on each client (null for unreadable frames). */
const sentIds = new Map<WsClient, unknown[]>();
let seq = 0;
const nextId = (prefix: string): string => `${prefix}-${++seq}`;

async function connect(engine: RunningEngine, encoding: WsEncoding, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<WsClient> {
  const c = await WsClient.connect(wsUrl(engine), { encoding, ...options });
  opened.push(c);
  sentIds.set(c, []);
  await c.waitForFirst();
  return c;
}

/** Sends a request (with a fresh id unless given) and resolves with its reply. */
function ask(c: WsClient, req: Json): Promise<Json> {
  const full = { id: nextId(String(req.op)), ...req };
  sentIds.get(c)!.push(full.id);
  return c.request(full);
}

/** Sends a raw frame; resolves with the reply with `id` (null: the frame is not readable as a request). */
function askRaw(c: WsClient, frame: string | Uint8Array, id: unknown = null): Promise<Json> {
  sentIds.get(c)!.push(id);
  return c.requestRaw(frame, id);
}

/** Sends requests in one burst (without waiting between them) and resolves with their replies, in order. */
function burst(c: WsClient, reqs: Json[]): Promise<Json[]> {
  return Promise.all(reqs.map((r) => ask(c, r)));
}

const code = (reply: Json): unknown => (reply.error as Json | undefined)?.code;
const result = (reply: Json): Json => {
  expect(reply, JSON.stringify(reply).slice(0, 300)).toMatchObject({ ok: true });
  return reply.result as Json;
};

function expectError(reply: Json, errorCode: string, message?: RegExp): void {
  expect(reply, JSON.stringify(reply).slice(0, 300)).toMatchObject({ ok: false, error: { code: errorCode, message: expect.any(String) } });
  expect(Object.keys(reply).sort()).toEqual(['error', 'id', 'ok']);
  if (message) expect((reply.error as Json).message).toMatch(message);
}

const sortKey = (ids: unknown[]): string[] => ids.map((i) => JSON.stringify(i)).sort();

afterEach(async () => {
  // Late or second replies would arrive within this.
  await sleep(150);
  for (const c of opened) {
    expect(sortKey(c.replies.map((r) => r.id)), 'one reply per request, no more').toEqual(sortKey(sentIds.get(c)!));
    expect(c.badFrames).toEqual([]);
  }
});

// ---- engines ----------------------------------------------------------------------------------

/** A data dir where the backups directory is a plain file: listing backups fails unexpectedly. */
function brokenBackupsDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'contrail-conformance-'));
  writeFileSync(join(dataDir, 'backups'), 'not a directory\n');
  return dataDir;
}

function readRows(engine: RunningEngine): Row[] {
  return withEngineDb(engine, allRows);
}

function dbQuery<T>(engine: RunningEngine, sql: string, ...params: unknown[]): T[] {
  return withEngineDb(engine, (db) => db.prepare(sql).all(...params) as T[]);
}

beforeAll(async () => {
  [A, B, C] = await Promise.all([
    startEngine({
      ...TCP_LISTENERS,
      CONTRAIL_ADMIN_TOKEN: ADMIN,
      CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
      CONTRAIL_WS_MAX_SUBSCRIPTIONS: String(MAX_SUBSCRIPTIONS),
      // The operations below run many requests back to back: the rate limit is checked on B.
      CONTRAIL_WS_REQUESTS_PER_SECOND: '1000',
    }),
    startEngine(
      {
        ENABLE_ACARS: '1',
        ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
        CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
        CONTRAIL_READER_THREADS: '1',
        CONTRAIL_QUERY_TIMEOUT_MS: '100',
        CONTRAIL_WS_REQUESTS_PER_SECOND: String(B_RATE),
      },
      30_000,
      brokenBackupsDir(),
    ),
    oldDatabase('contrail-conformance-', OLD_SCHEMA).then((dir) => startEngine({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0', CONTRAIL_ADMIN_TOKEN: ADMIN }, 30_000, dir)),
  ]);
  // B's rows go in while A is tested: frames with 4 KB texts, for substring searches that take a while.
  bIngest = (async () => {
    await sendTcpLines(
      B.port('ACARS', 'tcp-listen'),
      Array.from({ length: B_ROWS }, (_, i) => taggedFrame('SLOW', 'SLOWTAG', i, 4000)),
    );
    await accountedFor(B.httpPort, B_ROWS);
  })();
  bIngest.catch(() => {});
});

afterAll(async () => {
  for (const c of opened) c.close();
  await Promise.all(
    [A, B, C].map(async (e) => {
      if (!e) return;
      await e.stop();
      e.cleanup();
    }),
  );
});

// ---- topics: each message once ----------------------------------------------------------------

interface TopicCase {
  name: string;
  /** Subscribe requests, in order (a later one replaces an earlier one's filter). */
  subscribe: Json[];
  /** Requests sent between the two phases of the replay. */
  between?: Json[];
  /** The subscriptions reply after `subscribe`. */
  subscriptions?: Json[];
  /** Whether a stored row (of phase 1 or 2) must reach this client. */
  wants: (r: Row, phase: 1 | 2) => boolean;
}

const TOPIC_CASES: TopicCase[] = [
  {
    name: 'messages + messages:VDL-M2 + flight:WN4899',
    subscribe: [{ topics: ['messages', 'messages:VDL-M2', 'flight:WN4899'] }],
    wants: () => true,
  },
  {
    name: 'messages:ACARS + label:H1',
    subscribe: [{ topics: ['messages:ACARS', 'label:H1'] }],
    wants: (r) => r.type === 'ACARS' || r.label === 'H1',
  },
  {
    name: 'flight: + label: + station: with a filter listing types',
    subscribe: [{ topics: ['flight:XA0000', 'label:Q0', 'station:CS-KABQ-HFDL'], filter: { type: ['ACARS', 'HFDL'] } }],
    wants: (r) => (up(r.flight) === 'XA0000' || r.label === 'Q0' || r.station_id === 'CS-KABQ-HFDL') && (r.type === 'ACARS' || r.type === 'HFDL'),
  },
  {
    name: 'tail: + aircraft: + flight: (lower case), a filtered type, a replaced filter',
    subscribe: [
      { topics: ['tail:n8560z', 'aircraft:a542d7', 'flight:wn0974'] },
      { topics: ['messages:HFDL'], filter: { label: ['SA', 'Q0'] } },
      { topics: ['label:SQ'], filter: { label: 'H1' } },
      // Subscribing again replaces the filter: every SQ message heard by the ACARS station.
      { topics: ['label:SQ'], filter: { station: ['CS-KABQ-ACARS'] } },
    ],
    subscriptions: [
      { topic: 'tail:N8560Z', filter: null },
      { topic: 'aircraft:A542D7', filter: null },
      { topic: 'flight:WN0974', filter: null },
      { topic: 'messages:HFDL', filter: { label: ['SA', 'Q0'] } },
      { topic: 'label:SQ', filter: { station: ['CS-KABQ-ACARS'] } },
    ],
    wants: (r) =>
      up(r.tail) === 'N8560Z' ||
      up(r.icao) === 'A542D7' ||
      up(r.flight) === 'WN0974' ||
      (r.type === 'HFDL' && (r.label === 'SA' || r.label === 'Q0')) ||
      (r.label === 'SQ' && r.station_id === 'CS-KABQ-ACARS'),
  },
  {
    name: 'messages + label:_d, then messages unsubscribed between the phases',
    subscribe: [{ topics: ['messages', 'label:_d'] }],
    // A valid name not subscribed is ignored.
    between: [{ op: 'unsubscribe', topics: ['messages', 'flight:NOT-SUBSCRIBED'] }],
    wants: (r, phase) => phase === 1 || r.label === '_d',
  },
];

describe('topics: each message once, in both encodings', () => {
  const topicClients = new Map<WsEncoding, WsClient[]>();
  /** Subscribed to alerts and stats. */
  const watchers = new Map<WsEncoding, WsClient>();
  let rows: Row[];
  let phase1Last = 0;

  beforeAll(async () => {
    const admin = await connect(A, 'json', { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(result(await ask(admin, { op: 'alerts.add', term: LIVE_TERM }))).toEqual({ term: LIVE_TERM, regex: false });
    for (const enc of ENCODINGS) {
      const list: WsClient[] = [];
      for (const tc of TOPIC_CASES) {
        const c = await connect(A, enc);
        for (const s of tc.subscribe) expect(await ask(c, { op: 'subscribe', ...s })).toEqual({ id: expect.any(String), ok: true });
        list.push(c);
      }
      topicClients.set(enc, list);
      const w = await connect(A, enc);
      expect(await ask(w, { op: 'subscribe', topics: ['alerts', 'stats'] })).toMatchObject({ ok: true });
      watchers.set(enc, w);
    }
    const everyone = (): WsClient[] => ENCODINGS.map((e) => topicClients.get(e)![0]!);
    let sent = 0;
    /** Sends a phase's corpus files; resolves with the stored count once every frame is accounted for and delivered to everyone. */
    const play = async (phase: typeof PHASE_1 | typeof PHASE_2): Promise<number> => {
      for (const [type, file] of phase) {
        const frames = readCorpusFrames(file);
        sent += frames.length;
        await sendTcpLines(A.port(type, 'tcp-listen'), frames);
      }
      const n = total(await accountedFor(A.httpPort, sent), 'contrail_messages_stored_total');
      for (const c of everyone()) await c.waitForCount(n);
      return n;
    };
    await play(PHASE_1);
    phase1Last = Math.max(...everyone()[0]!.messages.map((m) => m.id as number));
    // The replies say the requests between the phases took effect before phase 2 is sent.
    await Promise.all(ENCODINGS.flatMap((enc) => topicClients.get(enc)!.flatMap((c, k) => (TOPIC_CASES[k]!.between ?? []).map((r) => ask(c, r)))));
    const n = await play(PHASE_2);
    rows = readRows(A);
    expect(rows.length).toBe(n);
    // Narrow subscriptions are delivered after the native ones of the same commit: wait until each
    // client has as many as the tests below expect (they then check exactly which).
    for (const enc of ENCODINGS) {
      for (const [k, tc] of TOPIC_CASES.entries()) {
        const c = topicClients.get(enc)![k]!;
        const want = rows.filter((r) => tc.wants(r, (r.id as number) <= phase1Last ? 1 : 2)).length;
        await waitUntil(`${enc} ${tc.name}: ${want} messages`, async () => c.messages.length, (got) => got >= want, 20_000);
      }
    }
    const alerted = new Set(dbQuery<{ message_id: number }>(A, 'SELECT message_id FROM alert_matches WHERE term = ?', LIVE_TERM).map((m) => m.message_id)).size;
    for (const enc of ENCODINGS) await waitUntil(`${enc} watcher: ${alerted} alerts`, async () => watchers.get(enc)!.alerts.length, (got) => got >= alerted, 20_000);
  });

  it.each(ENCODINGS)('%s: every client gets exactly the stored messages its subscriptions name, each once', (enc) => {
    const byId = new Map(rows.map((r) => [r.id as number, r]));
    TOPIC_CASES.forEach((tc, k) => {
      const c = topicClients.get(enc)![k]!;
      const got = c.messages.map((m) => m.id as number);
      const want = rows.filter((r) => tc.wants(r, (r.id as number) <= phase1Last ? 1 : 2)).map((r) => r.id as number);
      expect(want.length, tc.name).toBeGreaterThan(0);
      expect(new Set(got).size, `${tc.name}: no duplicates`).toBe(got.length);
      expect([...got].sort((a, b) => a - b), tc.name).toEqual([...want].sort((a, b) => a - b));
      // Published messages carry what was stored.
      for (const m of c.messages) expect(m.type, tc.name).toBe(byId.get(m.id as number)!.type);
      // Not subscribed: no alerts, stats or database frames.
      expect(new Set(c.published.map((f) => f.topic)), tc.name).toEqual(new Set(['system', 'messages']));
    });
    // Fanned out natively in commit order.
    const all = topicClients.get(enc)![0]!.messages.map((m) => m.id as number);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    // The narrower cases really overlap: some messages matched two of their topics.
    const keyed = rows.filter((r) => up(r.flight) === 'XA0000' && r.label === 'Q0' && r.type === 'ACARS');
    expect(keyed.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.type === 'ACARS' && r.label === 'H1')).toBe(true);
  });

  it('delivers the same objects in both encodings', () => {
    const json = topicClients.get('json')![0]!.messages;
    const msgpack = topicClients.get('msgpack')![0]!.messages;
    expect(msgpack.length).toBe(json.length);
    expect(msgpack).toEqual(json);
    expect(json.find((m) => m.type === 'VDL-M2' && m.flight === 'WN0974')).toMatchObject({ icao: 'A542D7', tail: 'N438WN', station: 'CS-KABQ-VDLM' });
  });

  it.each(ENCODINGS)('%s: lists subscriptions normalized, with their filters', async (enc) => {
    const k = TOPIC_CASES.findIndex((tc) => tc.subscriptions);
    const c = topicClients.get(enc)![k]!;
    expect(result(await ask(c, { op: 'subscriptions' }))).toEqual({ protocol: 2, encoding: enc, admin: false, subscriptions: TOPIC_CASES[k]!.subscriptions });
    const u = topicClients.get(enc)![TOPIC_CASES.length - 1]!;
    expect(result(await ask(u, { op: 'subscriptions' })).subscriptions).toEqual([{ topic: 'label:_d', filter: null }]);
  });

  it.each(ENCODINGS)('%s: alerts topic: one publication per message the term matched', (enc) => {
    const w = watchers.get(enc)!;
    const matched = dbQuery<{ message_id: number; field: string }>(A, 'SELECT message_id, field FROM alert_matches WHERE term = ? ORDER BY message_id', LIVE_TERM);
    expect(matched.length).toBeGreaterThan(0);
    const ids = w.alerts.map((a) => (a.message as Json).id as number);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual([...new Set(matched.map((m) => m.message_id))]);
    for (const a of w.alerts) {
      const id = (a.message as Json).id as number;
      const fields = matched.filter((m) => m.message_id === id).map((m) => m.field);
      expect(a.matches).toEqual(expect.arrayContaining(fields.map((field) => ({ term: LIVE_TERM, field }))));
      expect(up((a.message as Json).flight) === LIVE_TERM || String((a.message as Json).text ?? '').toUpperCase().includes(LIVE_TERM)).toBe(true);
    }
    expect(w.messages).toEqual([]);
  });

  it.each(ENCODINGS)('%s: stats topic every 5 s: the last hour\'s rates and the mirror', async (enc) => {
    const w = watchers.get(enc)!;
    const s = await w.waitForStats(12_000);
    expect(s).toMatchObject({ rates: { source: expect.any(String), result: expect.any(Object) }, mirror: { lastId: expect.any(Number), lagMs: expect.any(Number), rows: expect.any(Number) } });
    expect((s.mirror as Json).lastId as number).toBeLessThanOrEqual(Math.max(...rows.map((r) => r.id as number)));
  });
});

// ---- operations ---------------------------------------------------------------------------------

describe.each(ENCODINGS)('operations (%s)', (enc) => {
  let user: WsClient;
  let admin: WsClient;
  let rows: Row[];

  beforeAll(async () => {
    user = await connect(A, enc);
    // JSON: the admin token in the Authorization header; MessagePack: as a browser offers it, beside contrail.msgpack.
    admin = enc === 'json' ? await connect(A, enc, { headers: { authorization: `Bearer ${ADMIN}` } }) : await connect(A, enc, { protocols: [`contrail.token.${ADMIN}`, 'contrail.msgpack'] });
    rows = readRows(A);
  });

  it('says hello first (protocol 2, the encoding, admin or not) and answers the subprotocol it chose', async () => {
    expect(user.first).toEqual({ topic: 'system', data: { event: 'hello', protocol: 2, encoding: enc, admin: false } });
    expect(admin.first).toEqual({ topic: 'system', data: { event: 'hello', protocol: 2, encoding: enc, admin: true } });
    expect(user.protocol).toBe(enc === 'json' ? '' : 'contrail.msgpack');
    expect(admin.protocol).toBe(enc === 'json' ? '' : 'contrail.msgpack');
    const explicit = await connect(A, enc, { protocols: enc === 'json' ? ['contrail.json'] : ['contrail.json', 'contrail.msgpack'] });
    expect(explicit.protocol).toBe(enc === 'json' ? 'contrail.json' : 'contrail.msgpack');
    expect(explicit.first).toMatchObject({ data: { encoding: enc, admin: false } });
    // A token that is not the admin token connects (no read token here), without admin.
    const wrong = await connect(A, enc, { headers: { authorization: 'Bearer not-the-admin-token-0123456789' } });
    expect(wrong.first).toMatchObject({ data: { admin: false } });
    explicit.close();
    wrong.close();
  });

  it('ping, subscribe, unsubscribe and subscriptions', async () => {
    const c = await connect(A, enc);
    const ping = nextId('ping');
    expect(await ask(c, { op: 'ping', id: ping })).toEqual({ id: ping, ok: true });
    // Numeric ids are echoed as numbers.
    expect(await ask(c, { op: 'ping', id: 424242 })).toEqual({ id: 424242, ok: true });
    const sub = await ask(c, { op: 'subscribe', topics: ['label:H1', 'database', 'alerts'], filter: { station: 'CS-KABQ-VDLM' } });
    expect(sub).toEqual({ id: sub.id, ok: true });
    expect(result(await ask(c, { op: 'subscriptions' }))).toEqual({
      protocol: 2,
      encoding: enc,
      admin: false,
      subscriptions: [
        { topic: 'label:H1', filter: { station: ['CS-KABQ-VDLM'] } },
        { topic: 'database', filter: null },
        { topic: 'alerts', filter: null },
      ],
    });
    const unsub = await ask(c, { op: 'unsubscribe', topics: ['database', 'stats', 'tail:N0NE'] });
    expect(unsub).toEqual({ id: unsub.id, ok: true });
    expect((result(await ask(c, { op: 'subscriptions' })).subscriptions as Json[]).map((s) => s.topic)).toEqual(['label:H1', 'alerts']);
    await ask(c, { op: 'unsubscribe', topics: ['label:H1', 'alerts'] });
    expect(result(await ask(c, { op: 'subscriptions' })).subscriptions).toEqual([]);
  });

  it('subscribe with history: the newest N stored messages of the topic, newest first', async () => {
    const c = await connect(A, enc);
    const reply = await ask(c, { op: 'subscribe', topics: ['messages:ACARS'], history: 5 });
    const history = (result(reply).history as Json).messages as Json[];
    const acars = rows.filter((r) => r.type === 'ACARS');
    expect(history.map((m) => m.id)).toEqual(acars.slice(0, 5).map((r) => r.id));
    expect(Object.keys(result(reply))).toEqual(['history']);
    expect(history[0]).toMatchObject({ id: acars[0]!.id, type: 'ACARS', receivedAt: expect.any(Number) });
  });

  it('search, paged with the cursor, as the stored rows say', async () => {
    const query = { label: 'H1', type: 'VDL-M2', limit: 17 };
    const want = expectedIds(rows, parseSearchRequest({ label: 'H1', type: 'VDL-M2' }).filters);
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (; pages < 50; pages++) {
      const page = result(await ask(user, { op: 'search', ...query, ...(cursor ? { cursor } : {}) })) as { messages: Json[]; next: string | null; total: number };
      expect(page.total).toBe(want.length);
      ids.push(...page.messages.map((m) => m.id as number));
      cursor = page.next;
      if (cursor === null) break;
    }
    expect(pages).toBeGreaterThan(1);
    expect(ids).toEqual(want);
    // The same answer as the HTTP API.
    const http = await apiRequest(A, '/api/v1/search?label=H1&type=VDL-M2&limit=17');
    expect(result(await ask(user, { op: 'search', ...query }))).toEqual(http.body);
  });

  it('history, with filters', async () => {
    const reply = result(await ask(user, { op: 'history', type: 'HFDL', limit: 7 }));
    expect(Object.keys(reply)).toEqual(['messages']);
    expect((reply.messages as Json[]).map((m) => m.id)).toEqual(expectedIds(rows, { type: 'HFDL' }).slice(0, 7));
    expect(result(await ask(user, { op: 'history', tail: 'N438WN', limit: 3 }))).toEqual((await apiRequest(A, '/api/v1/messages?tail=N438WN&limit=3')).body);
    // Default limit 250.
    expect((result(await ask(user, { op: 'history' })).messages as Json[]).length).toBe(Math.min(250, rows.length));
  });

  it('aircraft: by tail, icao, flight or id; null when none matches', async () => {
    const byTail = result(await ask(user, { op: 'aircraft', tail: 'N438WN', limit: 3 }));
    expect(byTail).toEqual((await apiRequest(A, '/api/v1/aircraft?tail=N438WN&limit=3')).body);
    expect(byTail.aircraft).toMatchObject({ tail: 'N438WN', icao: 'A542D7' });
    expect(Object.keys(byTail.aircraft as Json)).toContain('lastPosition');
    expect((byTail.recent as Json[]).length).toBe(3);
    const id = (byTail.aircraft as Json).id;
    for (const q of [{ icao: 'A542D7' }, { flight: 'WN0974' }, { aircraft: id }]) {
      expect((result(await ask(user, { op: 'aircraft', ...q, limit: 3 })).aircraft as Json).id, JSON.stringify(q)).toBe(id);
    }
    // Default limit 50.
    const recent = result(await ask(user, { op: 'aircraft', aircraft: id })).recent as Json[];
    expect(recent.length).toBe(Math.min(50, rows.filter((r) => r.aircraft_id === id).length));
    const none = await ask(user, { op: 'aircraft', tail: 'N0SUCH' });
    expect(none).toEqual({ id: none.id, ok: true, result: null });
  });

  it('analytics', async () => {
    const top = result(await ask(user, { op: 'analytics', query: 'top', field: 'flight', from: '400d', limit: 5, source: 'sqlite' }));
    expect(top).toMatchObject({ source: 'sqlite', ms: expect.any(Number), result: { field: 'flight' } });
    const list = (top.result as Json).top as { value: string; messages: number }[];
    expect(list).toHaveLength(5);
    const counts = new Map<string, number>();
    for (const r of rows) if (typeof r.flight === 'string') counts.set(r.flight, (counts.get(r.flight) ?? 0) + 1);
    for (const t of list) expect(t.messages, t.value).toBe(counts.get(t.value));
    expect(list[0]!.messages).toBe(Math.max(...counts.values()));
    const http = await apiRequest(A, '/api/v1/analytics/top?field=flight&from=400d&limit=5&source=sqlite');
    expect(top.result).toEqual(http.body.result);
    const rates = result(await ask(user, { op: 'analytics', query: 'rates', resolution: '1h' }));
    expect(['duckdb', 'sqlite']).toContain(rates.source);
    expect(rates.result).toEqual(expect.any(Object));
  });

  it('alerts.terms, db.status and db.backups answer as the HTTP API does', async () => {
    expect(result(await ask(user, { op: 'alerts.terms' }))).toEqual((await apiRequest(A, '/api/v1/alerts/terms')).body);
    const status = result(await ask(user, { op: 'db.status' }));
    const http = (await apiRequest(A, '/api/v1/db/status')).body;
    expect(Object.keys(status).sort()).toEqual(Object.keys(http).sort());
    expect(status).toMatchObject({ current: http.current, mode: 'ready', updatePending: false });
    expect(result(await ask(user, { op: 'db.backups' }))).toEqual((await apiRequest(A, '/api/v1/db/backups')).body);
  });

  it('admin operations: UNAUTHORIZED until auth with the admin token, which a wrong token does not give', async () => {
    const c = await connect(A, enc);
    for (const op of ADMIN_OPS) expectError(await ask(c, { op, ...ADMIN_FIELDS[op] }), 'UNAUTHORIZED', /admin token/);
    const refused = total(await scrape(A.httpPort), 'contrail_ws_refused_total', 'reason="auth"');
    expectError(await ask(c, { op: 'auth', token: 'not-the-admin-token-0123456789' }), 'UNAUTHORIZED', /wrong admin token/);
    expect(total(await scrape(A.httpPort), 'contrail_ws_refused_total', 'reason="auth"')).toBe(refused + 1);
    expectError(await ask(c, { op: 'db.migrate' }), 'UNAUTHORIZED');
    expect(result(await ask(c, { op: 'auth', token: ADMIN }))).toEqual({ admin: true });
    expect(result(await ask(c, { op: 'subscriptions' }))).toMatchObject({ admin: true });
    expect(result(await ask(c, { op: 'db.migrate' }))).toMatchObject({ applied: [], message: 'nothing to migrate' });
  });

  it('alerts.add, alerts.remove, alerts.rescan (progress on the database topic)', async () => {
    const term = enc === 'json' ? 'N438WN' : 'N8560Z';
    expect(await ask(admin, { op: 'subscribe', topics: ['database'] })).toMatchObject({ ok: true });
    expect(result(await ask(admin, { op: 'alerts.add', term }))).toEqual({ term, regex: false });
    expect(result(await ask(admin, { op: 'alerts.add', term: 'KABQ.*TEST', regex: true, ignore: true }))).toEqual({ term: 'KABQ.*TEST', regex: true });
    const terms = result(await ask(admin, { op: 'alerts.terms' })) as { terms: Json[]; ignore: Json[] };
    expect(terms.terms.map((t) => t.term)).toContain(term);
    expect(terms.ignore).toEqual([expect.objectContaining({ term: 'KABQ.*TEST', regex: true })]);

    // Two at once: the second finds the first under way.
    const [first, second] = await burst(admin, [{ op: 'alerts.rescan' }, { op: 'alerts.rescan' }]);
    expect(result(first!)).toMatchObject({ scanned: expect.any(Number), percent: expect.any(Number), done: false });
    expectError(second!, 'BUSY', /already under way/);
    const done = await admin.waitForEvent((e) => e.event === 'alerts-rescan' && e.done === true, 20_000);
    expect(done.percent).toBe(100);
    const n = dbQuery<{ n: number }>(A, 'SELECT count(*) AS n FROM alert_matches')[0]!.n;
    expect(done.matches).toBe(n);
    const tailRows = rows.filter((r) => r.is_acars === 1 && String(r.tail ?? '').toUpperCase().includes(term)).map((r) => r.id);
    const matchedRows = dbQuery<{ message_id: number }>(A, 'SELECT DISTINCT message_id FROM alert_matches WHERE term = ? ORDER BY message_id', term).map((r) => r.message_id);
    expect(tailRows.length).toBeGreaterThan(0);
    expect(matchedRows).toEqual(expect.arrayContaining(tailRows));
    // Only subscribers of the database topic hear of it.
    expect(user.events.filter((e) => e.event === 'alerts-rescan')).toEqual([]);

    expect(result(await ask(admin, { op: 'alerts.remove', term }))).toEqual({ removed: term, kind: 'alert' });
    expectError(await ask(admin, { op: 'alerts.remove', term }), 'NOT_FOUND', new RegExp(term));
    expectError(await ask(admin, { op: 'alerts.remove', term: 'KABQ.*TEST' }), 'NOT_FOUND');
    expect(result(await ask(admin, { op: 'alerts.remove', term: 'KABQ.*TEST', ignore: true }))).toEqual({ removed: 'KABQ.*TEST', kind: 'ignore' });
    expectError(await ask(admin, { op: 'alerts.add', term: '(unclosed', regex: true }), 'BAD_REQUEST');
    expectError(await ask(admin, { op: 'alerts.add', term: '' }), 'BAD_REQUEST');
    await ask(admin, { op: 'unsubscribe', topics: ['database'] });
  });

  it('db.backup, db.backups, db.migrate and db.restore', async () => {
    const backup = result(await ask(admin, { op: 'db.backup' }));
    expect(backup).toMatchObject({ id: expect.any(String), reason: 'api' });
    const backups = result(await ask(admin, { op: 'db.backups' })) as unknown as Json[];
    expect(backups.map((b) => b.id)).toContain(backup.id);
    expect(result(await ask(admin, { op: 'db.migrate' }))).toMatchObject({ applied: [], message: 'nothing to migrate' });
    expectError(await ask(admin, { op: 'db.restore', backup: 'no-such-backup' }), 'NOT_FOUND');
    const before = readRows(A).length;
    const restored = result(await ask(admin, { op: 'db.restore', backup: backup.id }));
    expect(restored).toMatchObject({ restored: { id: backup.id }, mode: 'ready' });
    // Nothing arrived since the backup: the same rows, and reads go on.
    await waitUntil('history after the restore', () => ask(user, { op: 'history', limit: 1 }), (r) => r.ok === true);
    expect(readRows(A).length).toBe(before);
  });
});

// ---- errors -----------------------------------------------------------------------------------

describe.each(ENCODINGS)('errors (%s)', (enc) => {
  let c: WsClient;

  beforeAll(async () => {
    c = await connect(A, enc);
  });

  it('BAD_REQUEST with id null for frames that are not requests; the connection stays', async () => {
    const unreadable: (string | Uint8Array)[] = ['{not json', '[1,2]', '42', '"ping"', 'null', ''];
    if (enc === 'json') unreadable.push(pack({ op: 'ping', id: 'binary' }));
    else {
      // 0xc1 is never used in MessagePack: alone, or as the value of a field ({"op":"ping","id":<0xc1>}).
      const c1Id = Uint8Array.from([0x82, 0xa2, 0x6f, 0x70, 0xa4, 0x70, 0x69, 0x6e, 0x67, 0xa2, 0x69, 0x64, 0xc1]);
      unreadable.push(Uint8Array.from([0xc1]), c1Id, Uint8Array.from([0x92, 0x01]), Uint8Array.from([0x01, 0x02]), pack([1, 2]), pack('ping'));
    }
    for (const frame of unreadable) {
      const reply = await askRaw(c, frame);
      expect(reply, String(frame)).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
    }
    if (enc === 'json') expect(c.repliesTo(null).at(-1)!.error).toMatchObject({ message: expect.stringMatching(/binary frames need the contrail\.msgpack subprotocol/) });
    else expect(c.repliesTo(null).some((r) => /not valid MessagePack/.test(String((r.error as Json).message)))).toBe(true);
    // A MessagePack connection also takes JSON text requests (and answers in MessagePack).
    if (enc === 'msgpack') expect(await askRaw(c, JSON.stringify({ op: 'ping', id: 'text-ping' }), 'text-ping')).toEqual({ id: 'text-ping', ok: true });
    expect(await ask(c, { op: 'ping' })).toMatchObject({ ok: true });
    expect(c.closedWith).toBeNull();
  });

  it('BAD_REQUEST naming the field, with the request id', async () => {
    const cases: [Json, RegExp][] = [
      [{ op: 'subscribe' }, /"topics"/],
      [{ op: 'subscribe', topics: [] }, /"topics"/],
      [{ op: 'subscribe', topics: 'messages' }, /"topics"/],
      [{ op: 'subscribe', topics: ['messages'], history: 0 }, /"history" must be a whole number of messages, 1 to 1000, not 0/],
      [{ op: 'subscribe', topics: ['messages'], history: 1001 }, /"history"/],
      [{ op: 'subscribe', topics: ['messages'], history: '5' }, /"history"/],
      [{ op: 'subscribe', topics: ['messages'], filter: { lable: 'H1' } }, /unknown filter field "lable"/],
      [{ op: 'subscribe', topics: ['messages'], filter: { type: 'ADSB' } }, /filter "type"/],
      [{ op: 'subscribe', topics: ['messages'], filter: { label: Array.from({ length: 65 }, (_, i) => `L${i}`) } }, /1 to 64 values/],
      [{ op: 'subscribe', topics: ['messages'], filter: 'H1' }, /"filter"/],
      [{ op: 'subscribe', topics: ['alerts'], filter: { label: 'H1' } }, /"filter" applies to message topics/],
      [{ op: 'unsubscribe' }, /"topics"/],
      [{ op: 'search', limit: 9999 }, /limit/],
      [{ op: 'search', tial: 'N1' }, /unknown parameter "tial"/],
      [{ op: 'search', from: 'soon' }, /from "soon"/],
      [{ op: 'search', cursor: 'abc' }, /cursor/],
      [{ op: 'history', limit: 1001 }, /limit/],
      [{ op: 'history', text: 'KPHX' }, /text/],
      [{ op: 'aircraft' }, /tail|icao|flight/],
      [{ op: 'aircraft', tail: 'N'.repeat(17) }, /tail must be a string of at most 16 characters/],
      [{ op: 'aircraft', tail: 'N438WN', limit: 501 }, /limit/],
      [{ op: 'analytics' }, /"query"/],
      [{ op: 'analytics', query: 'weather' }, /unknown analytics query "weather"/],
      [{ op: 'analytics', query: 'compare' }, /admin operation/],
      [{ op: 'analytics', query: 'top', field: 'colour' }, /field "colour"/],
      [{ op: 'analytics', query: 'rates', resolution: '2m' }, /resolution "2m"/],
      [{ op: 'auth' }, /"token"/],
      [{ op: 'alerts.remove' }, /"term"/],
      [{ op: 'db.restore' }, /"backup"/],
    ];
    for (const [req, message] of cases) {
      const reply = await ask(c, req);
      expect(reply.id).toEqual(expect.any(String));
      expectError(reply, 'BAD_REQUEST', message);
    }
    // Admin operations check the token before their fields.
    expectError(await ask(c, { op: 'alerts.add' }), 'UNAUTHORIZED');
  });

  it('UNKNOWN_OP', async () => {
    expectError(await ask(c, { op: 'dance' }), 'UNKNOWN_OP', /unknown op "dance"; ops are subscribe, .*db\.restore/);
    const noOp = await askRaw(c, c.encode({ id: 'no-op' }), 'no-op');
    expectError(noOp, 'UNKNOWN_OP', /"op" must name an operation; ops are subscribe/);
    const numeric = await askRaw(c, c.encode({ op: 7, id: 7 }), 7);
    expectError(numeric, 'UNKNOWN_OP');
  });

  it('UNKNOWN_TOPIC, and nothing in the request is subscribed', async () => {
    for (const topic of ['messages:ADSB', 'aircraft:XYZ', 'flight:', 'weather', 'label:' + 'x'.repeat(65), 42]) {
      expectError(await ask(c, { op: 'subscribe', topics: ['messages', topic] }), 'UNKNOWN_TOPIC', /unknown topic .*; topics are messages, messages:</);
    }
    expectError(await ask(c, { op: 'unsubscribe', topics: ['nonsense'] }), 'UNKNOWN_TOPIC');
    expect(result(await ask(c, { op: 'subscriptions' })).subscriptions).toEqual([]);
  });

  it('TOO_MANY_TOPICS: more than 256 in a request, or past the per-client limit; nothing subscribed', async () => {
    const many = Array.from({ length: 257 }, (_, i) => `flight:F${i}`);
    expectError(await ask(c, { op: 'subscribe', topics: many }), 'TOO_MANY_TOPICS', /256/);
    const four = ['flight:F1', 'flight:F2', 'label:H1', 'messages:HFDL'];
    expect(await ask(c, { op: 'subscribe', topics: four })).toMatchObject({ ok: true });
    const overLimit = ['flight:F3', 'flight:F4', 'flight:F5'];
    expectError(await ask(c, { op: 'subscribe', topics: overLimit }), 'TOO_MANY_TOPICS', new RegExp(`${MAX_SUBSCRIPTIONS} subscriptions \\(CONTRAIL_WS_MAX_SUBSCRIPTIONS\\)`));
    const names = async (): Promise<unknown[]> => (result(await ask(c, { op: 'subscriptions' })).subscriptions as Json[]).map((s) => s.topic);
    expect(await names()).toEqual(four);
    // Topics already held do not count twice: up to the limit exactly.
    expect(await ask(c, { op: 'subscribe', topics: [...four, 'flight:F3', 'flight:F4'] })).toMatchObject({ ok: true });
    expect(await names()).toHaveLength(MAX_SUBSCRIPTIONS);
    expectError(await ask(c, { op: 'subscribe', topics: ['stats'] }), 'TOO_MANY_TOPICS');
    await ask(c, { op: 'unsubscribe', topics: [...four, 'flight:F3', 'flight:F4'] });
    expect(await names()).toEqual([]);
  });

  it('a frame over 16 KiB gets TOO_LARGE and the connection stays; one over 256 KiB ends it (1006); one just under is answered', async () => {
    const d = await connect(A, enc);
    const under = { op: 'ping', id: 'under', pad: 'x'.repeat(15 * 1024) };
    expect(await askRaw(d, d.encode(under), 'under')).toEqual({ id: 'under', ok: true });
    const over = { op: 'ping', id: 'over', pad: 'x'.repeat(17 * 1024) };
    // Not read: the reply cannot carry the id.
    expectError(await askRaw(d, d.encode(over), null), 'TOO_LARGE', /over the 16384-byte limit/);
    expect(d.repliesTo('over')).toEqual([]);
    expect(await ask(d, { op: 'ping' })).toMatchObject({ ok: true });
    const huge = { op: 'ping', id: 'huge', pad: 'x'.repeat(300 * 1024) };
    d.send(d.encode(huge));
    // uWebSockets.js drops the connection at once, without a close frame: the client sees 1006.
    expect((await d.waitForClose()).code).toBe(1006);
    expect(d.repliesTo('huge')).toEqual([]);
    // Only that connection: the others are served.
    expect(await ask(c, { op: 'ping' })).toMatchObject({ ok: true });
  });
});

// ---- engine B: no admin token, one reader thread, a 100 ms query limit, a low request rate --------

describe.each(ENCODINGS)('refusals on an engine without an admin token (%s)', (enc) => {
  it('FORBIDDEN: admin operations and auth, whatever the connection presents', async () => {
    const c = await connect(B, enc, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(c.first).toEqual({ topic: 'system', data: { event: 'hello', protocol: 2, encoding: enc, admin: false } });
    for (const op of ADMIN_OPS) expectError(await ask(c, { op, ...ADMIN_FIELDS[op] }), 'FORBIDDEN', /CONTRAIL_ADMIN_TOKEN/);
    expectError(await ask(c, { op: 'auth', token: ADMIN }), 'FORBIDDEN', /CONTRAIL_ADMIN_TOKEN/);
    c.close();
  });

  it('INTERNAL: an unexpected failure (the backups directory is a file) is answered, logged, and the connection kept', async () => {
    const c = await connect(B, enc);
    expectError(await ask(c, { op: 'db.backups' }), 'INTERNAL', /ENOTDIR/);
    // The log line travels through the engine's stdout: it may come just after the reply.
    await waitUntil('the failure logged', async () => B.logs.some((l) => l.includes('"WebSocket request failed"') && l.includes('ENOTDIR')), (logged) => logged, 5000);
    expect(await ask(c, { op: 'ping' })).toMatchObject({ ok: true });
    c.close();
  });

  it('RATE_LIMITED past the rate (bursts of twice it), not run, the connection kept', async () => {
    const c = await connect(B, enc);
    const limitedBefore = total(await scrape(B.httpPort), 'contrail_ws_rate_limited_total');
    const t0 = performance.now();
    const replies = await burst(c, Array.from({ length: 3 * B_RATE }, () => ({ op: 'ping' })));
    const spanSeconds = (performance.now() - t0) / 1000;
    const ok = replies.filter((r) => r.ok === true).length;
    const limited = replies.filter((r) => code(r) === 'RATE_LIMITED');
    expect(ok).toBeGreaterThanOrEqual(2 * B_RATE);
    // The budget refills at B_RATE a second while a busy engine (B is ingesting) works through the burst.
    expect(ok, `${ok} served in ${spanSeconds.toFixed(3)} s`).toBeLessThanOrEqual(2 * B_RATE + Math.ceil(spanSeconds * B_RATE) + 1);
    expect(limited.length).toBeGreaterThan(0);
    expect(ok + limited.length).toBe(replies.length);
    expectError(limited[0]!, 'RATE_LIMITED', /CONTRAIL_WS_REQUESTS_PER_SECOND/);
    expect(total(await scrape(B.httpPort), 'contrail_ws_rate_limited_total')).toBe(limitedBefore + limited.length);
    await sleep(1100);
    expect(await ask(c, { op: 'ping' })).toMatchObject({ ok: true });
    expect(c.closedWith).toBeNull();
    c.close();
  });

  it('TIMEOUT past CONTRAIL_QUERY_TIMEOUT_MS and BUSY when the reader pool is full', async () => {
    await bIngest;
    const c = await connect(B, enc);
    // One reader thread with 16 places in its queue; each substring search reads every 4 KB text.
    // The limit counts from submission: the queue's tail runs past 100 ms, and the 18th on are refused.
    const replies = await burst(c, Array.from({ length: 24 }, () => ({ op: 'search', substring: 'no-such-substring', limit: 1 })));
    const codes = replies.map((r) => (r.ok === true ? 'ok' : code(r)));
    expect(new Set(codes), codes.join(' ')).toEqual(new Set(codes.filter((x) => ['ok', 'TIMEOUT', 'BUSY'].includes(x as string))));
    const timeout = replies.find((r) => code(r) === 'TIMEOUT');
    const busy = replies.find((r) => code(r) === 'BUSY');
    expect(timeout, codes.join(' ')).toBeDefined();
    expect(busy, codes.join(' ')).toBeDefined();
    expectError(timeout!, 'TIMEOUT', /did not finish within 100 ms \(CONTRAIL_QUERY_TIMEOUT_MS\)/);
    expectError(busy!, 'BUSY', /try again/);
    // The pool recovers.
    const again = await waitUntil('a search answered again', () => ask(c, { op: 'search', station: 'SLOW', limit: 1 }), (r) => r.ok === true, 15_000);
    expect((result(again).messages as Json[]).length).toBe(1);
    c.close();
  });
});

// ---- engine C: a schema update pending ----------------------------------------------------------

describe('an engine waiting for a schema update', () => {
  const cs = new Map<WsEncoding, WsClient>();

  beforeAll(async () => {
    for (const enc of ENCODINGS) {
      const c = await connect(C, enc);
      expect(await ask(c, { op: 'subscribe', topics: ['database'] })).toMatchObject({ ok: true });
      cs.set(enc, c);
    }
  });

  it.each(ENCODINGS)('%s: UNAVAILABLE for reads until the schema is current', async (enc) => {
    const c = cs.get(enc)!;
    for (const req of [
      { op: 'search', text: 'KPHX' },
      { op: 'history', limit: 5 },
      { op: 'aircraft', tail: 'N438WN' },
      { op: 'analytics', query: 'rates' },
      { op: 'subscribe', topics: ['messages'], history: 5 },
    ]) {
      expectError(await ask(c, req), 'UNAVAILABLE', /schema|not ready|start/);
    }
    // A subscribe whose history failed changed nothing; alert terms wait for the schema too.
    expect(result(await ask(c, { op: 'subscriptions' }))).toMatchObject({ subscriptions: [{ topic: 'database', filter: null }] });
    expectError(await ask(c, { op: 'alerts.terms' }), 'UNAVAILABLE', /schema update pending/);
    expect(result(await ask(c, { op: 'db.status' }))).toMatchObject({ current: OLD_SCHEMA, updatePending: true, mode: 'pending' });
  });

  it('db.migrate starts a consented migration, with progress on the database topic to both encodings', async () => {
    const admin = await connect(C, 'json', { headers: { authorization: `Bearer ${ADMIN}` } });
    // Two at once: the second finds the first under way.
    const [started, again] = await burst(admin, [{ op: 'db.migrate' }, { op: 'db.migrate' }]);
    expect(result(started!)).toMatchObject({ state: 'migrating', pending: PENDING });
    expectError(again!, 'BUSY', /a migration is already running/);
    const latest = PENDING.at(-1);
    for (const enc of ENCODINGS) {
      const c = cs.get(enc)!;
      await c.waitForEvent((e) => e.event === 'db-migration' && e.step === 'done' && e.schema === latest, 30_000);
      const steps = c.events.filter((e) => e.event === 'db-migration').map((e) => e.step);
      expect(steps[0]).toBe('backup');
      expect(steps.at(-1)).toBe('done');
      for (const n of PENDING) expect(steps, enc).toContain(n);
      expect(c.events.find((e) => e.step === latest)).toMatchObject({ percent: expect.any(Number) });
    }
    expect(result(await ask(admin, { op: 'db.migrate' }))).toMatchObject({ applied: [], message: 'nothing to migrate' });
    expect(result(await ask(admin, { op: 'db.status' }))).toMatchObject({ current: latest, updatePending: false, mode: 'ready' });
    for (const enc of ENCODINGS) {
      const reply = await waitUntil('reads after the migration', () => ask(cs.get(enc)!, { op: 'history', limit: 5 }), (r) => r.ok === true);
      expect(result(reply)).toEqual({ messages: [] });
    }
  });
});

// ---- CONFLICT ---------------------------------------------------------------------------------

describe('CONFLICT', () => {
  it.each([
    ['json', 'A'],
    ['msgpack', 'C'],
  ] as const)('%s: db.restore while another process holds the database\'s migration lock', async (enc, name) => {
    const engine = name === 'A' ? A : C;
    const admin = await connect(engine, enc, { headers: { authorization: `Bearer ${ADMIN}` } });
    const backups = result(await ask(admin, { op: 'db.backups' })) as unknown as Json[];
    expect(backups.length).toBeGreaterThan(0);
    // This test's process takes the lock, as `contrail db migrate` or `contrail db restore` would.
    const lock = ProcessLock.acquire(migrationLockPath(join(engine.dataDir, 'contrail.sqlite')), 'ws-conformance test', 'hold the migration lock');
    try {
      expectError(await ask(admin, { op: 'db.restore', backup: backups[0]!.id }), 'CONFLICT', new RegExp(`held by pid ${process.pid}`));
    } finally {
      lock.release();
    }
    // Ingest and reads go on, and the refused restore left the writer able to restore: an unknown
    // backup is NOT_FOUND, not BUSY.
    expect(await ask(admin, { op: 'history', limit: 1 })).toMatchObject({ ok: true });
    expectError(await ask(admin, { op: 'db.restore', backup: 'no-such-backup' }), 'NOT_FOUND', /no backup/);
  });
});
