/**
 * The slow-client policy for one WebSocket client. A client whose unsent bytes pass
 * `maxBufferedBytes` is behind: it stops receiving (the server takes it off its topics) and the
 * messages it would have received are counted. Once its buffer has drained below half the limit
 * it is resumed and told how many it missed; if it stays behind longer than `maxBehindMs` it is
 * disconnected. So one client that stops reading costs the server a bounded buffer, never the
 * others' latency or ingest.
 */

export interface BackpressurePolicy {
  /** Unsent bytes past which a client is behind. */
  maxBufferedBytes: number;
  /** Behind longer than this: disconnected. */
  maxBehindMs: number;
}

/** What the server should do with the client now. */
export type Verdict =
  | { action: 'none' }
  /** Take it off its topics; count what it misses. */
  | { action: 'pause' }
  /** Put it back on its topics and tell it `missed`. */
  | { action: 'resume'; missed: number }
  | { action: 'disconnect'; missed: number };

const NONE: Verdict = { action: 'none' };

export class ClientBackpressure {
  readonly #policy: BackpressurePolicy;
  #behindSince: number | null = null;
  #missed = 0;

  constructor(policy: BackpressurePolicy) {
    this.#policy = policy;
  }

  get behind(): boolean {
    return this.#behindSince !== null;
  }

  /** Messages published while it was behind. */
  get missed(): number {
    return this.#missed;
  }

  /** A message it would have received was published while it was behind. */
  miss(n = 1): void {
    if (this.#behindSince !== null) this.#missed += n;
  }

  /** Called on a timer (and when uWS reports a drain) with the client's unsent bytes. */
  check(buffered: number, now: number): Verdict {
    const { maxBufferedBytes, maxBehindMs } = this.#policy;
    if (this.#behindSince === null) {
      if (buffered <= maxBufferedBytes) return NONE;
      this.#behindSince = now;
      this.#missed = 0;
      return { action: 'pause' };
    }
    // Hysteresis: resumed only once well below the limit, so it does not flap at the edge.
    if (buffered <= maxBufferedBytes / 2) {
      const missed = this.#missed;
      this.#behindSince = null;
      this.#missed = 0;
      return { action: 'resume', missed };
    }
    if (now - this.#behindSince > maxBehindMs) return { action: 'disconnect', missed: this.#missed };
    return NONE;
  }
}
