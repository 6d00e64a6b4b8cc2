/**
 * Child process holding N real WebSocket clients (the `ws` package), driven over IPC by the
 * load generator. Client 0 subscribes to every message and measures latency from each message's
 * own time (the send time, rewritten by the load generator) to its arrival; the others subscribe
 * to one decoder type each (or to everything) and only count, so the clients cost as little CPU
 * as possible on a machine they share with the engine.
 */
import { createHistogram } from 'node:perf_hooks';
import WebSocket from 'ws';

export type ClientsCommand =
  | { cmd: 'connect'; url: string; clients: number; topics: 'mixed' | 'all' }
  | { cmd: 'reset' }
  | { cmd: 'report' }
  | { cmd: 'close' };

export interface ClientsReport {
  clients: number;
  /** Messages received, summed over clients. */
  deliveries: number;
  /** Messages received by client 0 (subscribed to everything). */
  observed: number;
  /** Deliveries expected per decoder type subscription, for the loss check. */
  subscribersPerTopic: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number; count: number };
  /** The part of the latency after the engine read the frame (its receivedAt) until arrival here. */
  engineToClientMs: { p50: number; p90: number; p99: number; max: number };
  cpuSeconds: number;
}

const TYPES = ['ACARS', 'VDL-M2', 'HFDL'];
const latency = createHistogram();
const afterRead = createHistogram();
let deliveries = 0;
let observed = 0;
const sockets: WebSocket[] = [];
const subscribersPerTopic: Record<string, number> = {};

function open(url: string, topic: string, measure: boolean): Promise<void> {
  const ws = new WebSocket(url, { skipUTF8Validation: true, perMessageDeflate: false });
  sockets.push(ws);
  subscribersPerTopic[topic] = (subscribersPerTopic[topic] ?? 0) + 1;
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ op: 'subscribe', id: 1, topics: [topic] })));
    let subscribed = false;
    ws.on('message', (data: Buffer) => {
      // Engine events (topic "system": the mirror's catch-up, migrations) reach every client; they are not deliveries.
      if (data.toString('latin1', 0, 18) === '{"topic":"system"') return;
      if (!subscribed) {
        subscribed = true; // the first frame is the subscription reply
        resolve();
        return;
      }
      deliveries++;
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

async function connect(url: string, n: number, topics: 'mixed' | 'all'): Promise<void> {
  await open(url, 'messages', true);
  const rest: Promise<void>[] = [];
  for (let k = 1; k < n; k++) rest.push(open(url, topics === 'all' ? 'messages' : `messages:${TYPES[k % TYPES.length]}`, false));
  await Promise.all(rest);
}

function report(): ClientsReport {
  const us = (v: number): number => Math.round(v) / 1000;
  const cpu = process.cpuUsage();
  return {
    clients: sockets.length,
    deliveries,
    observed,
    subscribersPerTopic,
    latencyMs: { p50: us(latency.percentile(50)), p90: us(latency.percentile(90)), p99: us(latency.percentile(99)), max: us(latency.max), count: latency.count },
    engineToClientMs: { p50: us(afterRead.percentile(50)), p90: us(afterRead.percentile(90)), p99: us(afterRead.percentile(99)), max: us(afterRead.max) },
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

process.on('message', (m: ClientsCommand) => {
  switch (m.cmd) {
    case 'connect':
      connect(m.url, m.clients, m.topics).then(
        () => process.send!({ ok: true }),
        (e: Error) => process.send!({ ok: false, error: e.message }),
      );
      break;
    case 'reset':
      latency.reset();
      afterRead.reset();
      deliveries = 0;
      observed = 0;
      process.send!({ ok: true });
      break;
    case 'report':
      process.send!({ ok: true, report: report() });
      break;
    case 'close':
      for (const ws of sockets) ws.terminate();
      process.exit(0);
  }
});
