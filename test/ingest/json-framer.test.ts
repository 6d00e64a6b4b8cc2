import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JsonFramer, type FramerRejectReason } from '../../src/ingest/json-framer.js';

const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

interface Collected {
  frames: string[];
  rejects: { reason: FramerRejectReason; text: string; size: number }[];
}

function framer(max = 65536): { f: JsonFramer; out: Collected } {
  const out: Collected = { frames: [], rejects: [] };
  const f = new JsonFramer(max, {
    frame: (b) => out.frames.push(Buffer.from(b).toString('latin1')),
    reject: (reason, b, size) => out.rejects.push({ reason, text: Buffer.from(b).toString('latin1'), size }),
  });
  return { f, out };
}

function feed(input: string, chunkSizes: number[] | number = Infinity, max?: number): Collected {
  const { f, out } = framer(max);
  const buf = Buffer.from(input, 'latin1');
  let o = 0;
  let k = 0;
  while (o < buf.length) {
    const size = Array.isArray(chunkSizes) ? chunkSizes[k++ % chunkSizes.length]! : chunkSizes;
    f.push(buf.subarray(o, Math.min(buf.length, o + size)));
    o += size;
  }
  f.end();
  return out;
}

describe('JsonFramer', () => {
  it('cuts newline-delimited, blank-line separated and glued objects', () => {
    const out = feed('{"a":1}\n\n{"b":"x}{y"}{"c":[{"d":2}]}\r\n  {"e":"q\\"}"}');
    expect(out.frames).toEqual(['{"a":1}', '{"b":"x}{y"}', '{"c":[{"d":2}]}', '{"e":"q\\"}"}']);
    expect(out.rejects).toEqual([]);
  });

  it('finds the same frames whatever the read boundaries', () => {
    const text = readFileSync(corpus + 'acarshub-kabq/raw-hfdl-messages.jsonl', 'latin1');
    const whole = feed(text);
    expect(whole.frames).toHaveLength(421);
    expect(whole.rejects).toEqual([]);
    for (const sizes of [1, 2, 7, 1000, [3, 1, 500, 8192]]) {
      expect(feed(text, sizes).frames).toEqual(whole.frames);
    }
    for (const f of whole.frames) expect(() => JSON.parse(f)).not.toThrow();
  });

  it('keeps an escaped backslash split across two reads', () => {
    const input = '{"t":"a\\\\"}{"u":"\\""}';
    for (let cut = 1; cut < input.length; cut++) {
      const out = feed(input, [cut, 1000]);
      expect(out.frames, `cut at ${cut}`).toEqual(['{"t":"a\\\\"}', '{"u":"\\""}']);
    }
  });

  it('rejects an object cut off inside a string and resynchronizes on the newline', () => {
    const out = feed('{"text":"cut here\n{"ok":1}\n');
    expect(out.frames).toEqual(['{"ok":1}']);
    expect(out.rejects).toEqual([{ reason: 'truncated', text: '{"text":"cut here', size: 17 }]);
  });

  it('rejects an object cut off between values when the next object starts', () => {
    const out = feed('{"a":1,"b":{"c":2\n{"ok":true}{"x":{"y":1}}');
    expect(out.frames).toEqual(['{"ok":true}', '{"x":{"y":1}}']);
    expect(out.rejects.map((r) => r.reason)).toEqual(['truncated']);
    expect(out.rejects[0]!.text).toBe('{"a":1,"b":{"c":2\n');
  });

  it('rejects an object cut off right after a comma or colon, glued or on its own line', () => {
    for (const cut of ['{"a":1,', '{"a":{"b":', '{"a":[1,2', '{"a":1,"b":']) {
      for (const sep of ['', '\n', '\r\n']) {
        const out = feed(`${cut}${sep}{"ok":1}\n{"ok":2}`);
        // Glued straight after a colon, the next object is a valid nested value: only the
        // following line can show the cut.
        const ambiguous = cut.endsWith(':') && sep === '';
        expect(out.frames, JSON.stringify(cut + sep)).toEqual(ambiguous ? ['{"ok":2}'] : ['{"ok":1}', '{"ok":2}']);
        expect(out.rejects.map((r) => r.reason)).toEqual(['truncated']);
      }
    }
  });

  it('keeps nested objects in arrays and pretty-printed objects whole', () => {
    const pretty = '{\n  "a": {\n    "b": [\n      {"c": 1},\n      {"d": 2}\n    ]\n  },\n  "e":\n    {"f": 3}\n}';
    expect(feed(pretty + '\n' + pretty).frames).toEqual([pretty, pretty]);
  });

  it('rejects an object left unfinished at the end of a datagram', () => {
    const out = feed('{"a":"1024 bytes and then noth');
    expect(out.frames).toEqual([]);
    expect(out.rejects).toEqual([{ reason: 'truncated', text: '{"a":"1024 bytes and then noth', size: 30 }]);
  });

  it('rejects bytes outside objects as garbage, without losing the next frame', () => {
    const out = feed('hello\n{"a":1}xyz{"b":2}');
    expect(out.frames).toEqual(['{"a":1}', '{"b":2}']);
    expect(out.rejects.map((r) => [r.reason, r.text])).toEqual([
      ['garbage', 'hello'],
      ['garbage', 'xyz'],
    ]);
  });

  it('passes non-UTF-8 bytes through unchanged for the decoder to judge', () => {
    const { f, out } = framer();
    const bytes = Buffer.concat([Buffer.from('{"t":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    f.push(bytes);
    f.end();
    expect(out.frames).toHaveLength(1);
    expect(Buffer.from(out.frames[0]!, 'latin1').equals(bytes)).toBe(true);
  });

  it('rejects an oversize object, keeps only its head, and finds the frames after it', () => {
    const big = '{"text":"' + 'x'.repeat(5000) + '","n":{"m":[1,2,{"k":"}"}]}}';
    for (const sizes of [Infinity, 100, 1]) {
      const { f, out } = framer(1024);
      const buf = Buffer.from(big + '\n{"after":1}' + big.slice(0, 3000) + '\n{"after":2}', 'latin1');
      let max = 0;
      for (let o = 0; o < buf.length; o += sizes === Infinity ? buf.length : sizes) {
        f.push(buf.subarray(o, Math.min(buf.length, o + (sizes === Infinity ? buf.length : sizes))));
        max = Math.max(max, f.bufferedBytes);
      }
      f.end();
      expect(out.frames).toEqual(['{"after":1}', '{"after":2}']);
      expect(out.rejects.map((r) => [r.reason, r.text.length, r.size])).toEqual([
        ['oversize', 1024, big.length],
        ['oversize', 1024, 3000],
      ]);
      expect(max).toBeLessThanOrEqual(1024);
    }
  });

  it('accepts a frame of exactly the maximum size', () => {
    const frame = '{"t":"' + 'y'.repeat(1024 - 8) + '"}';
    expect(frame.length).toBe(1024);
    expect(feed(frame, Infinity, 1024).frames).toEqual([frame]);
    expect(feed(frame + ' ', Infinity, 1023).rejects.map((r) => r.reason)).toEqual(['oversize']);
  });

  it('never spins or grows on endless garbage', () => {
    const { f, out } = framer(1024);
    const junk = Buffer.alloc(10_000, 0x41);
    for (let k = 0; k < 100; k++) f.push(junk);
    expect(f.bufferedBytes).toBeLessThanOrEqual(1024);
    f.push(Buffer.from('\n{"ok":1}'));
    f.end();
    expect(out.frames).toEqual(['{"ok":1}']);
    expect(out.rejects).toHaveLength(1);
    expect(out.rejects[0]).toMatchObject({ reason: 'garbage', size: 1_000_000 });
  });
});
