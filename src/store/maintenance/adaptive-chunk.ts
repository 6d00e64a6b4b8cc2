/**
 * The size of a job's next step (rows, pages), adapted to the time each step actually took so a
 * step stays within the slice's budget: the rate of the last step predicts the next. It shrinks
 * at once when a step ran over, and grows at most 2x per step (only after a step that used its
 * whole chunk in under the target), so a cold cache or a busy disk cannot make it jump.
 */
export interface ChunkLimits {
  min: number;
  initial: number;
  max: number;
}

/** Aim below the budget: the next step's cost is only predicted. */
const TARGET_SHARE = 0.6;

export class AdaptiveChunk {
  readonly #limits: ChunkLimits;
  #size: number;

  constructor(limits: ChunkLimits) {
    if (!(limits.min >= 1 && limits.min <= limits.initial && limits.initial <= limits.max)) {
      throw new RangeError(`chunk limits must satisfy 1 <= min <= initial <= max, got ${JSON.stringify(limits)}`);
    }
    this.#limits = limits;
    this.#size = limits.initial;
  }

  get size(): number {
    return this.#size;
  }

  /** A step of `units` (asked: `asked`) took `ms`; the budget per step is `budgetMs`. */
  record(units: number, asked: number, ms: number, budgetMs: number): void {
    const target = budgetMs * TARGET_SHARE;
    const { min, max } = this.#limits;
    if (units <= 0) return;
    if (ms > target) {
      const predicted = Math.floor((units / Math.max(ms, 0.01)) * target);
      this.#size = Math.max(min, Math.min(this.#size, predicted));
    } else if (units >= asked) {
      const predicted = Math.floor((units / Math.max(ms, 0.01)) * target);
      this.#size = Math.min(max, Math.max(this.#size, Math.min(predicted, this.#size * 2)));
    }
  }
}
