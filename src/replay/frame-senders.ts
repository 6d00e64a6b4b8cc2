/** Sends frames to a Contrail listener: one datagram per frame over UDP, one line per frame over TCP. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import net from 'node:net';
import { ContrailError } from '../errors.js';
import type { ReplayTarget } from './replay-target.js';

export interface FrameSender {
  /** The largest frame send() takes: a UDP frame must fit in one datagram. */
  readonly maxFrameBytes: number;
  send(frame: Uint8Array): Promise<void> | void;
  /** Waits until everything sent has left this process, then closes. */
  close(): Promise<void>;
}

/** Bounds datagrams handed to the kernel but not yet confirmed, so memory stays flat at any rate. */
const UDP_IN_FLIGHT = 256;
/** The largest UDP payload: 65,535 bytes less the UDP header (8) and, for IPv4, the IP header (20). */
const UDP_MAX_PAYLOAD_V4 = 65_507;
const UDP_MAX_PAYLOAD_V6 = 65_527;

/** A send that failed after the destination was reached (reset, refused, unreachable). */
function sendFailed(target: ReplayTarget, e: Error): ContrailError {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return new ContrailError('CONTRAIL_ERR_REPLAY', `sending to ${target.protocol}://${host}:${target.port} failed: ${e.message}`, { cause: e });
}

class UdpSender implements FrameSender {
  readonly maxFrameBytes: number;
  readonly #socket: dgram.Socket;
  readonly #target: ReplayTarget;
  #inFlight = 0;
  #waiter: (() => void) | null = null;
  #error: Error | null = null;

  constructor(target: ReplayTarget) {
    this.#target = target;
    this.maxFrameBytes = isIPv6(target.host) ? UDP_MAX_PAYLOAD_V6 : UDP_MAX_PAYLOAD_V4;
    this.#socket = dgram.createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    this.#socket.on('error', (e) => (this.#error = e));
  }

  send(frame: Uint8Array): Promise<void> | void {
    if (this.#error) throw sendFailed(this.#target, this.#error);
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
    if (this.#error) throw sendFailed(this.#target, this.#error);
  }
}

const NEWLINE = new Uint8Array([0x0a]);

class TcpSender implements FrameSender {
  /** A stream has no frame limit of its own: the framer's bounds it. */
  readonly maxFrameBytes = Number.POSITIVE_INFINITY;
  readonly #socket: net.Socket;
  readonly #target: ReplayTarget;
  #error: Error | null = null;

  private constructor(socket: net.Socket, target: ReplayTarget) {
    this.#socket = socket;
    this.#target = target;
    socket.on('error', (e) => (this.#error = e));
  }

  static connect(target: ReplayTarget): Promise<TcpSender> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new TcpSender(socket, target));
      });
    });
  }

  send(frame: Uint8Array): Promise<void> | void {
    if (this.#error) throw sendFailed(this.#target, this.#error);
    this.#socket.write(frame);
    // Real TCP backpressure: when the kernel buffer is full, wait for it to drain, or for the
    // socket to close on an error (then no drain comes; the next send reports the error).
    if (!this.#socket.write(NEWLINE)) {
      return new Promise((resolve) => {
        const done = (): void => {
          this.#socket.off('drain', done).off('close', done);
          resolve();
        };
        this.#socket.once('drain', done).once('close', done);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.end(() => (this.#error ? reject(sendFailed(this.#target, this.#error)) : resolve()));
    });
  }
}

export async function openSender(target: ReplayTarget): Promise<FrameSender> {
  return target.protocol === 'udp' ? new UdpSender(target) : TcpSender.connect(target);
}
