/**
 * `--only burst`: issue 4's burst, through the whole engine: 10 s of UDP at a multiple of a
 * sustained rate (default 10 x 8,500/s), once per receiver. The engine must read every datagram
 * (the kernel drops none), keep what it cannot decode yet in the journal, and store it all.
 * A fresh engine per receiver, no WebSocket client, the sender in a process of its own.
 * Usage: node burst.js [--rate N] [--seconds S] [--buffer BYTES] [--receivers native,dgram]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { scrape, total } from '../lib/metrics-scrape.js';
import { emitResult } from '../lib/result.js';
import type { UdpReceiverKind } from '../../src/config/config-types.js';
import { sendUdp, settle, startUdpEngine } from './udp-engine.js';

export interface BurstTrial {
  receiver: UdpReceiverKind;
  offeredPerSec: number;
  sent: number;
  /** Datagrams the engine read; sent - read were dropped by the kernel. */
  read: number;
  kernelDrops: number;
  lost: number;
  stored: number;
  /** Batches that waited in the journal for room in the pipeline. */
  deferredBatches: number;
  /** From the end of the burst until everything read was stored and the journal backlog empty. */
  drainS: number;
}

export interface BurstResult {
  rate: number;
  seconds: number;
  /** CONTRAIL_UDP_RECV_BUFFER_BYTES, when not the default. */
  bufferBytes: number | null;
  trials: BurstTrial[];
}

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '85000' },
    seconds: { type: 'string', default: '10' },
    // The engine's default (CONTRAIL_UDP_RECV_BUFFER_BYTES) unless given.
    buffer: { type: 'string' },
    receivers: { type: 'string', default: 'native,dgram' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const buffer = values.buffer;

async function trial(receiver: UdpReceiverKind): Promise<BurstTrial> {
  const engine = await startUdpEngine(receiver, buffer || undefined);
  const port = engine.port('ACARS', 'udp');
  try {
    await sendUdp(port, 5000, 1); // warm: decode threads, the writer, the mirror
    await sleep(2000);
    const before = await scrape(engine.httpPort);
    const sender = await sendUdp(port, rate, seconds);
    const ended = performance.now();
    // Bounded: a burst the engine cannot drain in 5 minutes is reported as it stands.
    const { m: after, at } = await settle(engine, ended + 300_000, { pollMs: 200, backlogEmpty: true });
    const delta = (name: string): number => total(after, name) - total(before, name);
    return {
      receiver,
      offeredPerSec: sender.offeredPerSec,
      sent: sender.sent,
      read: delta('contrail_frames_received_total'),
      kernelDrops: delta('contrail_udp_kernel_drops_total'),
      lost: delta('contrail_frames_lost_total'),
      stored: delta('contrail_messages_stored_total'),
      deferredBatches: delta('contrail_journal_deferred_batches_total'),
      drainS: Number(((at - ended) / 1000).toFixed(1)),
    };
  } finally {
    await engine.stop();
    engine.cleanup();
  }
}

const trials: BurstTrial[] = [];
for (const receiver of values.receivers.split(',') as UdpReceiverKind[]) {
  const t = await trial(receiver);
  process.stdout.write(`burst ${receiver}: ${JSON.stringify(t)}\n`);
  trials.push(t);
}
emitResult({ rate, seconds, bufferBytes: buffer ? Number(buffer) : null, trials } satisfies BurstResult);
