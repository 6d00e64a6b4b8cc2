/** A UDP listener: one JSON frame per datagram, as decoders and acars_router send them. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SourceBase, type BoundAddress } from '../source.js';

export class UdpSource extends SourceBase {
  #socket: dgram.Socket | null = null;
  #closed: Promise<void> | null = null;

  start(): Promise<BoundAddress> {
    const { host, port } = this.config;
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: this.options.udpRecvBufferBytes });
    this.#socket = socket;
    const framer = this.framer();
    socket.on('message', (msg) => {
      this.sink.bytesRead(this.index, msg.length);
      framer.pushMessage(msg);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.log.error({ err, source: this.config.descriptor }, 'UDP socket error'));
        const address = socket.address();
        // The kernel caps the buffer at net.core.rmem_max (and doubles it); report what we got.
        const recvBufferBytes = socket.getRecvBufferSize();
        this.log.info({ source: this.config.descriptor, type: this.config.type, port: address.port, recvBufferBytes }, 'UDP listener bound');
        if (recvBufferBytes < this.options.udpRecvBufferBytes) {
          this.log.warn(
            { source: this.config.descriptor, requested: this.options.udpRecvBufferBytes, granted: recvBufferBytes },
            'UDP receive buffer smaller than requested; raise net.core.rmem_max to absorb bursts',
          );
        }
        resolve({ host: address.address, port: address.port, recvBufferBytes });
      });
    });
  }

  pause(): void {}
  resume(): void {}

  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    const socket = this.#socket;
    this.#closed = socket ? new Promise((resolve) => socket.close(() => resolve())) : Promise.resolve();
    return this.#closed;
  }
}
