/**
 * The size of a job's next step (rows, pages), adapted to the time steps actually take so a step
 * stays within the slice's budget. The cost per unit it plans with rises at once to the cost of
 * a slow step and falls back slowly, because step costs vary a lot (a cold page, an FTS flush);
 * the size grows at most 1.5x per step, and only after a step that used its whole chunk.
 */
export interface ChunkLimits {
  min: number;
  initial: number;
  max: number;
}

/** Aim below the budget: the next step's cost is only predicted. */
const TARGET_SHARE = 0.6;
const GROWTH = 1.5;
/** Per step, the planned cost per unit falls at most to this share of itself. */
const COST_DECAY = 0.9;

export class AdaptiveChunk {
  readonly #limits: ChunkLimits;
  #size: number;
  /** Planned milliseconds per unit; 0 until a step is measured. */
  #cost = 0;

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
    if (units <= 0) return;
    const cost = ms / units;
    this.#cost = Math.max(cost, this.#cost * COST_DECAY);
    const { min, max } = this.#limits;
    const fits = Math.floor((budgetMs * TARGET_SHARE) / Math.max(this.#cost, 1e-6));
    const ceiling = units >= asked ? Math.floor(this.#size * GROWTH) : this.#size;
    this.#size = Math.max(min, Math.min(max, fits, ceiling));
  }
}
