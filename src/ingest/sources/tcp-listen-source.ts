/** Listens for feeders (acars_router, decoders) sending newline-delimited or glued JSON over TCP. */
import net from 'node:net';
import { SourceBase, type BoundAddress } from '../source.js';

export class TcpListenSource extends SourceBase {
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | null = null;
  #paused = false;
  #closed: Promise<void> | null = null;

  start(): Promise<BoundAddress> {
    const server = net.createServer((socket) => this.#accept(socket));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.error({ err, source: this.config.descriptor }, 'TCP listener error'));
        const a = server.address() as net.AddressInfo;
        this.log.info({ source: this.config.descriptor, type: this.config.type, port: a.port }, 'TCP listener bound');
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  #accept(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.#sockets.add(socket);
    this.onConnections(this.#sockets.size);
    this.log.info({ source: this.config.descriptor, peer }, 'feeder connected');
    if (this.#paused) socket.pause();
    const framer = this.framer();
    socket.on('data', (chunk) => {
      this.sink.bytesRead(this.index, chunk.length);
      framer.push(chunk);
    });
    socket.on('error', (err) => this.log.warn({ source: this.config.descriptor, peer, err: err.message }, 'feeder connection error'));
    socket.on('close', () => {
      framer.end();
      this.#sockets.delete(socket);
      this.onConnections(this.#sockets.size);
      this.log.info({ source: this.config.descriptor, peer }, 'feeder disconnected');
    });
  }

  pause(): void {
    this.#paused = true;
    for (const s of this.#sockets) s.pause();
  }

  resume(): void {
    this.#paused = false;
    for (const s of this.#sockets) s.resume();
  }

  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    const server = this.#server;
    for (const s of this.#sockets) s.destroy();
    this.#closed = server ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
    return this.#closed;
  }
}
