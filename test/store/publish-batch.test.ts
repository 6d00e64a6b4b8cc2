import { describe, expect, it } from 'vitest';
import { encodeMeta, encodePublishBatch, forEachPublished, type MessageMeta } from '../../src/store/publish-batch.js';

describe('publish batches', () => {
  it('round-trips payloads byte for byte, multi-byte UTF-8 included, in order, with their meta lines', () => {
    const payloads = ['{"a":1}', '{"text":"Zürich → Reykjavík ✈"}', '{}'];
    const metas = [encodeMeta('H1', ' ual123 ', 'n12345', 'a1b2c3', 'Zürich-1'), '', encodeMeta(null, null, null, null, null)];
    const buffer = encodePublishBatch(payloads, [0, 2, 4], metas);
    const out: [string, string, MessageMeta][] = [];
    forEachPublished(buffer, (p) => out.push([new TextDecoder().decode(p.payload), p.type, p.meta()]));
    expect(out.map(([text, type]) => [text, type])).toEqual([
      [payloads[0], 'ACARS'],
      [payloads[1], 'HFDL'],
      [payloads[2], 'IRDM'],
    ]);
    expect(out[0]![2]).toEqual({ type: 'ACARS', label: 'H1', flight: 'UAL123', tail: 'N12345', icao: 'A1B2C3', station: 'Zürich-1' });
    expect(out[2]![2]).toEqual({ type: 'IRDM', label: '', flight: '', tail: '', icao: '', station: '' });
  });

  it('marks alert payloads for the alerts topic', () => {
    const buffer = encodePublishBatch(['{}', '{}'], [1, 1 | 0x100]);
    const topics: string[] = [];
    forEachPublished(buffer, (p) => topics.push(p.topic));
    expect(topics).toEqual(['messages', 'alerts']);
  });

  it('rejects a corrupt type index', () => {
    const buffer = encodePublishBatch(['{}'], [9]);
    expect(() => forEachPublished(buffer, () => {})).toThrow(/bad type index/);
  });
});
