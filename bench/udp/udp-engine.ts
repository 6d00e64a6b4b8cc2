/**
 * Shared by the UDP parts: a `contrail serve` with one UDP listener and dedup off, the sender
 * process (udp-sender.ts, a script that runs on import, so it is started here rather than
 * imported), and a wait until the engine has settled everything it read.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine, type RunningEngine } from '../lib/engine-process.js';
import { scrape, settledFrames, total, type Scrape } from '../lib/metrics-scrape.js';
import { benchDist } from '../lib/paths.js';
import { runBenchScript } from '../lib/result.js';
import type { UdpReceiverKind } from '../../src/config/config-types.js';
import type { SenderResult } from './udp-sender.js';

/**
 * A fresh engine with one ACARS UDP listener on a free port read by `receiver`, and no WebSocket
 * client. Dedup off: the corpus repeats itself, and every frame must be stored.
 * `bufferBytes`: CONTRAIL_UDP_RECV_BUFFER_BYTES, the engine's default unless given.
 */
export function startUdpEngine(receiver: UdpReceiverKind, bufferBytes?: number | string): Promise<RunningEngine> {
  return startEngine({
    ENABLE_ACARS: '1',
    ACARS_CONNECTIONS: 'udp://127.0.0.1:0',
    CONTRAIL_UDP_RECEIVER: receiver,
    CONTRAIL_DEDUP_WINDOW_SECONDS: '0',
    ...(bufferBytes !== undefined ? { CONTRAIL_UDP_RECV_BUFFER_BYTES: String(bufferBytes) } : {}),
  });
}

/** Offers the corpus to `port` at `rate` frames/s for `seconds` from a sender process of its own (udp-sender.ts). */
export function sendUdp(port: number, rate: number, seconds: number): Promise<SenderResult> {
  return runBenchScript<SenderResult>(join(benchDist, 'udp', 'udp-sender.js'), ['--port', String(port), '--rate', String(rate), '--seconds', String(seconds)]);
}

export interface SettleOptions {
  /** Time between scrapes, ms. */
  pollMs: number;
  /** Also wait for the journal backlog (`contrail_journal_backlog_batches`) to be empty. */
  backlogEmpty?: boolean;
}

/**
 * Scrapes until every frame the engine read is settled (settledFrames, and the journal backlog
 * empty when asked), or `deadlineMs` (a performance.now() time) passed; the last scrape and when.
 */
export async function settle(engine: RunningEngine, deadlineMs: number, o: SettleOptions): Promise<{ m: Scrape; at: number }> {
  for (;;) {
    const m = await scrape(engine.httpPort);
    const done = settledFrames(m) >= total(m, 'contrail_frames_received_total') && (!o.backlogEmpty || total(m, 'contrail_journal_backlog_batches') === 0);
    if (done || performance.now() > deadlineMs) return { m, at: performance.now() };
    await sleep(o.pollMs);
  }
}
