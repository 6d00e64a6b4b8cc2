/**
 * A UDP listener read by the native batched receiver (native/): a thread of its own drains the
 * socket with recvmmsg and hands datagrams over in batches, one call per batch, each datagram
 * stamped with the time the kernel received it. Each datagram then takes the same path as
 * dgram's: one whole message for the framer.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { SourceConfig } from '../../config/config-types.js';
import { forEachDatagram } from '../native-udp-batch.js';
import type { NativeUdpAddon, NativeUdpReceiver, NativeUdpStats } from '../native-udp.js';
import { SourceBase, type BoundAddress, type IngestSink, type SourceOptions } from '../source.js';
import { reportUdpBound } from '../udp-bind-report.js';
import { reportUdpDrops } from '../udp-kernel-drops.js';

export class UdpNativeSource extends SourceBase {
  readonly #addon: NativeUdpAddon;
  #receiver: NativeUdpReceiver | null = null;
  #unreport: () => void = () => {};
  #closed: Promise<void> | null = null;

  constructor(config: SourceConfig, index: number, sink: IngestSink, options: SourceOptions, log: Logger, addon: NativeUdpAddon) {
    super(config, index, sink, options, log);
    this.#addon = addon;
  }

  async start(): Promise<BoundAddress> {
    const host = await numericHost(this.config.host);
    if (this.#closed !== null) throw new Error('UDP source closed before it started');
    const framer = this.framer();
    const max = this.options.maxFrameBytes;
    const onDatagram = (bytes: Uint8Array, size: number, arrivalMs: number, truncated: boolean): void => {
      // Only a receive slot smaller than 64 KiB truncates (tests do that): a cut datagram is not the frame that was sent.
      if (truncated) this.sink.reject(this.index, 'oversize', bytes.subarray(0, max), size, arrivalMs);
      else framer.pushMessage(bytes, arrivalMs);
    };
    // Throws at once, like dgram's bind, with err.code (EADDRINUSE...).
    const receiver = new this.#addon.UdpReceiver({ host, port: this.config.port, recvBufferBytes: this.options.udpRecvBufferBytes }, (batch) => {
      this.sink.bytesRead(this.index, forEachDatagram(batch, onDatagram));
    });
    this.#receiver = receiver;
    const address = receiver.address();
    this.#unreport = reportUdpDrops(address.port, () => receiver.stats().kernelDrops);
    reportUdpBound(this.log, this.config, 'native', address.port, this.options.udpRecvBufferBytes, address.recvBufferBytes);
    return { host: address.address, port: address.port, recvBufferBytes: address.recvBufferBytes };
  }

  /** The receiver's own counters (datagrams, batches, stalls, SO_RXQ_OVFL drops); null before start. */
  receiverStats(): NativeUdpStats | null {
    return this.#receiver?.stats() ?? null;
  }

  pause(): void {}
  resume(): void {}

  /** Resolves once the thread is joined, the socket closed and every datagram it read delivered to the sink. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    const receiver = this.#receiver;
    this.#unreport();
    this.#closed = receiver ? receiver.close() : Promise.resolve();
    return this.#closed;
  }
}

/** The addon binds numeric addresses only; a name resolves as the dgram source resolves it (to IPv4). */
async function numericHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  return (await lookup(host, { family: 4 })).address;
}
