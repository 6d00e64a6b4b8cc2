/** The per-client request budget: a burst, then the steady rate, refilled by the clock. */
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/serve/token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the rate, and refills with time up to the burst', () => {
    const b = new TokenBucket(10, 20, 0);
    let allowed = 0;
    for (let i = 0; i < 50; i++) if (b.take(0)) allowed++;
    expect(allowed).toBe(20);
    expect(b.take(50)).toBe(false); // half a token after 50 ms at 10/s
    expect(b.take(100)).toBe(true); // one token after 100 ms
    expect(b.take(100)).toBe(false);
    // A long pause refills only up to the burst.
    let later = 0;
    for (let i = 0; i < 50; i++) if (b.take(60_000)) later++;
    expect(later).toBe(20);
  });
});
