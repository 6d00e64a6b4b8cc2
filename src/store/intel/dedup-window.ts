/**
 * The writer's memory of recently stored messages by content key, for dedup across stations.
 * A message whose key was stored less than `windowS` seconds away (by message time) is a copy:
 * it is not stored again; the kept row counts it, and takes over its reception fields when the
 * copy is better (fewer errors, then a stronger signal).
 */

export interface Reception {
  station: string | null;
  error: number | null;
  level: number | null;
}

export interface Kept {
  id: number;
  time: number;
  error: number | null;
  level: number | null;
  copies: number;
  /** Distinct stations that heard it, first the kept row's own. */
  stations: string[];
}

/** True when `b` is a better copy than `a`: fewer errors, then a stronger signal. */
export function betterCopy(a: Pick<Reception, 'error' | 'level'>, b: Pick<Reception, 'error' | 'level'>): boolean {
  const ea = a.error ?? 0;
  const eb = b.error ?? 0;
  if (eb !== ea) return eb < ea;
  return (b.level ?? -Infinity) > (a.level ?? -Infinity);
}

export class DedupWindow {
  readonly #windowS: number;
  /** Insertion order is roughly time order, so eviction walks from the front. */
  readonly #byKey = new Map<number, Kept>();
  #newest = -Infinity;

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
    if (kept.time > this.#newest) {
      this.#newest = kept.time;
      this.#evict();
    }
  }

  /** Forgets a row that no longer exists (its batch rolled back). */
  forget(key: number, id: number): void {
    if (this.#byKey.get(key)?.id === id) this.#byKey.delete(key);
  }

  #evict(): void {
    // Twice the window: copies may arrive out of order by a window's worth either side.
    const cutoff = this.#newest - 2 * this.#windowS;
    for (const [key, k] of this.#byKey) {
      if (k.time >= cutoff) break;
      this.#byKey.delete(key);
    }
  }
}
