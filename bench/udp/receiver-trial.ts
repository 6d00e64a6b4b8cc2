/**
 * One trial of bench/udp: a fresh receiver process, warmed up, then a sender process offering
 * the corpus at a fixed rate, then a drain; every datagram is accounted for as received or lost.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchDist } from '../lib/paths.js';
import type { ReceiverStats } from './receiver-child.js';
import type { UdpReceiverKind } from '../../src/config/config-types.js';
import { sendUdp } from './udp-engine.js';

const WARM_UP_RATE = 10_000;

export interface ReceiverTrial {
  receiver: UdpReceiverKind;
  rate: number;
  offeredPerSec: number;
  sent: number;
  received: number;
  lost: number;
  /** The kernel's count for the receiver's socket: lost datagrams it saw overflow the buffer. */
  kernelDrops: number;
  /** From the end of the send to the last datagram read. */
  drainMs: number;
  /** Receiver process CPU (all threads) per 10,000 datagrams received. */
  cpuMsPer10k: number;
  /** The main thread's share of it. */
  mainThreadMsPer10k: number;
  /** Share of one core the receiver used while the sender ran. */
  cores: number;
  senderCpuMs: number;
  recvBufferBytes: number;
  /** Native receiver: datagrams per call into JavaScript, and times its reader waited for JavaScript. */
  datagramsPerBatch: number | null;
  stalls: number | null;
}

interface Child {
  process: ChildProcess;
  port: number;
  recvBufferBytes: number;
  stats(): Promise<ReceiverStats>;
  stop(): Promise<void>;
}

async function startReceiver(receiver: UdpReceiverKind, bufferBytes: number): Promise<Child> {
  const child = fork(join(benchDist, 'udp', 'receiver-child.js'), ['--receiver', receiver, '--buffer', String(bufferBytes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = await Promise.race([
    new Promise<{ port: number; recvBufferBytes: number }>((resolve) => child.once('message', resolve as (m: unknown) => void)),
    exited.then((code) => {
      throw new Error(`bench/udp: the ${receiver} receiver exited (code ${code}) before it was ready`);
    }),
  ]);
  return {
    process: child,
    port: ready.port,
    recvBufferBytes: ready.recvBufferBytes,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', resolve as (m: unknown) => void);
        child.send({ kind: 'stats' });
      }),
    stop: async () => {
      child.send({ kind: 'stop' });
      await exited;
    },
  };
}

/** Waits until nothing more arrives for 300 ms (at most 5 s); returns the last stats and when they last moved. */
async function drain(child: Child, sendEnded: number): Promise<{ stats: ReceiverStats; drainMs: number }> {
  let last = await child.stats();
  let movedAt = performance.now();
  while (performance.now() - movedAt < 300 && performance.now() - sendEnded < 5000) {
    await sleep(50);
    const s = await child.stats();
    if (s.frames + s.rejects !== last.frames + last.rejects) movedAt = performance.now();
    last = s;
  }
  return { stats: last, drainMs: Math.max(0, Math.round(movedAt - sendEnded)) };
}

export async function runReceiverTrial(receiver: UdpReceiverKind, rate: number, seconds: number, bufferBytes: number): Promise<ReceiverTrial> {
  const child = await startReceiver(receiver, bufferBytes);
  try {
    // Warm-up, not measured: the JIT compiles the framer's hot loop in the first tens of thousands of frames.
    await sendUdp(child.port, WARM_UP_RATE, 1);
    await drain(child, performance.now());
    const before = await child.stats();
    const sender = await sendUdp(child.port, rate, seconds);
    const sendEnded = performance.now();
    const during = await child.stats();
    const { stats: after, drainMs } = await drain(child, sendEnded);
    const received = after.frames + after.rejects - (before.frames + before.rejects);
    return {
      receiver,
      rate,
      offeredPerSec: sender.offeredPerSec,
      sent: sender.sent,
      received,
      lost: sender.sent - received,
      kernelDrops: after.kernelDrops - before.kernelDrops,
      drainMs,
      cpuMsPer10k: received > 0 ? Number((((after.cpuMs - before.cpuMs) / received) * 10_000).toFixed(1)) : 0,
      mainThreadMsPer10k: received > 0 ? Number((((after.mainThreadCpuMs - before.mainThreadCpuMs) / received) * 10_000).toFixed(1)) : 0,
      cores: Number(((during.cpuMs - before.cpuMs) / 1000 / sender.seconds).toFixed(2)),
      senderCpuMs: sender.cpuMs,
      recvBufferBytes: child.recvBufferBytes,
      datagramsPerBatch: after.nativeBatches === null ? null : Number((received / Math.max(1, after.nativeBatches - before.nativeBatches!)).toFixed(1)),
      stalls: after.nativeStalls === null ? null : after.nativeStalls - before.nativeStalls!,
    };
  } finally {
    await child.stop();
  }
}
