/** The shared pieces both analytics paths rely on: alignment, percentiles, order, differences. */
import { describe, expect, it } from 'vitest';
import {
  alertHitsResult,
  bucketIndexOfTime,
  bucketOfMinute,
  bucketSpan,
  compareCodePoints,
  compareTypes,
  histogram1dB,
  percentile,
  ratesResult,
  sortedCounts,
} from '../../src/analytics/buckets.js';
import { firstDifference } from '../../src/analytics/compare-analytics.js';

describe('bucketSpan', () => {
  it('covers from the bucket holding `from` to the one holding `to - ε`', () => {
    expect(bucketSpan({ from: 3600, to: 7200 }, 3600)).toEqual({ step: 3600, first: 3600, end: 7200, count: 1 });
    expect(bucketSpan({ from: 3601.5, to: 7200.25 }, 3600)).toEqual({ step: 3600, first: 3600, end: 10_800, count: 2 });
    expect(bucketSpan({ from: 59.9, to: 60.1 }, 60)).toMatchObject({ first: 0, end: 120, count: 2 });
  });

  it('is empty when to <= from, and refuses what it cannot answer', () => {
    expect(bucketSpan({ from: 100, to: 100 }, 60).count).toBe(0);
    expect(bucketSpan({ from: 200, to: 100 }, 60).count).toBe(0);
    expect(() => bucketSpan({ from: 0, to: Number.NaN }, 60)).toThrow(RangeError);
    expect(() => bucketSpan({ from: 0, to: 10 }, 90)).toThrow(RangeError);
    expect(() => bucketSpan({ from: 0, to: 3 * 365 * 86_400 }, 60)).toThrow(/buckets/);
  });

  it('files a time by its minute, as the writer does', () => {
    const span = bucketSpan({ from: 3600, to: 7200 }, 900);
    expect(bucketIndexOfTime(span, 3600)).toBe(0);
    expect(bucketIndexOfTime(span, 4500 - 1e-6)).toBe(0);
    expect(bucketIndexOfTime(span, 4500)).toBe(1);
    expect(bucketIndexOfTime(span, 3600 - 1e-6)).toBe(-1);
    expect(bucketIndexOfTime(span, 7200)).toBe(-1);
    expect(bucketOfMinute(-60, 3600)).toBe(-3600);
  });
});

describe('distributions', () => {
  it('takes nearest-rank percentiles without float rounding pushing the rank', () => {
    // 30 values 1..30: p10 is rank ceil(3) = 3, not 4 (0.1 * 30 = 3.0000000000000004).
    const values = sortedCounts(Array.from({ length: 30 }, (_, i) => ({ value: i + 1, count: 1 })));
    expect(percentile(values, 10)).toBe(3);
    expect(percentile(values, 50)).toBe(15);
    expect(percentile(values, 90)).toBe(27);
    expect(percentile(sortedCounts([{ value: -5.5, count: 1 }]), 10)).toBe(-5.5);
    // Counts weigh: 9 at -20, 1 at 0.
    const weighted = sortedCounts([{ value: 0, count: 1 }, { value: -20, count: 9 }]);
    expect([percentile(weighted, 10), percentile(weighted, 90)]).toEqual([-20, -20]);
    expect(percentile(weighted, 91)).toBe(0);
    expect(() => percentile([], 50)).toThrow(RangeError);
  });

  it('buckets levels by 1 dB, floor, no -0', () => {
    const h = histogram1dB(sortedCounts([{ value: -0.5, count: 2 }, { value: -0.1, count: 1 }, { value: 0, count: 4 }, { value: 0.9, count: 1 }, { value: -12.3, count: 3 }]));
    expect(h).toEqual([[-13, 3], [-1, 3], [0, 5]]);
    expect(Object.is(histogram1dB([{ value: -0, count: 1 }])[0]![0], 0)).toBe(true);
  });
});

describe('order', () => {
  it('sorts decoder types in their own order, then others by code point', () => {
    expect(['zzz', 'IRDM', 'HFDL', 'ACARS', 'AAA', 'IMS-L', 'VDL-M2'].sort(compareTypes)).toEqual(['ACARS', 'VDL-M2', 'HFDL', 'IMS-L', 'IRDM', 'AAA', 'zzz']);
  });

  it('compares strings as UTF-8 bytes compare (SQLite BINARY, DuckDB)', () => {
    const astral = '\u{1F600}';
    expect('\uFF01' < astral).toBe(false); // JS's UTF-16 order
    expect(compareCodePoints('\uFF01', astral)).toBeLessThan(0);
    expect(compareCodePoints('Z', 'a')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('é', 'é')).toBe(0);
  });
});

describe('results', () => {
  it('zero-fills series and leaves out types with no stored messages', () => {
    const span = bucketSpan({ from: 0, to: 180 }, 60);
    const r = ratesResult(span, [
      { bucket: 60, type: 'HFDL', messages: 2, errors: 1 },
      { bucket: 0, type: 'ACARS', messages: 1, errors: 0 },
      { bucket: 120, type: 'IRDM', messages: 0, errors: 0 },
    ]);
    expect(r).toEqual({
      step: 60,
      buckets: [0, 60, 120],
      series: [
        { type: 'ACARS', messages: [1, 0, 0], errors: [0, 0, 0] },
        { type: 'HFDL', messages: [0, 2, 0], errors: [0, 1, 0] },
      ],
    });
  });

  it('counts alert hits by minute, inside the span only', () => {
    const span = bucketSpan({ from: 60, to: 120 }, 60);
    const r = alertHitsResult(span, [
      { term: 'b', time: 60, count: 2 },
      { term: 'b', time: 60 - 1e-6, count: 5 },
      { term: 'a', time: 119.9, count: 1 },
      { term: 'c', time: 120, count: 1 },
    ]);
    expect(r).toEqual({ step: 60, buckets: [60], terms: [{ term: 'a', hits: [1] }, { term: 'b', hits: [2] }] });
  });
});

describe('firstDifference', () => {
  it('gives the JSON path of the first differing value', () => {
    expect(firstDifference({ a: [1, 2, { b: 'x' }] }, { a: [1, 2, { b: 'x' }] })).toBeNull();
    expect(firstDifference({ a: [1, 2, { b: 'x' }] }, { a: [1, 3, { b: 'y' }] })).toEqual({ path: '$.a[1]', a: 2, b: 3 });
    expect(firstDifference({ s: [1] }, { s: [1, 2] })).toEqual({ path: '$.s.length', a: 1, b: 2 });
    expect(firstDifference({ 'a-b': null }, { 'a-b': 0 })).toEqual({ path: '$["a-b"]', a: null, b: 0 });
    expect(firstDifference({ x: 1 }, {})).toEqual({ path: '$.x', a: 1, b: undefined });
    expect(firstDifference(0, -0)).toBeNull();
  });
});
