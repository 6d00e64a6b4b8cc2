import { describe, expect, it } from 'vitest';
import { encodePublishBatch, forEachPublished } from '../../src/store/publish-batch.js';

describe('publish batches', () => {
  it('round-trips payloads byte for byte, multi-byte UTF-8 included, in order', () => {
    const payloads = ['{"a":1}', '{"text":"Zürich → Reykjavík ✈"}', '{}'];
    const buffer = encodePublishBatch(payloads, [0, 2, 4]);
    const out: [string, string][] = [];
    forEachPublished(buffer, (bytes, type) => out.push([new TextDecoder().decode(bytes), type]));
    expect(out).toEqual([
      [payloads[0], 'ACARS'],
      [payloads[1], 'HFDL'],
      [payloads[2], 'IRDM'],
    ]);
  });

  it('rejects a corrupt type index', () => {
    const buffer = encodePublishBatch(['{}'], [9]);
    expect(() => forEachPublished(buffer, () => {})).toThrow(/bad type index/);
  });
});
