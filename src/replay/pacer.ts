/**
 * Paces frames at a target rate. Timers have millisecond granularity, so at high rates frames
 * go out in small bursts that keep the average exact instead of sleeping per frame.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class Pacer {
  readonly #intervalMs: number;
  readonly #start = performance.now();
  #sent = 0;

  /** rate: frames per second; 0 means as fast as possible. */
  constructor(rate: number) {
    this.#intervalMs = rate > 0 ? 1000 / rate : 0;
  }

  /** Resolves when the next frame is due. */
  async next(): Promise<void> {
    const due = this.#start + this.#sent++ * this.#intervalMs;
    const ahead = due - performance.now();
    if (ahead >= 2) await sleep(ahead);
  }
}
