/**
 * One UDP receiver in a process of its own, for bench/udp: the engine's own UDP source (native
 * or dgram) with its real framer, feeding a real Dispatcher whose batches are only counted, so
 * the figures are those of the main thread's ingest path up to the batch, not of the whole
 * engine (whose writer tops out far below either receiver). Talks to the bench over IPC:
 *   -> { kind: 'ready', port, recvBufferBytes }      once bound
 *   <- { kind: 'stats' }  -> { kind: 'stats', ... }  counters and CPU so far
 *   <- { kind: 'stop' }                              closes the source and exits
 * Usage: node receiver-child.js --receiver native|dgram --buffer <bytes>
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { SourceConfig } from '../../src/config/config-types.js';
import { Dispatcher } from '../../src/ingest/dispatcher.js';
import { loadNativeUdp } from '../../src/ingest/native-udp.js';
import type { IngestSink, SourceBase } from '../../src/ingest/source.js';
import { UdpNativeSource } from '../../src/ingest/sources/udp-native-source.js';
import { UdpSource } from '../../src/ingest/sources/udp-source.js';
import { readUdpDrops } from '../../src/ingest/udp-kernel-drops.js';
import { threadCpuSeconds } from '../lib/proc-stats.js';

export interface ReceiverStats {
  kind: 'stats';
  frames: number;
  rejects: number;
  batches: number;
  bytes: number;
  /** User + system CPU of this process (every thread, the native reader's included), ms. */
  cpuMs: number;
  /** The same for the main thread alone: in the engine it is the one that also publishes to clients. */
  mainThreadCpuMs: number;
  kernelDrops: number;
  /** Native receiver only: batches handed to JavaScript, and times its reader waited for JavaScript. */
  nativeBatches: number | null;
  nativeStalls: number | null;
}

const { values } = parseArgs({ options: { receiver: { type: 'string' }, buffer: { type: 'string', default: '8388608' } } });
const receiver = values.receiver;
if (receiver !== 'native' && receiver !== 'dgram') throw new Error('--receiver native|dgram');

let frames = 0;
let rejects = 0;
let bytes = 0;
let batches = 0;
const dispatcher = new Dispatcher({ maxFrames: 512, maxWaitMs: 5, onBatch: () => void batches++ });
const sink: IngestSink = {
  frame: (i, data, at) => {
    frames++;
    dispatcher.add(data, i, at);
  },
  reject: () => void rejects++,
  bytesRead: (_, n) => void (bytes += n),
};
const config: SourceConfig = { type: 'ACARS', kind: 'udp', host: '127.0.0.1', port: 0, descriptor: 'udp://127.0.0.1:0', receiver };
const options = { maxFrameBytes: 65536, udpRecvBufferBytes: Number(values.buffer), tcpReconnectMs: 1000 };
const log = pino({ level: 'warn' });

let source: SourceBase;
let native: UdpNativeSource | null = null;
if (receiver === 'native') {
  const load = loadNativeUdp();
  // Like the uWS rule: a benchmark of the native receiver that quietly ran dgram would mislead.
  if (!load.ok) throw new Error(`bench/udp: the native UDP receiver did not load (${load.reason}); build it with \`npm run build:native\``);
  source = native = new UdpNativeSource(config, 0, sink, options, log, load.addon);
} else {
  source = new UdpSource(config, 0, sink, options, log);
}
const bound = (await source.start())!;
process.send!({ kind: 'ready', port: bound.port, recvBufferBytes: bound.recvBufferBytes });

process.on('message', (m: { kind: string }) => {
  if (m.kind === 'stats') {
    dispatcher.flush();
    const cpu = process.cpuUsage();
    const nativeStats = native?.receiverStats();
    const stats: ReceiverStats = {
      kind: 'stats',
      frames,
      rejects,
      batches,
      bytes,
      cpuMs: (cpu.user + cpu.system) / 1000,
      // The main thread's tid is the pid; whole ms (Linux accounts in ticks).
      mainThreadCpuMs: Math.round(threadCpuSeconds(process.pid, process.pid) * 1000),
      kernelDrops: readUdpDrops(new Set([bound.port])).get(bound.port) ?? 0,
      nativeBatches: nativeStats?.batches ?? null,
      nativeStalls: nativeStats?.stalls ?? null,
    };
    process.send!(stats);
  } else if (m.kind === 'stop') {
    void source.close().then(() => process.exit(0));
  }
});
