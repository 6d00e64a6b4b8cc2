/** A UDP listener read by Node's dgram: one JSON frame per datagram, as decoders and acars_router send them. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SourceBase, type BoundAddress } from '../source.js';
import { reportUdpBound } from '../udp-bind-report.js';

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
        const recvBufferBytes = socket.getRecvBufferSize();
        reportUdpBound(this.log, this.config, 'dgram', address.port, this.options.udpRecvBufferBytes, recvBufferBytes);
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
