/** Sends frames to a Contrail listener: one datagram per frame over UDP, one line per frame over TCP. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import net from 'node:net';
import type { ReplayTarget } from './replay-target.js';

export interface FrameSender {
  send(frame: Uint8Array): Promise<void> | void;
  /** Waits until everything sent has left this process, then closes. */
  close(): Promise<void>;
}

/** Bounds datagrams handed to the kernel but not yet confirmed, so memory stays flat at any rate. */
const UDP_IN_FLIGHT = 256;

class UdpSender implements FrameSender {
  readonly #socket: dgram.Socket;
  readonly #target: ReplayTarget;
  #inFlight = 0;
  #waiter: (() => void) | null = null;
  #error: Error | null = null;

  constructor(target: ReplayTarget) {
    this.#target = target;
    this.#socket = dgram.createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    this.#socket.on('error', (e) => (this.#error = e));
  }

  send(frame: Uint8Array): Promise<void> | void {
    if (this.#error) throw this.#error;
    this.#inFlight++;
    this.#socket.send(frame, this.#target.port, this.#target.host, (err) => {
      if (err) this.#error = err;
      this.#inFlight--;
      const w = this.#waiter;
      this.#waiter = null;
      w?.();
    });
    if (this.#inFlight >= UDP_IN_FLIGHT) return new Promise((resolve) => (this.#waiter = resolve));
  }

  async close(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#waiter = resolve));
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
    if (this.#error) throw this.#error;
  }
}

const NEWLINE = new Uint8Array([0x0a]);

class TcpSender implements FrameSender {
  readonly #socket: net.Socket;
  #error: Error | null = null;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('error', (e) => (this.#error = e));
  }

  static connect(target: ReplayTarget): Promise<TcpSender> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new TcpSender(socket));
      });
    });
  }

  send(frame: Uint8Array): Promise<void> | void {
    if (this.#error) throw this.#error;
    this.#socket.write(frame);
    // Real TCP backpressure: when the kernel buffer is full, wait for it to drain.
    if (!this.#socket.write(NEWLINE)) return new Promise((resolve) => this.#socket.once('drain', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.end(() => (this.#error ? reject(this.#error) : resolve()));
    });
  }
}

export async function openSender(target: ReplayTarget): Promise<FrameSender> {
  return target.protocol === 'udp' ? new UdpSender(target) : TcpSender.connect(target);
}
