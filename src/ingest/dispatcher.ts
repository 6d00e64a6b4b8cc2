/**
 * Collects framed bytes from every source into batches, by count, by size and by time (a batch
 * waits at most maxWaitMs), and hands each batch on as one buffer. Main thread: it copies
 * bytes and never looks inside them.
 */
import { ClosedError } from '../errors.js';
import { FrameBatchBuilder } from './frame-batch.js';
import type { FramerRejectReason } from './json-framer.js';

export interface DispatcherOptions {
  maxFrames: number;
  maxWaitMs: number;
  /** Flush early once a batch holds this many bytes, to bound one task's size. */
  maxBatchBytes?: number;
  onBatch(buffer: ArrayBuffer, count: number): void;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #builder: FrameBatchBuilder;
  readonly #maxBatchBytes: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#builder = new FrameBatchBuilder(options.maxFrames);
    this.#maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
  }

  add(bytes: Uint8Array, sourceIndex: number, receivedAtMs: number, framerReject: FramerRejectReason | null = null, size = bytes.length): void {
    if (this.#closed) throw new ClosedError('dispatcher');
    this.#builder.add(bytes, sourceIndex, receivedAtMs, framerReject, size);
    if (this.#builder.full || this.#builder.dataBytes >= this.#maxBatchBytes) {
      this.flush();
    } else if (this.#timer === null) {
      this.#timer = setTimeout(this.#onTimer, this.#options.maxWaitMs);
    }
  }

  /** Sends whatever is batched now. */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#builder.count === 0) return;
    const { buffer, count } = this.#builder.take();
    this.#options.onBatch(buffer, count);
  }

  /** Flushes and refuses further frames. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.flush();
  };
}
