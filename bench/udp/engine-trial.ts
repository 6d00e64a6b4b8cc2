/**
 * One trial of bench/udp through the whole engine: a fresh `contrail serve` with one UDP
 * listener read by the given receiver and no WebSocket client, warmed up, then the corpus offered
 * at a fixed rate from a sender process; every frame is accounted for as stored or counted
 * (rejected, lost), or never read (kernel drops).
 */
import { total, type Scrape } from '../lib/metrics-scrape.js';
import { cpuSeconds } from '../lib/proc-stats.js';
import type { UdpReceiverKind } from '../../src/config/config-types.js';
import { sendUdp, settle, startUdpEngine } from './udp-engine.js';

export interface EngineTrial {
  receiver: UdpReceiverKind;
  rate: number;
  offeredPerSec: number;
  sent: number;
  /** Sent but never read by the engine: the kernel dropped them. */
  unread: number;
  /** Read, then lost inside the engine (contrail_frames_lost_total). */
  lost: number;
  stored: number;
  /** From the end of the send until everything read was committed or counted. */
  drainMs: number;
  /** Engine process CPU (every thread) per 10,000 frames read. */
  cpuMsPer10k: number;
}

const WARM_UP_RATE = 5_000;

const received = (m: Scrape): number => total(m, 'contrail_frames_received_total');
const POLL = { pollMs: 20 };

export async function runEngineTrial(receiver: UdpReceiverKind, rate: number, seconds: number, bufferBytes: number): Promise<EngineTrial> {
  const engine = await startUdpEngine(receiver, bufferBytes);
  const port = engine.port('ACARS', 'udp');
  try {
    await sendUdp(port, WARM_UP_RATE, 1);
    const { m: before } = await settle(engine, performance.now() + 10_000, POLL);
    const cpu0 = cpuSeconds(engine.child.pid!);
    const sender = await sendUdp(port, rate, seconds);
    const sendEnded = performance.now();
    const { m: after, at } = await settle(engine, sendEnded + 15_000, POLL);
    const read = received(after) - received(before);
    return {
      receiver,
      rate,
      offeredPerSec: sender.offeredPerSec,
      sent: sender.sent,
      unread: sender.sent - read,
      lost: total(after, 'contrail_frames_lost_total') - total(before, 'contrail_frames_lost_total'),
      stored: total(after, 'contrail_messages_stored_total') - total(before, 'contrail_messages_stored_total'),
      drainMs: Math.round(at - sendEnded),
      cpuMsPer10k: read > 0 ? Number((((cpuSeconds(engine.child.pid!) - cpu0) * 1000) / read * 10_000).toFixed(1)) : 0,
    };
  } finally {
    await engine.stop();
    engine.cleanup();
  }
}
