/**
 * `--only udp`: the native batched UDP receiver against Node's dgram, in one run, on the same
 * corpus frames. For each: the highest offered rate received with zero loss (a ramp, then a
 * bisection between the last clean and the first lossy rate), and the CPU per 10,000 datagrams
 * at a rate both handle; first at the receiver (receiver-trial.ts: the source, its framer and a
 * dispatcher in a process of their own), then through the whole engine (engine-trial.ts). Every
 * trial is a fresh process, with the sender in another. Both get the same kernel buffer: the request is capped
 * at net.core.rmem_max, which dgram cannot exceed and the native receiver could (SO_RCVBUFFORCE).
 * Usage: node udp-receivers.js [--full]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadNativeUdp } from '../../src/ingest/native-udp.js';
import { emitResult } from '../lib/result.js';
import { runEngineTrial, type EngineTrial } from './engine-trial.js';
import type { UdpReceiverKind } from '../../src/config/config-types.js';
import { runReceiverTrial, type ReceiverTrial } from './receiver-trial.js';

export interface ReceiverSummary {
  noLossMaxPerSec: number;
  /** The lowest offered rate that lost datagrams; null when the ramp never lost any. */
  lossBeginsAtPerSec: number | null;
  /** CPU per 10,000 datagrams at the common rate, and at the highest clean rate. */
  cpuMsPer10kAtCommon: number;
  cpuMsPer10kAtMax: number;
  /** The main thread's part of the CPU at the common rate and at the highest clean rate. */
  mainThreadMsPer10kAtCommon: number;
  mainThreadMsPer10kAtMax: number;
  recvBufferBytes: number;
  trials: ReceiverTrial[];
}

/** The same comparison through the whole engine (no WebSocket client): its writer, not the receiver, sets the ceiling. */
export interface EngineSummary {
  /** Highest rate with no loss and a drain under 1 s (quick runs stop the ramp at 20,000/s). */
  noLossMaxPerSec: number;
  /** The lowest rate that lost frames or took over 1 s to drain. */
  lossBeginsAtPerSec: number | null;
  cpuMsPer10kAtCommon: number;
  trials: EngineTrial[];
}

export interface UdpReceiversResult {
  seconds: number;
  /** Offered rate of the CPU comparison, clean for both receivers. */
  commonRate: number;
  rmemMax: number | null;
  requestedBufferBytes: number;
  native: ReceiverSummary;
  dgram: ReceiverSummary;
  /** native / dgram */
  rateRatio: number;
  cpuRatioAtCommon: number;
  mainThreadRatioAtCommon: number;
  /** Through the engine; the CPU comparison at ENGINE_COMMON_RATE. */
  engineCommonRate: number;
  engine: { native: EngineSummary; dgram: EngineSummary; rateRatio: number };
}

const { values } = parseArgs({ options: { full: { type: 'boolean', default: false } } });
const full = values.full;
const seconds = full ? 5 : 3;
const COMMON_RATE = 20_000;
const RAMP = [COMMON_RATE, 40_000, 60_000, 80_000, 100_000, 130_000, 160_000, 200_000, 250_000, 300_000, 400_000];
const BISECTIONS = full ? 3 : 2;
const ENGINE_COMMON_RATE = 10_000;
// The engine stops at its writer well below either receiver: a quick run only checks that range.
const ENGINE_RAMP = full ? [ENGINE_COMMON_RATE, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000] : [ENGINE_COMMON_RATE, 15_000, 20_000];
const ENGINE_BISECTIONS = full ? 2 : 0;
const log = (s: string): void => void process.stdout.write(`${s}\n`);

function readRmemMax(): number | null {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  } catch {
    return null;
  }
}

const clean = (t: ReceiverTrial): boolean => t.lost === 0 && t.drainMs < 1000;
const engineClean = (t: EngineTrial): boolean => t.unread === 0 && t.lost === 0 && t.drainMs < 1000;

/** Up the ramp until the first unclean rate, then bisect between it and the last clean one. */
async function ramp<T extends { rate: number; offeredPerSec: number }>(
  rates: readonly number[],
  bisections: number,
  run: (rate: number) => Promise<T>,
  ok: (t: T) => boolean,
): Promise<{ best: T | null; firstLoss: T | null; trials: T[] }> {
  const trials: T[] = [];
  const step = async (rate: number): Promise<T> => {
    const t = await run(rate);
    trials.push(t);
    return t;
  };
  let best: T | null = null;
  let firstLoss: T | null = null;
  for (const rate of rates) {
    const t = await step(rate);
    if (!ok(t)) {
      firstLoss = t;
      break;
    }
    best = t;
  }
  for (let i = 0; i < bisections && firstLoss && best; i++) {
    const t = await step(Math.round((best.rate + firstLoss.rate) / 2 / 1000) * 1000);
    if (ok(t)) best = t;
    else firstLoss = t;
  }
  return { best, firstLoss, trials };
}

function describe(t: ReceiverTrial): void {
  log(
    `${t.receiver.padEnd(6)} offered ${String(t.offeredPerSec).padStart(7)}/s  sent ${t.sent} received ${t.received} lost ${t.lost} (kernel drops ${t.kernelDrops})  ` +
      `drain ${t.drainMs} ms  cpu ${t.cpuMsPer10k} ms/10k (main thread ${t.mainThreadMsPer10k})  ${t.cores} cores  sender ${t.senderCpuMs} ms` +
      (t.datagramsPerBatch === null ? '' : `  ${t.datagramsPerBatch} per batch, ${t.stalls} stalls`),
  );
}

async function measure(receiver: UdpReceiverKind, bufferBytes: number): Promise<ReceiverSummary> {
  const run = async (rate: number): Promise<ReceiverTrial> => {
    const t = await runReceiverTrial(receiver, rate, seconds, bufferBytes);
    describe(t);
    return t;
  };
  const { best, firstLoss, trials } = await ramp(RAMP, BISECTIONS, run, clean);
  const common = trials.find((t) => t.rate === COMMON_RATE)!;
  return {
    noLossMaxPerSec: best?.offeredPerSec ?? 0,
    lossBeginsAtPerSec: firstLoss?.offeredPerSec ?? null,
    cpuMsPer10kAtCommon: common.cpuMsPer10k,
    cpuMsPer10kAtMax: best?.cpuMsPer10k ?? 0,
    mainThreadMsPer10kAtCommon: common.mainThreadMsPer10k,
    mainThreadMsPer10kAtMax: best?.mainThreadMsPer10k ?? 0,
    recvBufferBytes: common.recvBufferBytes,
    trials,
  };
}

async function measureEngine(receiver: UdpReceiverKind, bufferBytes: number): Promise<EngineSummary> {
  const run = async (rate: number): Promise<EngineTrial> => {
    const t = await runEngineTrial(receiver, rate, seconds, bufferBytes);
    log(
      `engine ${t.receiver.padEnd(6)} offered ${String(t.offeredPerSec).padStart(6)}/s  sent ${t.sent} stored ${t.stored} unread ${t.unread} lost ${t.lost}  ` +
        `drain ${t.drainMs} ms  engine cpu ${t.cpuMsPer10k} ms/10k`,
    );
    return t;
  };
  const { best, firstLoss, trials } = await ramp(ENGINE_RAMP, ENGINE_BISECTIONS, run, engineClean);
  return {
    noLossMaxPerSec: best?.offeredPerSec ?? 0,
    lossBeginsAtPerSec: firstLoss?.offeredPerSec ?? null,
    cpuMsPer10kAtCommon: trials.find((t) => t.rate === ENGINE_COMMON_RATE)!.cpuMsPer10k,
    trials,
  };
}

const load = loadNativeUdp();
if (!load.ok) throw new Error(`bench/udp: the native UDP receiver did not load (${load.reason}); a comparison without it would be meaningless`);
const rmemMax = readRmemMax();
const requestedBufferBytes = Math.min(8 * 1024 * 1024, rmemMax ?? Infinity);
log(`UDP receivers: ${seconds} s trials, corpus frames, receive buffer ${requestedBufferBytes} bytes requested for both`);
const native = await measure('native', requestedBufferBytes);
const dgram = await measure('dgram', requestedBufferBytes);
log('through the engine (one UDP listener, no WebSocket client):');
const engineNative = await measureEngine('native', requestedBufferBytes);
const engineDgram = await measureEngine('dgram', requestedBufferBytes);
const result: UdpReceiversResult = {
  seconds,
  commonRate: COMMON_RATE,
  rmemMax,
  requestedBufferBytes,
  native,
  dgram,
  rateRatio: Number((native.noLossMaxPerSec / Math.max(1, dgram.noLossMaxPerSec)).toFixed(2)),
  cpuRatioAtCommon: Number((native.cpuMsPer10kAtCommon / Math.max(0.001, dgram.cpuMsPer10kAtCommon)).toFixed(2)),
  mainThreadRatioAtCommon: Number((native.mainThreadMsPer10kAtCommon / Math.max(0.001, dgram.mainThreadMsPer10kAtCommon)).toFixed(2)),
  engineCommonRate: ENGINE_COMMON_RATE,
  engine: {
    native: engineNative,
    dgram: engineDgram,
    rateRatio: Number((engineNative.noLossMaxPerSec / Math.max(1, engineDgram.noLossMaxPerSec)).toFixed(2)),
  },
};
emitResult(result);
