/** The slow-client policy's states: behind past the limit, resumed below half of it, dropped when behind too long. */
import { describe, expect, it } from 'vitest';
import { ClientBackpressure } from '../../src/serve/client-backpressure.js';

const policy = { maxBufferedBytes: 1000, maxBehindMs: 5000 };

describe('ClientBackpressure', () => {
  it('leaves a client that keeps up alone', () => {
    const c = new ClientBackpressure(policy);
    expect(c.check(0, 0)).toEqual({ action: 'none' });
    expect(c.check(1000, 10)).toEqual({ action: 'none' });
    c.miss(5);
    expect(c.missed).toBe(0);
  });

  it('pauses a client past the limit, counts what it misses, and resumes it below half the limit with the count', () => {
    const c = new ClientBackpressure(policy);
    expect(c.check(1001, 0)).toEqual({ action: 'pause' });
    expect(c.behind).toBe(true);
    c.miss(3);
    c.miss();
    // Draining, but not yet below half: still behind.
    expect(c.check(700, 1000)).toEqual({ action: 'none' });
    c.miss(2);
    expect(c.check(500, 2000)).toEqual({ action: 'resume', missed: 6 });
    expect(c.behind).toBe(false);
    expect(c.missed).toBe(0);
    // A second episode counts from zero.
    expect(c.check(5000, 3000)).toEqual({ action: 'pause' });
    c.miss(1);
    expect(c.check(0, 3500)).toEqual({ action: 'resume', missed: 1 });
  });

  it('disconnects a client that stays behind longer than allowed', () => {
    const c = new ClientBackpressure(policy);
    c.check(2000, 0);
    c.miss(10);
    expect(c.check(2000, 5000)).toEqual({ action: 'none' });
    expect(c.check(2000, 5001)).toEqual({ action: 'disconnect', missed: 10 });
  });
});
