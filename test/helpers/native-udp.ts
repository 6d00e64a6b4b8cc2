/** The native UDP receiver for tests: loaded or a skip reason, and a receiver that keeps every datagram it is handed. */
import { readdirSync } from 'node:fs';
import { forEachDatagram } from '../../src/ingest/native-udp-batch.js';
import { loadNativeUdp, type NativeUdpAddon, type NativeUdpOptions, type NativeUdpReceiver } from '../../src/ingest/native-udp.js';

const load = loadNativeUdp();
export const nativeUdp: NativeUdpAddon | null = load.ok ? load.addon : null;
/** Why the native tests skip (test/native/native-built.test.ts fails in that case). */
export const nativeSkipReason = load.ok ? '' : `native UDP receiver not loadable: ${load.reason}`;

export interface Received {
  bytes: Buffer;
  size: number;
  arrivalMs: number;
  truncated: boolean;
  batch: number;
}

export interface Collecting {
  receiver: NativeUdpReceiver;
  port: number;
  datagrams: Received[];
  batches: number;
}

/** A receiver that copies out every datagram of every batch. */
export function collect(options: Partial<NativeUdpOptions> & { host: string }, onBatch?: (batch: ArrayBuffer) => void): Collecting {
  if (!nativeUdp) throw new Error(nativeSkipReason);
  const out: Collecting = { receiver: null as unknown as NativeUdpReceiver, port: 0, datagrams: [], batches: 0 };
  out.receiver = new nativeUdp.UdpReceiver({ port: 0, ...options }, (batch) => {
    const n = out.batches++;
    forEachDatagram(batch, (bytes, size, arrivalMs, truncated) => out.datagrams.push({ bytes: Buffer.from(bytes), size, arrivalMs, truncated, batch: n }));
    onBatch?.(batch);
  });
  out.port = out.receiver.address().port;
  return out;
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
