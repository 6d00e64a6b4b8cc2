/**
 * Batches that arrive while the pipeline is full wait in the journal, not in memory: only their
 * positions are kept here. As room appears they are read back and submitted, in order. While
 * any batch waits, every new batch waits behind it, so acceptance order is kept. A backlog left
 * at shutdown is simply replayed at the next start (it is past the checkpoint).
 */
import type { JournalWriter } from '../journal/journal-writer.js';
import type { Pipeline } from './pipeline.js';

interface Waiting {
  start: number;
  end: number;
  frames: number;
}

export interface BacklogOptions {
  /** Batches in flight below which a waiting batch is submitted. */
  room: number;
  /** Journal bytes the backlog may hold; past this, new batches are refused (and counted lost). */
  maxBytes: number;
  onError(err: Error, frames: number): void;
}

export class JournalBacklog {
  readonly #journal: JournalWriter;
  readonly #pipeline: Pipeline;
  readonly #o: BacklogOptions;
  #waiting: Waiting[] = [];
  #bytes = 0;
  #run: Promise<void> | null = null;
  /** While set, nothing is submitted: the database cannot take batches (schema update pending, restore). */
  #held: { released: Promise<void>; release: () => void } | null = null;

  constructor(journal: JournalWriter, pipeline: Pipeline, options: BacklogOptions) {
    this.#journal = journal;
    this.#pipeline = pipeline;
    this.#o = options;
  }

  /** Batches waiting on disk. */
  get batches(): number {
    return this.#waiting.length;
  }

  /** Whether a new batch must wait: held, something already waits, or the pipeline has no room. */
  mustWait(): boolean {
    return this.#held !== null || this.#waiting.length > 0 || this.#pipeline.pending >= this.#o.room;
  }

  get held(): boolean {
    return this.#held !== null;
  }

  /** Every batch waits in the journal until release(). */
  hold(): void {
    if (this.#held) return;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.#held = { released, release };
  }

  release(): void {
    const h = this.#held;
    this.#held = null;
    h?.release();
  }

  /** Whether `bytes` more fit in the backlog. */
  fits(bytes: number): boolean {
    return this.#bytes + bytes <= this.#o.maxBytes;
  }

  /** Records a batch journaled at [start, end) that will be submitted later. */
  add(start: number, end: number, frames: number): void {
    this.#waiting.push({ start, end, frames });
    this.#bytes += end - start;
    this.#run ??= this.#drain().finally(() => (this.#run = null));
  }

  /** Resolves when nothing waits any more (never while held with batches waiting). */
  async drained(): Promise<void> {
    while (this.#run) await this.#run;
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      while (this.#held) await this.#held.released;
      await this.#pipeline.below(this.#o.room);
      const w = this.#waiting[0]!;
      let payload: ArrayBuffer | null = null;
      try {
        await this.#journal.written(w.end);
        payload = await this.#journal.read(w.start, w.end);
      } catch (err) {
        this.#o.onError(err as Error, w.frames);
      }
      // Removed only now, after the read: until then new batches keep queueing behind it.
      this.#waiting.shift();
      this.#bytes -= w.end - w.start;
      if (payload) this.#pipeline.submit(payload, w.frames, w.end);
    }
  }
}
