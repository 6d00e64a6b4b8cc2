/**
 * Connects out to a feeder (acars_router's TCP server, a decoder's TCP output) and reconnects
 * after tcpReconnectMs whenever the connection fails or drops, as ACARS Hub does. Logs state
 * changes only, so a feeder that stays down does not flood the log.
 */
import net from 'node:net';
import { SourceBase } from '../source.js';

export class TcpConnectSource extends SourceBase {
  #socket: net.Socket | null = null;
  #timer: NodeJS.Timeout | null = null;
  #paused = false;
  #closing = false;
  #connected = false;
  /** Reason of the last failure logged, to log a repeated failure once. */
  #lastFailure: string | null = null;

  /** Starts connecting; never fails: an unreachable feeder is retried until close(). */
  start(): Promise<null> {
    this.#connect();
    return Promise.resolve(null);
  }

  #connect(): void {
    this.#timer = null;
    if (this.#closing) return;
    const { host, port, descriptor } = this.config;
    const socket = net.connect({ host, port });
    this.#socket = socket;
    const framer = this.framer();
    socket.setKeepAlive(true, 30_000);
    socket.on('connect', () => {
      this.#connected = true;
      this.#lastFailure = null;
      this.onConnections(1);
      if (this.#paused) socket.pause();
      this.log.info({ source: descriptor, type: this.config.type }, 'connected to feeder');
    });
    socket.on('data', (chunk) => {
      this.sink.bytesRead(this.index, chunk.length);
      framer.push(chunk);
    });
    socket.on('error', (err) => {
      const reason = (err as NodeJS.ErrnoException).code ?? err.message;
      if (reason !== this.#lastFailure && !this.#closing) {
        this.log.warn({ source: descriptor, reason, retryMs: this.options.tcpReconnectMs }, 'feeder connection failed; retrying');
        this.#lastFailure = reason;
      }
    });
    socket.on('close', () => {
      framer.end();
      if (this.#connected) {
        this.#connected = false;
        this.onConnections(0);
        if (!this.#closing) this.log.warn({ source: descriptor, retryMs: this.options.tcpReconnectMs }, 'feeder disconnected; reconnecting');
      }
      this.#socket = null;
      if (!this.#closing) this.#timer = setTimeout(() => this.#connect(), this.options.tcpReconnectMs);
    });
  }

  pause(): void {
    this.#paused = true;
    this.#socket?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#socket?.resume();
  }

  close(): Promise<void> {
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
