/**
 * `--only burst`: issue 4's burst, through the whole engine: 10 s of UDP at a multiple of a
 * sustained rate (default 10 x 8,500/s), once per receiver. The engine must read every datagram
 * (the kernel drops none), keep what it cannot decode yet in the journal, and store it all.
 * A fresh engine per receiver, no WebSocket client, the sender in a process of its own.
 * Usage: node burst.js [--rate N] [--seconds S] [--buffer BYTES] [--receivers native,dgram]
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startEngine } from '../lib/engine-process.js';
import { scrape, total, type Scrape } from '../lib/metrics-scrape.js';
import { benchDist } from '../lib/paths.js';
import { emitResult, runBenchScript } from '../lib/result.js';
import type { ReceiverKind } from './receiver-trial.js';
import type { SenderResult } from './udp-sender.js';

export interface BurstTrial {
  receiver: ReceiverKind;
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

const settled = (m: Scrape): number =>
  ['contrail_messages_stored_total', 'contrail_duplicates_total', 'contrail_frames_rejected_total', 'contrail_frames_non_acars_dropped_total', 'contrail_frames_lost_total'].reduce((sum, name) => sum + total(m, name), 0);

async function trial(receiver: ReceiverKind): Promise<BurstTrial> {
  // Dedup off: the corpus repeats itself, and every frame must be stored.
  const engine = await startEngine({
    ENABLE_ACARS: '1',
    ACARS_CONNECTIONS: 'udp://127.0.0.1:0',
    CONTRAIL_UDP_RECEIVER: receiver,
    CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
    ...(buffer ? { CONTRAIL_UDP_RECV_BUFFER_BYTES: buffer } : {}),
  });
  const port = engine.port('ACARS', 'udp');
  const send = (r: number, s: number): Promise<SenderResult> => runBenchScript<SenderResult>(join(benchDist, 'udp', 'udp-sender.js'), ['--port', String(port), '--rate', String(r), '--seconds', String(s)]);
  try {
    await send(5000, 1); // warm: decode threads, the writer, the mirror
    await sleep(2000);
    const before = await scrape(engine.httpPort);
    const sender = await send(rate, seconds);
    const ended = performance.now();
    let after = before;
    // Bounded: a burst the engine cannot drain in 5 minutes is reported as it stands.
    while (performance.now() - ended < 300_000) {
      after = await scrape(engine.httpPort);
      if (settled(after) >= total(after, 'contrail_frames_received_total') && total(after, 'contrail_journal_backlog_batches') === 0) break;
      await sleep(200);
    }
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
      drainS: Number(((performance.now() - ended) / 1000).toFixed(1)),
    };
  } finally {
    await engine.stop();
    engine.cleanup();
  }
}

const trials: BurstTrial[] = [];
for (const receiver of values.receivers.split(',') as ReceiverKind[]) {
  const t = await trial(receiver);
  process.stdout.write(`burst ${receiver}: ${JSON.stringify(t)}\n`);
  trials.push(t);
}
emitResult({ rate, seconds, bufferBytes: buffer ? Number(buffer) : null, trials } satisfies BurstResult);
