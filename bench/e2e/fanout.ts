/**
 * What protocol 2's delivery paths cost at load: the same engine, corpus and 100 WebSocket clients
 * in three modes, each on a fresh engine per trial.
 *
 * - `native`: client 0 subscribes to `messages`, the others to one `messages:TYPE` each; uWS fans
 *   out natively (the e2e trials' 'mixed' clients).
 * - `routed`: client 0 as before; each other client holds overlapping narrow subscriptions (a
 *   label, a flight, a station, a tail or an aircraft, and a filtered `messages`; one in five
 *   also a native `messages:HFDL`), with values taken from the frames the load generator sends.
 *   Every message reaches them through the main thread's router (ws-router.ts).
 * - `msgpack`: like native, but the other clients offer `contrail.msgpack`: each message is
 *   re-encoded once (JSON.parse + msgpackr pack) and fanned out natively on the `mp:` topics.
 *
 * Per mode: TCP as fast as the engine takes it (the sustained committed rate) and UDP at a fixed
 * rate (latency, CPU). Every client reads each message's id from its first bytes (JSON: `"id":`,
 * MessagePack: the `id` key's integer) and counts ids received twice; MessagePack clients only
 * count frames, except client 1 which decodes every frame with msgpackr's `unpack`. After each
 * trial the stopped engine's SQLite file is opened read-only and, for every client, the rows its
 * subscriptions match are selected with SQL (flight, tail and ICAO upper-cased and trimmed, a row
 * matching several subscriptions once) and compared, id by id, with the ids the client received.
 *
 * Run by bench/run.ts (`--only fanout`); runnable alone:
 *   node dist/bench/e2e/fanout.js [--clients N] [--stations N] [--seconds S] [--rate R]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { Message } from '../../src/decode/message.js';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { loadCorpus } from '../lib/corpus.js';
import { emitResult } from '../lib/result.js';
import { requireNativeUws } from '../lib/uws-native.js';
import { topicsPlan, TYPES, type ClientPlan, type ClientSubscription } from './client-plan.js';
import { buildTemplates, render, type FrameTemplate } from './frame-templates.js';
import { benchStation } from './load-sender.js';
import { runTrial, type TrialOptions, type TrialResult } from './load-trial.js';
import type { ClientsReport } from './ws-clients.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    stations: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    rate: { type: 'string', default: '5000' },
  },
});

export const FANOUT_MODES = ['native', 'routed', 'msgpack'] as const;
export type FanoutMode = (typeof FANOUT_MODES)[number];

/** One trial's deliveries against what the stored rows say each client should have received. */
export interface DeliveryCheck {
  /** Rows in the engine's database after the trial. */
  storedRows: number;
  /** Clients compared (every client checks ids). */
  clients: number;
  /** Rows matching each client's subscriptions, summed over clients (SQL). */
  expected: number;
  delivered: number;
  /** Messages the engine told clients they missed (slow-client pauses). */
  missed: number;
  duplicates: number;
  /** Expected ids a client did not receive, and ids it received that its subscriptions do not match. */
  missingIds: number;
  unexpectedIds: number;
  /** Clients with a duplicate, an unexpected id, or more missing ids than their `missed` events account for. */
  clientsDiffering: number;
  /** The same sums over clients 1 to N-1 only (client 0 takes `messages`). */
  others: { expected: number; delivered: number; missingIds: number; unexpectedIds: number };
  sqlMs: number;
}

export interface FanoutModeResult {
  description: string;
  /** Committed rows per second, TCP at full speed (`tcp-max`). */
  sustainedFramesPerSec: number;
  /** sustainedFramesPerSec over native's. */
  sustainedVsNative: number;
  /** Client 0 (`messages`, JSON) at the fixed UDP rate. */
  latencyMs: { p50: number; p99: number; max: number };
  cpuPerKFramesMsAtRate: number;
  cpuPerKFramesMsAtMax: number;
  /** Main-thread publish time (`contrail_stage_seconds{stage="publish"}`) per 1,000 frames. */
  publishMsPerKFramesAtRate: number;
  publishMsPerKFramesAtMax: number;
  /** Deliveries per stored message at the fixed rate (all clients). */
  deliveriesPerMessage: number;
  /** Over both trials. */
  duplicates: number;
  /** Both trials: every client's ids matched its SQL expectation. */
  deliveriesMatchSql: boolean;
  checks: Record<string, DeliveryCheck>;
  trials: Record<string, TrialResult>;
}

export interface FanoutResult {
  clients: number;
  stations: number;
  seconds: number;
  ratePerSec: number;
  /** How the clients read frames (they share the machine with the engine). */
  clientReading: string;
  /** An example routed client's subscriptions (client 1). */
  routedExample: ClientSubscription[];
  /** Per routed client, on average: keyed topics, filtered subscriptions, native topics. */
  routedSubscriptionsPerClient: { keyed: number; filtered: number; native: number };
  modes: Record<FanoutMode, FanoutModeResult>;
}

const log = (s: string): void => void process.stdout.write(`${s}\n`);

/** The messages the load generator's frames become (one per template), for picking real topic values. */
function sentMessages(templates: readonly FrameTemplate[]): Message[] {
  const now = Date.now();
  const out: Message[] = [];
  for (const t of templates) {
    const r = normalizeFrame(JSON.parse(render(t, now * 1000, benchStation(0)).toString('utf8')), t.hint, now);
    if (r.ok) out.push(r.message);
  }
  return out;
}

/** The `n` commonest non-empty values, commonest first. */
function commonest(values: readonly (string | null)[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([v]) => v);
}

function plans(clients: number, stations: number, messages: readonly Message[]): Record<FanoutMode, ClientPlan[]> {
  const native = topicsPlan(clients, 'mixed').map((p) => ({ ...p, checkIds: true }));
  const msgpack: ClientPlan[] = native.map((p, k) => (k === 0 ? p : { ...p, encoding: 'msgpack', unpack: k === 1 }));
  const labels = commonest(messages.map((m) => m.label), 12);
  const flights = commonest(messages.map((m) => m.flight?.trim().toUpperCase() ?? null), 40);
  const tails = commonest(messages.map((m) => m.tail?.trim().toUpperCase() ?? null), 20);
  const icaos = commonest(messages.map((m) => m.icao), 20);
  const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;
  const routed: ClientPlan[] = [native[0]!];
  for (let k = 1; k < clients; k++) {
    const flight = pick(flights, k);
    // Every fourth client names its flight lower-case: topics match flights upper-cased.
    const keyed = [`label:${pick(labels, k)}`, `flight:${k % 4 === 0 ? flight.toLowerCase() : flight}`, `station:${benchStation(k % stations)}`];
    if (k % 3 === 0) keyed.push(`aircraft:${pick(icaos, k)}`);
    if (k % 3 === 1) keyed.push(`tail:${pick(tails, k)}`);
    const subscriptions: ClientSubscription[] = [
      { topics: keyed },
      { topics: ['messages'], filter: { type: [pick(TYPES, k)], label: [pick(labels, k + 1), pick(labels, k + 3)] } },
    ];
    // A native topic beside the routed ones: the router must not send this client HFDL messages again.
    if (k % 5 === 0) subscriptions.push({ topics: ['messages:HFDL'] });
    routed.push({ subscriptions, checkIds: true });
  }
  return { native, routed, msgpack };
}

// --- The SQL expectation -------------------------------------------------------------------

/** The column a topic or filter field matches, as the router compares it (flight, tail, ICAO upper-cased and trimmed). */
const COLUMN: Record<string, string> = {
  type: 'type',
  label: 'label',
  station: 'station_id',
  flight: 'upper(trim(flight))',
  tail: 'upper(trim(tail))',
  aircraft: 'upper(trim(icao))',
  icao: 'upper(trim(icao))',
};
const UPPER = new Set(['flight', 'tail', 'aircraft', 'icao']);
const normalized = (field: string, v: string): string => (UPPER.has(field) ? v.trim().toUpperCase() : v.trim());

function topicSql(topic: string, params: string[]): string {
  if (topic === 'messages') return '1';
  const colon = topic.indexOf(':');
  const head = topic.slice(0, colon);
  const value = topic.slice(colon + 1);
  const column = head === 'messages' ? 'type' : COLUMN[head];
  if (!column) throw new Error(`fanout: no SQL for topic ${topic}`);
  params.push(normalized(head, value));
  return `${column} = ?`;
}

/** A WHERE clause selecting the rows a client's subscriptions deliver: any subscription, each its topics (any) and its filter (every field). */
function planSql(p: ClientPlan): { where: string; params: string[] } {
  const params: string[] = [];
  const subs = p.subscriptions.map((s) => {
    const parts = [`(${s.topics.map((t) => topicSql(t, params)).join(' OR ')})`];
    for (const [field, list] of Object.entries(s.filter ?? {})) {
      const column = COLUMN[field];
      if (!column) throw new Error(`fanout: no SQL for filter field ${field}`);
      parts.push(`${column} IN (${list.map(() => '?').join(', ')})`);
      params.push(...list.map((v) => normalized(field, v)));
    }
    return `(${parts.join(' AND ')})`;
  });
  return { where: subs.join(' OR '), params };
}

const BITS = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x > 0; x >>= 1) n += x & 1;
  return n;
});

function checkDeliveries(dataDir: string, plan: readonly ClientPlan[], report: ClientsReport): DeliveryCheck {
  const started = performance.now();
  const db = new Database(join(dataDir, 'contrail.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const storedRows = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    const cache = new Map<string, number[]>();
    const c: DeliveryCheck = { storedRows, clients: 0, expected: 0, delivered: 0, missed: 0, duplicates: 0, missingIds: 0, unexpectedIds: 0, clientsDiffering: 0, others: { expected: 0, delivered: 0, missingIds: 0, unexpectedIds: 0 }, sqlMs: 0 };
    plan.forEach((p, k) => {
      const counts = report.perClient?.[k];
      const bits = report.idSets?.[k];
      if (!counts || !bits) throw new Error(`fanout: client ${k} reported no ids`);
      const { where, params } = planSql(p);
      const key = `${where}\u0000${params.join('\u0000')}`;
      let ids = cache.get(key);
      if (!ids) cache.set(key, (ids = db.prepare(`SELECT id FROM messages WHERE ${where}`).pluck().all(...params) as number[]));
      const seen = Buffer.from(bits, 'base64');
      let hit = 0;
      for (const id of ids) if (((seen[id >>> 3] ?? 0) & (1 << (id & 7))) !== 0) hit++;
      let received = 0;
      for (const b of seen) received += BITS[b]!;
      const missing = ids.length - hit;
      const unexpected = received - hit;
      c.clients++;
      c.expected += ids.length;
      c.delivered += counts.deliveries;
      c.missed += counts.missed;
      c.duplicates += counts.duplicates;
      c.missingIds += missing;
      c.unexpectedIds += unexpected;
      if (counts.duplicates > 0 || unexpected > 0 || missing > counts.missed) c.clientsDiffering++;
      if (k > 0) {
        c.others.expected += ids.length;
        c.others.delivered += counts.deliveries;
        c.others.missingIds += missing;
        c.others.unexpectedIds += unexpected;
      }
    });
    c.sqlMs = Math.round(performance.now() - started);
    return c;
  } finally {
    db.close();
  }
}

// --- The trials ----------------------------------------------------------------------------------

const perK = (seconds: number, frames: number): number => Number(((seconds * 1e6) / Math.max(1, frames)).toFixed(1));

function describe(name: string, t: TrialResult, check: DeliveryCheck): void {
  log(
    `${name.padEnd(16)} offered ${String(t.offeredPerSec).padStart(6)}/s  committed ${String(t.committedPerSec).padStart(6)}/s  ` +
      `unread ${t.unreadByEngine} lost ${t.lost}  p50/p99 ${t.clients.latencyMs.p50}/${t.clients.latencyMs.p99} ms  ` +
      `cpu ${t.engineCpuPerKFramesMs} ms/1k (publish ${perK(t.publishSeconds, t.received)})  clients cpu ${t.clients.clientsCpuSeconds} s  ` +
      `deliveries ${check.delivered}/${check.expected} (SQL) missed ${check.missed} dup ${check.duplicates} ` +
      `missing/unexpected ids ${check.missingIds}/${check.unexpectedIds} differing clients ${check.clientsDiffering} (sql ${check.sqlMs} ms)`,
  );
}

async function main(): Promise<void> {
  requireNativeUws();
  const clients = Number(values.clients);
  const stations = Number(values.stations);
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);
  const templates = buildTemplates(loadCorpus());
  const byMode = plans(clients, stations, sentMessages(templates));
  const trials: Record<FanoutMode, Record<string, TrialResult>> = { native: {}, routed: {}, msgpack: {} };
  const checks: Record<FanoutMode, Record<string, DeliveryCheck>> = { native: {}, routed: {}, msgpack: {} };
  const shapes: [string, Pick<TrialOptions, 'transport' | 'rate'>][] = [
    ['tcp-max', { transport: 'tcp', rate: 0 }],
    [`udp-${rate / 1000}k`, { transport: 'udp', rate }],
  ];
  // Modes alternate within each shape, so a drift of the machine spreads over all three.
  for (const [trial, shape] of shapes) {
    for (const mode of FANOUT_MODES) {
      const plan = byMode[mode];
      let check: DeliveryCheck | undefined;
      const t = await runTrial(templates, {
        ...shape,
        seconds,
        stations,
        clients: plan.length,
        clientTopics: 'mixed',
        clientPlan: plan,
        inspect: (dataDir, report) => void (check = checkDeliveries(dataDir, plan, report)),
      });
      if (!check) throw new Error(`fanout: ${mode} ${trial} was not inspected`);
      trials[mode][trial] = t;
      checks[mode][trial] = check;
      describe(`${mode} ${trial}`, t, check);
    }
  }

  const [maxName, rateName] = shapes.map(([n]) => n) as [string, string];
  const descriptions: Record<FanoutMode, string> = {
    native: `client 0 \`messages\`, ${clients - 1} clients one \`messages:TYPE\` each (e2e 'mixed'), JSON`,
    routed: `client 0 \`messages\`; ${clients - 1} clients overlapping label/flight/station (+ tail or aircraft) topics and a filtered \`messages\`, one in five also \`messages:HFDL\`, JSON`,
    msgpack: `as native, the ${clients - 1} on \`contrail.msgpack\``,
  };
  const modes = {} as Record<FanoutMode, FanoutModeResult>;
  for (const mode of FANOUT_MODES) {
    const max = trials[mode][maxName]!;
    const at = trials[mode][rateName]!;
    const cs = Object.values(checks[mode]);
    modes[mode] = {
      description: descriptions[mode],
      sustainedFramesPerSec: max.committedPerSec,
      sustainedVsNative: Number((max.committedPerSec / Math.max(1, trials.native[maxName]!.committedPerSec)).toFixed(3)),
      latencyMs: { p50: at.clients.latencyMs.p50, p99: at.clients.latencyMs.p99, max: at.clients.latencyMs.max },
      cpuPerKFramesMsAtRate: at.engineCpuPerKFramesMs,
      cpuPerKFramesMsAtMax: max.engineCpuPerKFramesMs,
      publishMsPerKFramesAtRate: perK(at.publishSeconds, at.received),
      publishMsPerKFramesAtMax: perK(max.publishSeconds, max.received),
      deliveriesPerMessage: Number((at.clients.deliveries / Math.max(1, at.stored)).toFixed(2)),
      duplicates: cs.reduce((sum, c) => sum + c.duplicates, 0),
      // clientsDiffering === 0 implies unexpectedIds === 0 (a client with an unexpected id differs).
      deliveriesMatchSql: cs.every((c) => c.clientsDiffering === 0 && c.missingIds === c.missed),
      checks: checks[mode],
      trials: trials[mode],
    };
  }
  const routedOthers = byMode.routed.slice(1);
  const avg = (f: (p: ClientPlan) => number): number => Number((routedOthers.reduce((s, p) => s + f(p), 0) / Math.max(1, routedOthers.length)).toFixed(2));
  const result: FanoutResult = {
    clients,
    stations,
    seconds,
    ratePerSec: rate,
    clientReading: 'every client reads each message id from its first bytes (no parse) into a bitset; MessagePack clients count frames, client 1 also decodes each with msgpackr unpack',
    routedExample: byMode.routed[1]?.subscriptions ?? [],
    routedSubscriptionsPerClient: {
      keyed: avg((p) => p.subscriptions.filter((s) => !s.filter).flatMap((s) => s.topics).filter((t) => !t.startsWith('messages')).length),
      filtered: avg((p) => p.subscriptions.filter((s) => s.filter).length),
      native: avg((p) => p.subscriptions.filter((s) => !s.filter).flatMap((s) => s.topics).filter((t) => t.startsWith('messages')).length),
    },
    modes,
  };
  emitResult(result);
}

await main();
