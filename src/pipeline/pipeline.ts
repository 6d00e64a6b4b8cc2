/**
 * Moves batches from the dispatcher through the decode pool to the writer, and commits them in
 * the order they were accepted even though decode threads finish out of order. It bounds the
 * batches in flight: past `maxPending` it asks sources to pause (TCP and ZMQ can; UDP cannot),
 * and past the hard limit it drops a batch, counted, rather than grow without bound.
 */
import { decodedBatchFrames, decodedBatchStats } from '../decode/decoded-batch.js';
import type { DecodePool } from '../decode/decode-pool.js';
import type { Committed, Failed, WriterClient } from '../store/writer-client.js';

export interface PipelineEvents {
  /** A decode task finished: its stats block (u32 words). */
  onDecoded(stats: Uint32Array): void;
  onCommitted(c: Committed): void;
  /** Frames that will never be stored, and why. */
  onLost(frames: number, reason: 'decode-failed' | 'write-failed' | 'overload', detail: string): void;
  /** true: sources that can pause should; false: they may resume. */
  onPressure(pause: boolean): void;
  /** How long a batch spent in a stage: `decode` (handed to the pool until decoded, queueing included), `write` (handed to the writer until committed). */
  onStage(stage: 'decode' | 'write', seconds: number): void;
}

export interface PipelineOptions {
  maxPending: number;
  /** Beyond this many batches in flight, new batches are dropped and counted. */
  hardLimit: number;
}

export class Pipeline {
  readonly #decode: DecodePool;
  readonly #writer: WriterClient;
  readonly #events: PipelineEvents;
  readonly #options: PipelineOptions;
  #nextSeq = 0;
  /** Next sequence number to hand to the writer. */
  #nextWrite = 0;
  /** Decoded results waiting for earlier batches; null marks a batch lost in decoding. */
  readonly #ready = new Map<number, ArrayBuffer | null>();
  /** Journal position of each batch in flight, passed to the writer with it. */
  readonly #journalEnds = new Map<number, number | null>();
  /** When each batch in the writer was handed to it (performance.now()). */
  readonly #writeStarts = new Map<number, number>();
  #pending = 0;
  #paused = false;
  #drainWaiters: (() => void)[] = [];
  #settleWaiters: (() => void)[] = [];

  constructor(decode: DecodePool, writer: WriterClient, events: PipelineEvents, options: PipelineOptions) {
    this.#decode = decode;
    this.#writer = writer;
    this.#events = events;
    this.#options = options;
  }

  /** Batches accepted and not yet committed (or failed). */
  get pending(): number {
    return this.#pending;
  }

  /** A batch submitted now would be dropped as overload. */
  get full(): boolean {
    return this.#pending >= this.#options.hardLimit;
  }

  /** Resolves once fewer than `n` batches are in flight. */
  async below(n: number): Promise<void> {
    while (this.#pending >= n) await new Promise<void>((resolve) => this.#settleWaiters.push(resolve));
  }

  /** `journalEnd`: the batch's journal position (its end), or null when it was not journaled. */
  submit(batch: ArrayBuffer, frames: number, journalEnd: number | null = null): void {
    if (this.#pending >= this.#options.hardLimit) {
      this.#events.onLost(frames, 'overload', `${this.#pending} batches in flight`);
      return;
    }
    const seq = this.#nextSeq++;
    this.#journalEnds.set(seq, journalEnd);
    this.#pending++;
    this.#updatePressure();
    const decodeStart = performance.now();
    this.#decode.decode(batch).then(
      (result) => {
        this.#events.onStage('decode', (performance.now() - decodeStart) / 1000);
        this.#events.onDecoded(decodedBatchStats(result));
        this.#ready.set(seq, result);
        this.#flushInOrder();
      },
      (err: Error) => {
        this.#events.onLost(frames, 'decode-failed', err.message);
        this.#ready.set(seq, null);
        this.#flushInOrder();
      },
    );
  }

  /** Called by the writer client's callbacks. */
  committed(c: Committed): void {
    const start = this.#writeStarts.get(c.seq);
    this.#writeStarts.delete(c.seq);
    if (start !== undefined) this.#events.onStage('write', (performance.now() - start) / 1000);
    this.#events.onCommitted(c);
    this.#settle();
  }

  failed(f: Failed): void {
    this.#writeStarts.delete(f.seq);
    this.#events.onLost(f.frames, 'write-failed', `${f.code}: ${f.message}`);
    this.#settle();
  }

  /** Resolves once every submitted batch is committed or accounted for. */
  drained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #flushInOrder(): void {
    for (;;) {
      const seq = this.#nextWrite;
      if (!this.#ready.has(seq)) return;
      const result = this.#ready.get(seq)!;
      this.#ready.delete(seq);
      const journalEnd = this.#journalEnds.get(seq) ?? null;
      this.#journalEnds.delete(seq);
      this.#nextWrite++;
      if (result === null) {
        this.#settle();
        continue;
      }
      try {
        this.#writeStarts.set(seq, performance.now());
        this.#writer.write(seq, result, journalEnd);
      } catch (err) {
        this.#writeStarts.delete(seq);
        // The writer is gone (the engine is failing or closing): account for the batch.
        this.#events.onLost(decodedBatchFrames(result), 'write-failed', (err as Error).message);
        this.#settle();
      }
    }
  }

  #settle(): void {
    this.#pending--;
    this.#updatePressure();
    const settled = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const w of settled) w();
    if (this.#pending === 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  #updatePressure(): void {
    const { maxPending } = this.#options;
    if (!this.#paused && this.#pending >= maxPending) {
      this.#paused = true;
      this.#events.onPressure(true);
    } else if (this.#paused && this.#pending <= maxPending >> 1) {
      this.#paused = false;
      this.#events.onPressure(false);
    }
  }
}
