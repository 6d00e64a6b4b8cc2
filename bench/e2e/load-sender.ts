/**
 * Offers corpus frames to the engine at a target rate (or as fast as TCP backpressure allows),
 * each to the listener of its decoder type, with time rewritten to the send time and station
 * ids multiplied. Loopback only; stops by itself after `seconds`.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DecoderType } from '../../src/decode/message.js';
import { render, type FrameTemplate } from './frame-templates.js';

export interface LoadPlan {
  transport: 'udp' | 'tcp';
  /** Frames per second; 0 = as fast as the engine accepts (TCP only: UDP has no backpressure). */
  rate: number;
  seconds: number;
  /** Each frame is sent once per station, with a different station id. */
  stations: number;
  ports: Partial<Record<DecoderType, number>>;
}

export interface LoadOutcome {
  sent: number;
  seconds: number;
  offeredPerSec: number;
}

const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;
const NEWLINE = Buffer.from('\n');
/** Frames rendered per tick at most, so a late tick does not produce one huge burst. */
const MAX_PER_TICK = 5000;

/** The station id the load generator writes into frames for simulated station `i` (0 to stations - 1). */
export function benchStation(i: number): string {
  return `BENCH-${String(i).padStart(4, '0')}`;
}

/** The n-th frame of the endless sequence: each template once per station, then the next. */
function frameAt(templates: readonly FrameTemplate[], stations: number, n: number): { t: FrameTemplate; station: string } {
  const t = templates[Math.floor(n / stations) % templates.length]!;
  return { t, station: benchStation(n % stations) };
}

export async function sendLoad(templates: readonly FrameTemplate[], plan: LoadPlan): Promise<LoadOutcome> {
  if (plan.transport === 'udp' && plan.rate <= 0) throw new Error('UDP needs a rate: it has no backpressure');
  return plan.transport === 'udp' ? sendUdp(templates, plan) : sendTcp(templates, plan);
}

async function sendUdp(templates: readonly FrameTemplate[], plan: LoadPlan): Promise<LoadOutcome> {
  const socket = dgram.createSocket('udp4');
  let inFlight = 0;
  let sent = 0;
  const start = performance.now();
  const end = start + plan.seconds * 1000;
  while (performance.now() < end) {
    const due = Math.min(Math.floor(((performance.now() - start) / 1000) * plan.rate) - sent, MAX_PER_TICK);
    for (let k = 0; k < due; k++) {
      const { t, station } = frameAt(templates, plan.stations, sent);
      const port = plan.ports[t.hint];
      sent++;
      if (port === undefined) continue;
      inFlight++;
      socket.send(render(t, nowUs(), station), port, '127.0.0.1', () => inFlight--);
    }
    await sleep(1);
  }
  while (inFlight > 0) await sleep(1);
  const seconds = (performance.now() - start) / 1000;
  await new Promise<void>((r) => socket.close(() => r()));
  return { sent, seconds, offeredPerSec: sent / seconds };
}

async function sendTcp(templates: readonly FrameTemplate[], plan: LoadPlan): Promise<LoadOutcome> {
  const sockets = new Map<DecoderType, net.Socket>();
  for (const [type, port] of Object.entries(plan.ports) as [DecoderType, number][]) {
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r, j) => s.once('connect', r).once('error', j));
    s.setNoDelay(true);
    sockets.set(type, s);
  }
  let sent = 0;
  const start = performance.now();
  const end = start + plan.seconds * 1000;
  while (performance.now() < end) {
    const due = plan.rate > 0 ? Math.min(Math.floor(((performance.now() - start) / 1000) * plan.rate) - sent, MAX_PER_TICK) : 512;
    const chunks = new Map<DecoderType, Buffer[]>();
    for (let k = 0; k < due; k++) {
      const { t, station } = frameAt(templates, plan.stations, sent++);
      let list = chunks.get(t.hint);
      if (!list) chunks.set(t.hint, (list = []));
      list.push(render(t, nowUs(), station), NEWLINE);
    }
    const waits: Promise<unknown>[] = [];
    for (const [type, list] of chunks) {
      const s = sockets.get(type);
      if (s && !s.write(Buffer.concat(list))) waits.push(new Promise((r) => s.once('drain', r)));
    }
    // Real TCP backpressure: when the engine pauses its sockets, the kernel buffers fill and we wait.
    if (waits.length) await Promise.race([Promise.all(waits), sleep(Math.max(1, end - performance.now()))]);
    else await sleep(plan.rate > 0 ? 1 : 0);
  }
  const seconds = (performance.now() - start) / 1000;
  await Promise.all([...sockets.values()].map((s) => new Promise<void>((r) => s.end(r))));
  return { sent, seconds, offeredPerSec: sent / seconds };
}
