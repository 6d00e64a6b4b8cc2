/**
 * Every real frame of the shared corpus, and every hand-written fixture, normalizes. The expected
 * type, time, ACARS split and direction of each frame are derived from the raw frame itself
 * (not from normalizeFrame), and the family totals are pinned to the counts of corpus/README.md
 * and to what the captures contain.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeFrame } from '../../src/decode/normalize.js';
import type { DecoderType, Message } from '../../src/decode/message.js';
import { readCorpusFrames, splitFrames } from '../helpers/corpus.js';

/** Reads a nested value of a raw frame (undefined when any step is missing). */
function at(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
const n = (v: unknown): number => v as number;

const RECEIVED_MS = 1_800_000_000_000;

function normalizeAll(frames: string[], hint: DecoderType | null): { raw: unknown; m: Message; mismatch: boolean }[] {
  return frames.map((s) => {
    const raw: unknown = JSON.parse(s);
    const r = normalizeFrame(JSON.parse(s), hint, RECEIVED_MS);
    if (!r.ok) throw new Error(`rejected (${r.reason}: ${r.detail}): ${s.slice(0, 200)}`);
    return { raw, m: r.message, mismatch: r.typeMismatch };
  });
}

function count<T>(items: T[], pred: (x: T) => boolean): number {
  let n = 0;
  for (const x of items) if (pred(x)) n++;
  return n;
}

/** Keys that are always mapped to a column and so must never remain in `extra`. */
const MAPPED_KEYS = ['t', 'timestamp', 'sig_level', 'noise_level', 'msg_text', 'reg', 'label', 'station', 'station_id', 'proxied', 'acars_router_uuid'];

function keysDeep(o: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(o)) for (const x of o) keysDeep(x, out);
  else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      out.add(k);
      keysDeep(v, out);
    }
  }
  return out;
}

function expectCommon(rows: { raw: unknown; m: Message }[], type: DecoderType, rawTime: (raw: unknown) => number): void {
  for (const { raw, m } of rows) {
    expect(m.type).toBe(type);
    expect(Number.isFinite(m.time)).toBe(true);
    expect(m.time).toBe(rawTime(raw));
    if (m.extra !== null) {
      const keys = keysDeep(m.extra, new Set());
      for (const k of MAPPED_KEYS) expect(keys.has(k), `extra still has ${k}`).toBe(false);
      expect(Object.keys(m.extra).length).toBeGreaterThan(0);
    }
    // Non-ACARS frames say what they are; ACARS frames have a label.
    if (m.isAcars) {
      expect(m.frameKind).toBeNull();
      expect(m.label).not.toBeNull();
    } else {
      expect(m.frameKind).not.toBeNull();
    }
  }
}

const secUsec = (t: unknown): number => n(at(t, 'sec')) + n(at(t, 'usec')) / 1e6;

describe('acarsdec corpus (ACARS)', () => {
  for (const file of ['acarshub-kabq/raw-acars-messages.jsonl', 'acars-router/acars.jsonl']) {
    it(`${file}: every frame is an ACARS message`, () => {
      const rows = normalizeAll(readCorpusFrames(file), 'ACARS');
      expect(rows.length).toBe(file.startsWith('acarshub') ? 610 : 17);
      expectCommon(rows, 'ACARS', (raw) => n(at(raw, 'timestamp')));
      for (const { raw, m, mismatch } of rows) {
        expect(mismatch).toBe(false);
        expect(m.isAcars).toBe(true);
        expect(m.freq).toBe(at(raw, 'freq'));
        // ACARS block-id rule, derived from the raw frame.
        const bid = at(raw, 'block_id') as string | undefined;
        const expected = bid === undefined ? (at(raw, 'label') === 'SQ' ? 'uplink' : null) : bid >= '0' && bid <= '9' ? 'downlink' : 'uplink';
        expect(m.direction).toBe(expected);
        // acarsdec's `false` ack is its spelling of NAK.
        expect(m.ack).toBe(at(raw, 'ack') === false ? '!' : (at(raw, 'ack') ?? null));
      }
    });
  }

  it('KABQ acarsdec: 405 downlinks, 205 uplinks (161 of them SQ squitters)', () => {
    const rows = normalizeAll(readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl'), null);
    expect(count(rows, (r) => r.m.direction === 'downlink')).toBe(405);
    expect(count(rows, (r) => r.m.direction === 'uplink')).toBe(205);
    expect(count(rows, (r) => r.m.label === 'SQ')).toBe(161);
    expect(count(rows, (r) => r.m.ack === '!')).toBe(342);
    // The router's proxy metadata is dropped; the decoder identity is kept.
    for (const { m } of rows) {
      expect(m.decoder).toBe('acarsdec v4.4.1');
      expect(m.extra).toEqual({ assstat: expect.any(String) });
    }
  });
});

describe('acars_other: acarsdec and vdlm2dec mixed (flat)', () => {
  const frames = readCorpusFrames('acars-router/acars_other.jsonl');

  it('splits by shape: integer icao means vdlm2dec (VDL-M2), the rest is acarsdec (ACARS)', () => {
    const rows = normalizeAll(frames, 'ACARS');
    expect(rows.length).toBe(14);
    for (const { raw, m, mismatch } of rows) {
      const isVdl = typeof at(raw, 'icao') === 'number';
      expect(m.type).toBe(isVdl ? 'VDL-M2' : 'ACARS');
      expect(mismatch).toBe(isVdl);
      expect(m.time).toBe(at(raw, 'timestamp'));
      expect(m.isAcars).toBe(typeof at(raw, 'label') === 'string');
      if (!m.isAcars) expect(m.frameKind).toBe('avlc');
    }
    expect(count(rows, (r) => r.m.type === 'VDL-M2')).toBe(9);
    expect(count(rows, (r) => r.m.type === 'VDL-M2' && !r.m.isAcars)).toBe(4);
  });
});

describe('dumpvdl2 corpus (VDL-M2)', () => {
  it('KABQ: 399 frames, 209 ACARS, 173 S-frames and 17 XID frames without ACARS', () => {
    const rows = normalizeAll(readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl'), 'VDL-M2');
    expect(rows.length).toBe(399);
    expectCommon(rows, 'VDL-M2', (raw) => secUsec(at(raw, 'vdl2', 't')));
    for (const { raw, m, mismatch } of rows) {
      expect(mismatch).toBe(false);
      expect(m.isAcars).toBe(at(raw, 'vdl2', 'avlc', 'acars') !== undefined);
      expect(m.freq).toBe(n(at(raw, 'vdl2', 'freq')) / 1e6);
      expect(m.direction).toBe(at(raw, 'vdl2', 'avlc', 'src', 'type') === 'Aircraft' ? 'downlink' : 'uplink');
      expect(m.error).toBe(n(at(raw, 'vdl2', 'hdr_bits_fixed')) + n(at(raw, 'vdl2', 'octets_corrected_by_fec')));
      expect(m.decoder).toBe('dumpvdl2 2.5.1-dirty');
      expect(m.icao).not.toBeNull(); // every KABQ frame has an aircraft on one end
    }
    expect(count(rows, (r) => r.m.isAcars)).toBe(209);
    expect(count(rows, (r) => r.m.frameKind === 'avlc:S')).toBe(173);
    expect(count(rows, (r) => r.m.frameKind === 'avlc:XID')).toBe(17);
    expect(count(rows, (r) => r.m.direction === 'uplink')).toBe(1);
    expect(count(rows, (r) => r.m.direction === 'downlink')).toBe(398);
    expect(count(rows, (r) => r.m.more === true)).toBe(34);
    expect(count(rows, (r) => r.m.decoded !== null)).toBe(15); // arinc622 (CPDLC)
    expect(count(rows, (r) => r.m.lat !== null)).toBe(6); // XID ac_location
  });

  it('acars-router vdlm2.jsonl: 10 ground-station XID broadcasts, no aircraft address', () => {
    const rows = normalizeAll(readCorpusFrames('acars-router/vdlm2.jsonl'), 'VDL-M2');
    expect(rows.length).toBe(10);
    expectCommon(rows, 'VDL-M2', (raw) => secUsec(at(raw, 'vdl2', 't')));
    for (const { m } of rows) {
      expect(m.frameKind).toBe('avlc:XID');
      expect(m.direction).toBe('uplink');
      expect(m.dstAddr).toBe('FFFFFF');
      expect(m.icao).toBeNull();
    }
  });

  it('acars-router vdlm2_other.jsonl: 8 ACARS downlinks and one S-frame', () => {
    const rows = normalizeAll(readCorpusFrames('acars-router/vdlm2_other.jsonl'), 'VDL-M2');
    expect(rows.length).toBe(9);
    expectCommon(rows, 'VDL-M2', (raw) => secUsec(at(raw, 'vdl2', 't')));
    expect(count(rows, (r) => r.m.isAcars)).toBe(8);
    expect(count(rows, (r) => r.m.frameKind === 'avlc:S')).toBe(1);
    expect(count(rows, (r) => r.m.direction === 'downlink')).toBe(9);
  });
});

describe('dumphfdl corpus (HFDL)', () => {
  it('KABQ: 421 frames, 191 ACARS, 63 squitters, 99 logon confirms', () => {
    const rows = normalizeAll(readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl'), 'HFDL');
    expect(rows.length).toBe(421);
    expectCommon(rows, 'HFDL', (raw) => secUsec(at(raw, 'hfdl', 't')));
    for (const { raw, m, mismatch } of rows) {
      expect(mismatch).toBe(false);
      const lpdu = at(raw, 'hfdl', 'lpdu');
      expect(m.isAcars).toBe(at(lpdu, 'hfnpdu', 'acars') !== undefined);
      expect(m.freq).toBe(n(at(raw, 'hfdl', 'freq')) / 1e6);
      const srcType = lpdu === undefined ? 'Ground station' : at(lpdu, 'src', 'type');
      expect(m.direction).toBe(srcType === 'Aircraft' ? 'downlink' : 'uplink');
      // Aircraft ids are per-ground-station numbers, never an ICAO address.
      if (lpdu !== undefined) expect(m.srcAddr).toBe(String(at(lpdu, 'src', 'id')));
      const ac = at(lpdu, 'ac_info', 'icao') ?? at(lpdu, 'src', 'ac_info', 'icao') ?? at(lpdu, 'dst', 'ac_info', 'icao') ?? null;
      expect(m.icao).toBe(ac);
    }
    expect(count(rows, (r) => r.m.isAcars)).toBe(191);
    expect(count(rows, (r) => r.m.isAcars && r.m.direction === 'uplink')).toBe(163);
    expect(count(rows, (r) => r.m.isAcars && r.m.direction === 'downlink')).toBe(28);
    expect(count(rows, (r) => r.m.frameKind === 'hfdl:spdu')).toBe(63);
    expect(count(rows, (r) => r.m.frameKind === 'hfdl:lpdu:Logon confirm')).toBe(99);
    expect(count(rows, (r) => r.m.frameKind === 'hfdl:lpdu:Logoff request')).toBe(14);
    expect(count(rows, (r) => r.m.frameKind === 'hfdl:lpdu:Logon resume:Frequency data')).toBe(19);
    expect(count(rows, (r) => r.m.frameKind === 'hfdl:lpdu:Logon request (DLS):Frequency data')).toBe(13);
    expect(count(rows, (r) => r.m.frameKind === 'hfdl:lpdu:Unnumbered data:Performance data')).toBe(22);
    expect(count(rows, (r) => r.m.direction === 'uplink')).toBe(339);
    expect(count(rows, (r) => r.m.direction === 'downlink')).toBe(82);
    // 54 frames carry hfnpdu.pos; 10 of them are dumphfdl's 180/180 "no position".
    expect(count(rows, (r) => r.m.lat !== null)).toBe(44);
    expect(count(rows, (r) => r.m.icao !== null)).toBe(310);
  });
});

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const fixture = (name: string): string[] => splitFrames(readFileSync(fixturesDir + name, 'utf8'));

describe('hand-written fixtures (IMS-L, IRDM)', () => {
  it('imsl-satdump.jsonl', () => {
    const rows = normalizeAll(fixture('imsl-satdump.jsonl'), 'IMS-L');
    expect(rows.length).toBe(5);
    expectCommon(rows, 'IMS-L', (raw) => n(at(raw, 'timestamp')));
    for (const { raw, m, mismatch } of rows) {
      expect(mismatch).toBe(false);
      expect(m.isAcars).toBe(at(raw, 'msg_name') === 'ACARS');
    }
  });

  it('imsl-jaero.jsonl', () => {
    const rows = normalizeAll(fixture('imsl-jaero.jsonl'), 'IMS-L');
    expect(rows.length).toBe(3);
    expectCommon(rows, 'IMS-L', (raw) => secUsec(at(raw, 't')));
    for (const { raw, m } of rows) expect(m.isAcars).toBe(at(raw, 'isu', 'acars') !== undefined);
  });

  it('irdm-iridium-toolkit.jsonl', () => {
    const rows = normalizeAll(fixture('irdm-iridium-toolkit.jsonl'), 'IRDM');
    expect(rows.length).toBe(4);
    for (const { raw, m, mismatch } of rows) {
      expect(mismatch).toBe(false);
      expect(m.type).toBe('IRDM');
      expect(m.isAcars).toBe(true);
      expect(m.direction).toBe(at(raw, 'acars', 'link_direction'));
      expect(m.more).toBe(!at(raw, 'acars', 'block_end'));
      // Date.parse of the string made explicitly UTC, independent of the parser under test.
      const iso = at(raw, 'acars', 'timestamp') as string;
      expect(m.time).toBe(Date.parse(iso.endsWith('Z') ? iso : iso + 'Z') / 1000);
    }
  });
});
