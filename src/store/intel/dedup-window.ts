/**
 * The writer's memory of recently stored messages by content key, for dedup across stations.
 * A message whose key was stored less than `windowS` seconds away (by message time) is a copy:
 * it is not stored again; the kept row counts it, and takes over its reception fields when the
 * copy is better (fewer errors, then a stronger signal).
 */

/** How well a copy was received. */
export interface Reception {
  error: number | null;
  level: number | null;
}

export interface Kept {
  id: number;
  time: number;
  /** When it arrived (epoch ms): eviction goes by arrival, not message time (see #evict). */
  arrived: number;
  error: number | null;
  level: number | null;
  copies: number;
  /** Distinct stations that heard it, first the kept row's own. */
  stations: string[];
}

/** True when `b` is a better copy than `a`: fewer errors, then a stronger signal. */
export function betterCopy(a: Reception, b: Reception): boolean {
  const ea = a.error ?? 0;
  const eb = b.error ?? 0;
  if (eb !== ea) return eb < ea;
  return (b.level ?? -Infinity) > (a.level ?? -Infinity);
}

export class DedupWindow {
  readonly #windowS: number;
  /** Insertion order is roughly time order, so eviction walks from the front. */
  readonly #byKey = new Map<number, Kept>();
  #latestArrival = -Infinity;

  constructor(windowS: number) {
    this.#windowS = windowS;
  }

  get enabled(): boolean {
    return this.#windowS > 0;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** The kept message this one is a copy of, or null. */
  find(key: number, time: number): Kept | null {
    const k = this.#byKey.get(key);
    return k !== undefined && Math.abs(time - k.time) <= this.#windowS ? k : null;
  }

  remember(key: number, kept: Kept): void {
    this.#byKey.delete(key);
    this.#byKey.set(key, kept);
    if (kept.arrived > this.#latestArrival) {
      this.#latestArrival = kept.arrived;
      this.#evict();
    }
  }

  /** Forgets everything (a batch rolled back: its rows, remembered here, do not exist). */
  clear(): void {
    this.#byKey.clear();
    this.#latestArrival = -Infinity;
  }

  /**
   * By arrival, in insertion order: message times interleave across sources (a replay, a station
   * whose clock is off), and evicting by the newest message time seen would drop the entries of
   * every source that is behind. Copies arrive within seconds of each other, whatever their
   * message time says; an entry is kept for twice the window, and at least 10 s, after arrival.
   */
  #evict(): void {
    const cutoff = this.#latestArrival - Math.max(10_000, 2000 * this.#windowS);
    for (const [key, k] of this.#byKey) {
      if (k.arrived >= cutoff) break;
      this.#byKey.delete(key);
    }
  }
}
