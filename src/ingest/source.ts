/**
 * What every frame source (UDP, TCP listen, TCP connect, ZMQ, and later a bus consumer) looks
 * like to the engine. Sources frame their bytes and hand frames to an IngestSink; they know
 * nothing about batches, workers or storage.
 */
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/config-types.js';
import { JsonFramer, type FramerRejectReason } from './json-framer.js';

export interface IngestSink {
  frame(sourceIndex: number, bytes: Uint8Array, receivedAtMs: number): void;
  reject(sourceIndex: number, reason: FramerRejectReason, bytes: Uint8Array, size: number, receivedAtMs: number): void;
  bytesRead(sourceIndex: number, n: number): void;
}

export interface BoundAddress {
  host: string;
  port: number;
  /** UDP: the kernel receive buffer actually granted. */
  recvBufferBytes?: number;
}

export interface Source {
  readonly config: SourceConfig;
  readonly index: number;
  /** Binds or connects. Resolves with the local address for listeners, null for outgoing connections. */
  start(): Promise<BoundAddress | null>;
  /** Stop reading (real backpressure where the transport has it). UDP cannot pause. */
  pause(): void;
  resume(): void;
  /** Stops accepting and releases the socket. Idempotent. */
  close(): Promise<void>;
}

export interface SourceOptions {
  maxFrameBytes: number;
  udpRecvBufferBytes: number;
  tcpReconnectMs: number;
}

/** A framer whose frames go to the sink stamped with this source and the chunk's arrival time. */
export class SourceFramer {
  readonly #framer: JsonFramer;
  #receivedAt = 0;

  constructor(sink: IngestSink, sourceIndex: number, maxFrameBytes: number) {
    this.#framer = new JsonFramer(maxFrameBytes, {
      frame: (bytes) => sink.frame(sourceIndex, bytes, this.#receivedAt),
      reject: (reason, bytes, size) => sink.reject(sourceIndex, reason, bytes, size, this.#receivedAt),
    });
  }

  /** A chunk of a stream. */
  push(chunk: Uint8Array, receivedAtMs = Date.now()): void {
    this.#receivedAt = receivedAtMs;
    this.#framer.push(chunk);
  }

  /** A whole message (datagram, ZMQ message): an object left open in it is truncated. */
  pushMessage(message: Uint8Array, receivedAtMs = Date.now()): void {
    this.#receivedAt = receivedAtMs;
    this.#framer.push(message);
    this.#framer.end();
  }

  /** The stream ended. */
  end(): void {
    this.#framer.end();
  }
}

/** What every source keeps: its configuration, its index (stamped on its frames), where frames go. */
export abstract class SourceBase implements Source {
  constructor(
    readonly config: SourceConfig,
    readonly index: number,
    protected readonly sink: IngestSink,
    protected readonly options: SourceOptions,
    protected readonly log: Logger,
  ) {}

  /** Told the number of open TCP connections whenever it changes (connection-oriented sources only). */
  onConnections: (open: number) => void = () => {};

  abstract start(): Promise<BoundAddress | null>;
  abstract pause(): void;
  abstract resume(): void;
  abstract close(): Promise<void>;

  /** A framer for one stream or socket of this source. */
  protected framer(): SourceFramer {
    return new SourceFramer(this.sink, this.index, this.options.maxFrameBytes);
  }
}
