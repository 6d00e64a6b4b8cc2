/** Test traffic: ACARS frames tagged with an id, paced UDP floods, TCP lines, and waiting for a condition. */
import dgram from 'node:dgram';
import net from 'node:net';
import { scrape, total, type Scrape } from '../../bench/lib/metrics-scrape.js';

/** An acarsdec frame whose text is `<tag> <id>` (plus `padding` characters), from `station`. */
export function taggedFrame(station: string, tag: string, id: number, padding = 0): string {
  return JSON.stringify({
    timestamp: Date.now() / 1000,
    station_id: station,
    freq: 131.55,
    level: -9.5,
    error: 0,
    mode: '2',
    label: 'H1',
    block_id: '1',
    ack: false,
    tail: 'N12345',
    text: padding > 0 ? `${tag} ${id} ${'x'.repeat(padding)}` : `${tag} ${id}`,
  });
}

/** The id in a stored text written by taggedFrame. */
export function taggedId(text: string): number {
  return Number(text.split(' ')[1]);
}

/** Sends frames 0..count-1 as datagrams to 127.0.0.1:port at `rate` per second. */
export async function floodUdp(port: number, count: number, rate: number, frame: (id: number) => string): Promise<void> {
  const socket = dgram.createSocket('udp4');
  const start = performance.now();
  for (let id = 0; id < count; ) {
    const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate));
    while (id < due) socket.send(frame(id++), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 100));
  socket.close();
}

/** A value for a failure message: JSON where it can be, cut short. */
function describe(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Polls `get` until `ok` holds, or fails naming `what` and the last value seen. */
export async function waitUntil<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${describe(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends every frame, one per line, over one TCP connection to a tcp-listen source, then closes it. */
export async function sendTcpLines(port: number, frames: string[]): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  await new Promise<void>((r) => socket.end(frames.map((f) => `${f}\n`).join(''), () => r()));
}

/** The engine environment for a TCP listener per ACARS, VDL-M2 and HFDL on any free port. */
export const TCP_LISTENERS: Readonly<Record<string, string>> = {
  ENABLE_ACARS: '1',
  ENABLE_VDLM: '1',
  ENABLE_HFDL: '1',
  ACARS_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  VDLM_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
  HFDL_CONNECTIONS: 'tcp-listen://127.0.0.1:0',
};

/** Waits until `frames` frames are stored, counted as copies, rejected or dropped as non-ACARS; returns that scrape. */
export function accountedFor(httpPort: number, frames: number, timeoutMs = 60_000): Promise<Scrape> {
  return waitUntil(
    `${frames} frames accounted for`,
    () => scrape(httpPort),
    (m) => total(m, 'contrail_messages_stored_total') + total(m, 'contrail_duplicates_total') + total(m, 'contrail_frames_rejected_total') + total(m, 'contrail_frames_non_acars_dropped_total') >= frames,
    timeoutMs,
  );
}

/** Waits until each of `sent` datagrams is read by the engine or counted as a kernel drop; returns that scrape. */
export function datagramsSettled(httpPort: number, sent: number, timeoutMs = 30_000): Promise<Scrape> {
  return waitUntil(
    `${sent} datagrams received or dropped`,
    () => scrape(httpPort),
    (m) => total(m, 'contrail_frames_received_total') + total(m, 'contrail_udp_kernel_drops_total') >= sent,
    timeoutMs,
  );
}
