import { describe, expect, it } from 'vitest';
import { FrameBatchBuilder, readFrameBatch } from '../../src/ingest/frame-batch.js';

describe('frame batches', () => {
  it('carries frames, sources, times and framer rejects through one buffer, growing as needed', () => {
    const b = new FrameBatchBuilder(8, 16);
    const big = Buffer.alloc(100, 0x61);
    b.add(Buffer.from('{"a":1}'), 3, 1000.5, null);
    b.add(big, 1, 1001, 'oversize', 70_000);
    b.add(Buffer.from('{"t":"cut'), 0, 1002, 'truncated');
    const { buffer, count } = b.take();
    expect(count).toBe(3);
    const frames = [...readFrameBatch(buffer)];
    expect(frames.map((f) => [Buffer.from(f.bytes).toString(), f.sourceIndex, f.receivedAtMs, f.framerReject, f.size])).toEqual([
      ['{"a":1}', 3, 1000.5, null, 7],
      ['a'.repeat(100), 1, 1001, 'oversize', 70_000],
      ['{"t":"cut', 0, 1002, 'truncated', 9],
    ]);
    // take() starts a fresh batch; the old buffer is untouched by later adds.
    b.add(Buffer.from('{"b":2}'), 0, 2000, null);
    expect([...readFrameBatch(buffer)]).toHaveLength(3);
    expect([...readFrameBatch(b.take().buffer)].map((f) => Buffer.from(f.bytes).toString())).toEqual(['{"b":2}']);
  });

  it('refuses more frames than its capacity', () => {
    const b = new FrameBatchBuilder(1);
    b.add(Buffer.from('{}'), 0, 0, null);
    expect(b.full).toBe(true);
    expect(() => b.add(Buffer.from('{}'), 0, 0, null)).toThrow(RangeError);
  });
});
