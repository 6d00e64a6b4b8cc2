/**
 * Label decoding with @airframes/acars-decoder on real corpus messages: what decodes, what does
 * not, what throws inside the library (reported, never thrown), that `raw` is plain JSON data,
 * and the share of text-bearing ACARS messages that get structured data at all.
 */

import { MessageDecoder } from '@airframes/acars-decoder';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CORPUS_FILES } from '../../bench/lib/corpus.js';
import { decodeLabel, type LabelDecoding, type LabelResult } from '../../src/decode/label-decoder.js';
import type { Message } from '../../src/decode/message.js';
import { normalizeFrame } from '../../src/decode/normalize.js';
import { readCorpusFrames } from '../helpers/corpus.js';

const RECEIVED_MS = 1_800_000_000_000;

/** Every corpus frame (all families), normalized with the hint of the listener it arrives on. */
const corpus: Message[] = CORPUS_FILES.flatMap(([file, hint]) =>
  readCorpusFrames(file).map((s) => {
    const r = normalizeFrame(JSON.parse(s), hint, RECEIVED_MS);
    if (!r.ok) throw new Error(`rejected (${r.reason}): ${s.slice(0, 120)}`);
    return r.message;
  }),
);
const textBearing = corpus.filter((m) => m.isAcars && m.text !== null && m.text.length > 0);

/** Messages whose text contains `needle`. */
const withText = (needle: string): Message[] => textBearing.filter((m) => m.text!.includes(needle));

function decoded(r: LabelResult): LabelDecoding {
  if (r.kind !== 'decoded') throw new Error(`expected a decoding, got ${JSON.stringify(r)}`);
  return r.value;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('nothing to decode', () => {
  it('is none without a label or without text', () => {
    expect(decodeLabel({ label: null, sublabel: null, text: 'POSN34261W108337' })).toEqual({ kind: 'none' });
    expect(decodeLabel({ label: '', sublabel: null, text: 'POSN34261W108337' })).toEqual({ kind: 'none' });
    expect(decodeLabel({ label: 'H1', sublabel: null, text: null })).toEqual({ kind: 'none' });
    expect(decodeLabel({ label: 'H1', sublabel: null, text: '' })).toEqual({ kind: 'none' });
    expect(decodeLabel({ label: 'H1', sublabel: null, text: ' \r\n' })).toEqual({ kind: 'none' });
  });

  it('is none when the library decodes nothing (a real Southwest H1 performance report)', () => {
    const ms = withText('7T217,8560,B737-800,260201,WN4899');
    expect(ms.length).toBe(2);
    for (const m of ms) expect(decodeLabel(m)).toEqual({ kind: 'none' });
  });
});

describe('real messages the library decodes', () => {
  it('reads the ARINC squitter of the Albuquerque ground station (label SQ), every copy alike', () => {
    const ms = withText('02XAABQKABQ13502N10637WV136975/ARINC');
    expect(ms.length).toBe(31);
    for (const m of ms) {
      const d = decoded(decodeLabel(m));
      expect(d.decoder).toBe('label-sq');
      expect(d.level).toBe('full');
      expect(d.raw).toMatchObject({
        network: 'A',
        groundStation: { iataCode: 'ABQ', icaoCode: 'KABQ', coordinates: { latitude: 35.02, longitude: -106.37 } },
        vdlFrequency: 136.975,
      });
      expect(d.items.length).toBeGreaterThan(0);
      for (const item of d.items) expect(typeof item.value).toBe('string');
    }
  });

  it('reads an ARINC 702 position report (label H1, "POSN34261W108337")', () => {
    const [m, ...rest] = withText('POSN34261W108337');
    expect(rest).toEqual([]);
    expect(m!.label).toBe('H1');
    const d = decoded(decodeLabel(m!));
    expect(d.decoder).toBe('arinc-702');
    expect(d.raw.position).toEqual({ latitude: 34.435, longitude: expect.closeTo(-108.56167, 4) });
    expect(d.raw.altitude).toBe(30100);
    expect(d.description).not.toBeNull();
  });

  it('gives raw as plain JSON data for every corpus decoding', () => {
    let n = 0;
    for (const m of textBearing) {
      const r = decodeLabel(m);
      if (r.kind !== 'decoded') continue;
      n++;
      expect(JSON.parse(JSON.stringify(r.value))).toEqual(r.value);
      expect(Object.getPrototypeOf(r.value.raw)).toBe(Object.prototype);
    }
    expect(n).toBeGreaterThan(300);
  });
});

describe('the library throwing', () => {
  // Found by feeding the library's own labels odd texts: these make @airframes/acars-decoder
  // 1.9.1 throw a TypeError from inside a plugin. No corpus message does.
  it.each([
    ['13', '///'],
    ['5Z', '/ET '],
    ['4T', 'ETA01//'],
  ])('is reported as failed, not thrown (label %s, text %j)', (label, text) => {
    const r = decodeLabel({ label, sublabel: null, text });
    expect(r.kind).toBe('failed');
    if (r.kind === 'failed') expect(r.error).toMatch(/^Cannot read properties of undefined/);
  });

  it('leaves the decoder usable after a failure', () => {
    expect(decodeLabel({ label: '13', sublabel: null, text: '///' }).kind).toBe('failed');
    const [m] = withText('POSN34261W108337');
    expect(decoded(decodeLabel(m!)).decoder).toBe('arinc-702');
  });

  it('reports a thrown non-Error by its text', () => {
    vi.spyOn(MessageDecoder.prototype, 'decode').mockImplementationOnce(() => {
      throw 'plugin gave up';
    });
    expect(decodeLabel({ label: 'H1', sublabel: null, text: 'X' })).toEqual({ kind: 'failed', error: 'plugin gave up' });
  });
});

describe('raw that is not plain data', () => {
  class Waypoint {
    constructor(
      public name: string,
      public latitude: number,
    ) {}
    describe(): string {
      return this.name;
    }
  }

  it('is converted: Dates, Maps, Sets, class instances, bigints; functions, undefined, NaN and cycles dropped', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const shared = { a: 1 };
    const raw: Record<string, unknown> = {
      when: new Date(Date.UTC(2026, 1, 2, 0, 7, 54)),
      invalidDate: new Date(Number.NaN),
      waypoint: new Waypoint('TMALE', 34.4),
      byName: new Map<unknown, unknown>([
        ['KABQ', 1],
        [7, new Set(['x', 'y'])],
      ]),
      bytes: new Uint8Array([1, 2]),
      big: 12n,
      huge: 2n ** 70n,
      fn: () => 1,
      missing: undefined,
      sym: Symbol('s'),
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      list: [1, undefined, () => 2, Number.NaN, 'ok'],
      cyclic,
      twice: [shared, shared],
    };
    vi.spyOn(MessageDecoder.prototype, 'decode').mockReturnValueOnce({
      decoded: true,
      decoder: { name: 'fake', type: 'pattern-match', decodeLevel: 'partial' },
      formatted: { description: '', items: [{ type: 't', code: 'C', label: 'L', value: 42 as unknown as string }] },
      raw,
      remaining: {},
    });
    const d = decoded(decodeLabel({ label: 'H1', sublabel: 'DF', text: 'anything' }));
    expect(d).toEqual({
      decoder: 'fake',
      level: 'partial',
      description: null,
      items: [{ type: 't', code: 'C', label: 'L', value: '42' }],
      raw: {
        when: '2026-02-02T00:07:54.000Z',
        invalidDate: null,
        waypoint: { name: 'TMALE', latitude: 34.4 },
        byName: { KABQ: 1, '7': ['x', 'y'] },
        bytes: [1, 2],
        big: 12,
        huge: '1180591620717411303424',
        nan: null,
        inf: null,
        list: [1, null, null, null, 'ok'],
        cyclic: { name: 'loop' },
        twice: [{ a: 1 }, { a: 1 }],
      },
      remaining: null,
    });
    expect(JSON.parse(JSON.stringify(d.raw))).toEqual(d.raw);
  });

  it('passes the sublabel to the library only when there is one', () => {
    const spy = vi.spyOn(MessageDecoder.prototype, 'decode');
    decodeLabel({ label: 'H1', sublabel: 'DF', text: 'A' });
    decodeLabel({ label: 'H1', sublabel: null, text: 'B' });
    expect(spy.mock.calls[0]![0]).toEqual({ label: 'H1', sublabel: 'DF', text: 'A' });
    expect(spy.mock.calls[1]![0]).toEqual({ label: 'H1', text: 'B' });
  });
});

describe('structured share over the whole corpus', () => {
  it('counts text-bearing ACARS messages with data from the decoders, from label decoding, or either', () => {
    let payload = 0;
    let label = 0;
    let either = 0;
    let failed = 0;
    for (const m of textBearing) {
      const r = decodeLabel(m);
      if (r.kind === 'failed') failed++;
      const p = m.decoded !== null;
      const l = r.kind === 'decoded';
      if (p) payload++;
      if (l) label++;
      if (p || l) either++;
    }
    // Measured: 649 messages; 22 with decoder payloads, 333 label-decoded, 355 either (54.7%).
    expect(textBearing.length).toBe(649);
    expect(failed).toBe(0);
    expect(payload / textBearing.length).toBeGreaterThanOrEqual(0.03);
    expect(label / textBearing.length).toBeGreaterThanOrEqual(0.5);
    expect(either / textBearing.length).toBeGreaterThanOrEqual(0.54);
  });
});
