/**
 * Child process holding N real WebSocket clients (the `ws` package), driven over IPC by the
 * load generator. Each client follows its plan (client-plan.ts): the subscriptions it sends, its
 * encoding, and how it reads what arrives. In the e2e trials client 0 subscribes to every message
 * and measures latency from each message's own time (the send time, rewritten by the load
 * generator) to its arrival; the others subscribe to one decoder type each (or to everything)
 * and only count, so the clients cost as little CPU as possible on a machine they share with the
 * engine. Nothing here parses a message: a delivery is recognised, and its id read, from its
 * first bytes.
 */
import { createHistogram } from 'node:perf_hooks';
import { unpack } from 'msgpackr';
import WebSocket from 'ws';
import { singleMessageTopic, type ClientPlan } from './client-plan.js';

export type ClientsCommand =
  | { cmd: 'connect'; url: string; plan: ClientPlan[] }
  | { cmd: 'report'; ids?: boolean }
  | { cmd: 'close' };

/** One client's counts (reported, with `idSets`, by `report` with `ids`). */
export interface ClientCounts {
  deliveries: number;
  /** Message ids received more than once (clients with `checkIds`). */
  duplicates: number;
  /** Messages the engine said this client missed (its `missed` events: it was paused as a slow client). */
  missed: number;
}

export interface ClientsReport {
  clients: number;
  /** Messages received, summed over clients. */
  deliveries: number;
  /** Messages received by client 0 (subscribed to everything). */
  observed: number;
  /**
   * Clients per unfiltered message topic (`messages`, `messages:TYPE`), for the deliveries
   * expected from the engine's counters. Clients with any other plan are not in it.
   */
  subscribersPerTopic: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number; count: number };
  /** The part of the latency after the engine read the frame (its receivedAt) until arrival here. */
  engineToClientMs: { p50: number; p90: number; p99: number; max: number };
  cpuSeconds: number;
  /** Messages the engine reported missed (slow-client `missed` events), summed over clients. */
  missed: number;
  /** Ids received twice, summed over the clients that check ids (absent when none does). */
  duplicates?: number;
  /** Messages whose id could not be read, or (with `unpack`) that did not decode to a message with an id. */
  unreadable?: number;
  /** Per client, its counts; `report` with `ids`. */
  perClient?: ClientCounts[];
  /** Per client, the ids received as a base64 bitset (bit i of byte i >> 3 = id i); `report` with `ids`. */
  idSets?: (string | null)[];
}

interface Client {
  counts: ClientCounts;
  /** Ids received, a bitset grown on demand (clients with `checkIds`). */
  seen: Uint8Array | null;
}

const latency = createHistogram();
const afterRead = createHistogram();
let deliveries = 0;
let observed = 0;
let unreadable = 0;
const sockets: WebSocket[] = [];
const clients: Client[] = [];
const subscribersPerTopic: Record<string, number> = {};

const MSGPACK_PROTOCOL = 'contrail.msgpack';
const JSON_MESSAGE = Buffer.from('{"topic":"messages"');
const JSON_SYSTEM = Buffer.from('{"topic":"system"');
const JSON_ID = Buffer.from('"id":');
/** MessagePack `{topic: ...}`: a map header, the key "topic" as a fixstr, then the topic's fixstr. */
const MP_TOPIC = Buffer.from([0xa5, ...Buffer.from('topic')]);
/** The key "id" as a MessagePack fixstr: the first key of a message's data. */
const MP_ID = Buffer.from([0xa2, 0x69, 0x64]);

type Kind = 'message' | 'system' | 'reply';

/** `data` holds `bytes` from byte `at`. */
function holds(data: Buffer, bytes: Buffer, at = 0): boolean {
  return data.length >= at + bytes.length && data.compare(bytes, 0, bytes.length, at, at + bytes.length) === 0;
}

function kindOf(data: Buffer, binary: boolean): Kind {
  if (!binary) return holds(data, JSON_MESSAGE) ? 'message' : holds(data, JSON_SYSTEM) ? 'system' : 'reply';
  // msgpackr writes maps as map16 (0xde, two length bytes); a fixmap (0x80-0x8f) takes one byte.
  const first = data[0] ?? 0;
  const at = first === 0xde ? 3 : first >= 0x80 && first <= 0x8f ? 1 : -1;
  if (at < 0 || !holds(data, MP_TOPIC, at) || data.length < at + 8) return 'reply';
  // The topic: fixstr "messages" (0xa8) or "system" (0xa6).
  return data[at + 6] === 0xa8 && data[at + 7] === 0x6d ? 'message' : 'system';
}

/** The first `"id":` after the topic is the message's own (the writer puts it first in data). */
function jsonId(data: Buffer): number {
  const at = data.indexOf(JSON_ID, 20);
  if (at < 0) return -1;
  let n = -1;
  for (let i = at + JSON_ID.length; i < data.length; i++) {
    const d = data[i]! - 48;
    if (d < 0 || d > 9) break;
    n = (n < 0 ? 0 : n * 10) + d;
  }
  return n;
}

function msgpackId(data: Buffer): number {
  const at = data.indexOf(MP_ID, 20);
  if (at < 0 || at + 3 >= data.length) return -1;
  const p = at + 3;
  const t = data[p]!;
  if (t <= 0x7f) return t;
  if (t === 0xcc) return data[p + 1] ?? -1;
  if (t === 0xcd && p + 3 <= data.length) return data.readUInt16BE(p + 1);
  if (t === 0xce && p + 5 <= data.length) return data.readUInt32BE(p + 1);
  if (t === 0xcb && p + 9 <= data.length) return data.readDoubleBE(p + 1);
  return -1;
}

function markSeen(c: Client, id: number): void {
  if (!Number.isInteger(id) || id < 0) {
    unreadable++;
    return;
  }
  const byte = id >>> 3;
  if (byte >= c.seen!.length) {
    const grown = new Uint8Array(Math.max(byte + 1, c.seen!.length * 2));
    grown.set(c.seen!);
    c.seen = grown;
  }
  const bit = 1 << (id & 7);
  if ((c.seen![byte]! & bit) !== 0) c.counts.duplicates++;
  else c.seen![byte]! |= bit;
}

function systemEvent(c: Client, data: Buffer, binary: boolean): void {
  try {
    const frame = (binary ? unpack(data) : JSON.parse(data.toString('utf8'))) as { data?: { event?: string; missed?: number } };
    if (frame.data?.event === 'missed') c.counts.missed += Number(frame.data.missed) || 0;
  } catch {
    /* not ours to judge: only `missed` is counted */
  }
}

function open(url: string, plan: ClientPlan): Promise<void> {
  const msgpack = plan.encoding === 'msgpack';
  const ws = new WebSocket(url, msgpack ? [MSGPACK_PROTOCOL] : [], { skipUTF8Validation: true, perMessageDeflate: false });
  const c: Client = { counts: { deliveries: 0, duplicates: 0, missed: 0 }, seen: plan.checkIds ? new Uint8Array(1 << 14) : null };
  sockets.push(ws);
  clients.push(c);
  const topic = singleMessageTopic(plan);
  if (topic !== null) subscribersPerTopic[topic] = (subscribersPerTopic[topic] ?? 0) + 1;
  const measure = plan.measure === true && !msgpack;
  const unpackAll = plan.unpack === true && msgpack;
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      plan.subscriptions.forEach((s, k) => ws.send(JSON.stringify({ op: 'subscribe', id: k + 1, topics: s.topics, ...(s.filter ? { filter: s.filter } : {}) })));
    });
    let replies = 0;
    ws.on('message', (data: Buffer, binary: boolean) => {
      const kind = kindOf(data, binary);
      if (kind === 'system') {
        // Engine events (hello, the slow-client `missed`) reach every client; they are not deliveries.
        systemEvent(c, data, binary);
        return;
      }
      if (kind === 'reply') {
        const reply = (binary ? unpack(data) : JSON.parse(data.toString('utf8'))) as { ok?: boolean; error?: { code: string; message: string } };
        if (!reply.ok) reject(new Error(`subscribe refused: ${reply.error?.code} ${reply.error?.message}`));
        else if (++replies === plan.subscriptions.length) resolve();
        return;
      }
      deliveries++;
      c.counts.deliveries++;
      if (c.seen !== null) markSeen(c, binary ? msgpackId(data) : jsonId(data));
      if (unpackAll) {
        const m = unpack(data) as { data?: { id?: unknown } } | undefined;
        if (typeof m?.data?.id !== 'number') unreadable++;
      }
      if (!measure) return;
      observed++;
      // Only the time field is read; parsing the whole message would cost more than the engine's publish.
      const now = performance.timeOrigin + performance.now();
      const text = data.toString('latin1');
      const i = text.indexOf('"time":');
      const r = text.indexOf('"receivedAt":');
      if (i < 0 || r < 0) return;
      const sentMs = Number.parseFloat(text.slice(i + 7, i + 32)) * 1000;
      latency.record(Math.max(1, Math.round((now - sentMs) * 1000)));
      const readMs = Number.parseFloat(text.slice(r + 13, r + 30));
      afterRead.record(Math.max(1, Math.round((now - readMs) * 1000)));
    });
  });
}

async function connect(url: string, plan: ClientPlan[]): Promise<void> {
  if (plan.length === 0) return;
  await open(url, plan[0]!);
  await Promise.all(plan.slice(1).map((p) => open(url, p)));
}

function report(ids: boolean): ClientsReport {
  const us = (v: number): number => Math.round(v) / 1000;
  const cpu = process.cpuUsage();
  const checking = clients.some((c) => c.seen !== null);
  return {
    clients: sockets.length,
    deliveries,
    observed,
    subscribersPerTopic,
    latencyMs: { p50: us(latency.percentile(50)), p90: us(latency.percentile(90)), p99: us(latency.percentile(99)), max: us(latency.max), count: latency.count },
    engineToClientMs: { p50: us(afterRead.percentile(50)), p90: us(afterRead.percentile(90)), p99: us(afterRead.percentile(99)), max: us(afterRead.max) },
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    missed: clients.reduce((sum, c) => sum + c.counts.missed, 0),
    ...(checking ? { duplicates: clients.reduce((sum, c) => sum + c.counts.duplicates, 0), unreadable } : {}),
    ...(ids ? { perClient: clients.map((c) => ({ ...c.counts })) } : {}),
    ...(ids ? { idSets: clients.map((c) => (c.seen === null ? null : Buffer.from(c.seen.buffer, c.seen.byteOffset, c.seen.byteLength).toString('base64'))) } : {}),
  };
}

process.on('message', (m: ClientsCommand) => {
  switch (m.cmd) {
    case 'connect':
      connect(m.url, m.plan).then(
        () => process.send!({ ok: true }),
        (e: Error) => process.send!({ ok: false, error: e.message }),
      );
      break;
    case 'report':
      process.send!({ ok: true, report: report(m.ids === true) });
      break;
    case 'close':
      for (const ws of sockets) ws.terminate();
      process.exit(0);
  }
});
