/** Rejects (never exceptions), the receive-time fallback, and the listener-type hint. */

import { describe, expect, it } from 'vitest';
import { normalizeFrame } from '../../src/decode/normalize.js';
import type { DecoderType, NormalizeResult } from '../../src/decode/message.js';
import { readCorpusFrames } from '../helpers/corpus.js';

const RECEIVED_MS = 1_769_990_000_123;

function reject(value: unknown): { reason: string; detail: string } {
  const r = normalizeFrame(value, null, RECEIVED_MS);
  if (r.ok) throw new Error('expected a reject');
  return r;
}

function ok(value: unknown, hint: DecoderType | null = null): Extract<NormalizeResult, { ok: true }> {
  const r = normalizeFrame(value, hint, RECEIVED_MS);
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r;
}

describe('rejects', () => {
  it.each([[42], ['a string'], [null], [true], [[{ vdl2: {} }]]])('%j is not an object', (v) => {
    expect(reject(v).reason).toBe('not-object');
  });

  it.each([[{}], [{ foo: 1 }], [{ message: 'hello', level: 3 }], [{ channel: 2, freq: 131.55 }], [{ source: { app: { name: 'other' } } }]])(
    '%j is an unknown format',
    (v) => {
      const r = reject(v);
      expect(r.reason).toBe('unknown-format');
      expect(r.detail.length).toBeGreaterThan(0);
    },
  );

  it('rejects a dumpvdl2 frame whose t.sec is a string, naming the field', () => {
    const frame = JSON.parse(readCorpusFrames('acars-router/vdlm2_other.jsonl')[0] as string) as { vdl2: { t: { sec: unknown } } };
    frame.vdl2.t.sec = '1641834946';
    const r = reject(frame);
    expect(r.reason).toBe('invalid-field');
    expect(r.detail).toContain('vdl2.t.sec');
  });

  it.each([
    ['dumpvdl2 without an object', { vdl2: 5 }, 'vdl2'],
    ['dumpvdl2 avlc not an object', { vdl2: { t: { sec: 1, usec: 0 }, avlc: 'I' } }, 'vdl2.avlc'],
    ['dumpvdl2 acars not an object', { vdl2: { t: { sec: 1, usec: 0 }, avlc: { acars: [] } } }, 'vdl2.avlc.acars'],
    ['dumphfdl usec out of range', { hfdl: { t: { sec: 1769991933, usec: 2_000_000 } } }, 'hfdl.t.usec'],
    ['dumphfdl negative time', { hfdl: { t: { sec: -5, usec: 0 } } }, 'hfdl.t.sec'],
    ['acarsdec timestamp text', { timestamp: 'yesterday', label: 'H1' }, 'timestamp'],
    ['SatDump timestamp object', { msg_name: 'ACARS', timestamp: { sec: 1 } }, 'timestamp'],
    ['JAERO isu not an object', { app: { name: 'JAERO' }, isu: 'x', t: { sec: 1, usec: 0 } }, 'isu'],
    ['iridium timestamp not ISO', { acars: { timestamp: '14/04/2024 01:45' } }, 'acars.timestamp'],
    ['iridium without its acars object', { source: { transport: 'iridium', protocol: 'acars' }, acars: 'x' }, 'acars'],
  ])('%s is an invalid field', (_name, frame, field) => {
    const r = reject(frame);
    expect(r.reason).toBe('invalid-field');
    expect(r.detail).toContain(field + ':');
  });
});

describe('missing time', () => {
  it('falls back to the receive time for every family', () => {
    const frames: unknown[] = [
      { label: 'H1', block_id: '1', text: 'x' },
      { vdl2: { avlc: { frame_type: 'S', src: { addr: 'ABCDEF', type: 'Aircraft' }, dst: { addr: '10214A', type: 'Ground station' } } } },
      { hfdl: { spdu: { src: { type: 'Ground station', id: 1 } } } },
      { msg_name: 'Unknown' },
      { app: { name: 'JAERO' }, isu: {} },
      { acars: { link_direction: 'downlink', label: '_d' } },
    ];
    for (const f of frames) expect(ok(f).message.time).toBe(RECEIVED_MS / 1000);
  });
});

describe('listener hint', () => {
  const hfdlFrame = (): unknown => JSON.parse(readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl')[0] as string);
  const other = readCorpusFrames('acars-router/acars_other.jsonl');
  // {"timestamp":1611612191.3944161,...,"icao":11363733,"toaddr":1057098,...,"msgno":"S06A"}
  const vdlm2dec = (): unknown => JSON.parse(other.find((s) => s.includes('"msgno":"S06A"')) as string);
  // {"timestamp":1611612207.2800119,"station_id":"CS-KABQ-ACARS",...,"msgno":"S63A"}: no decoder sign at all
  const bareFlat = (): Record<string, unknown> => JSON.parse(other.find((s) => s.includes('"msgno":"S63A"')) as string);

  it('trusts the shape: an HFDL frame on an ACARS listener is HFDL, flagged', () => {
    const r = ok(hfdlFrame(), 'ACARS');
    expect(r.message.type).toBe('HFDL');
    expect(r.typeMismatch).toBe(true);
  });

  it('no hint is never a mismatch', () => {
    expect(ok(hfdlFrame(), null).typeMismatch).toBe(false);
  });

  it('a vdlm2dec frame on a VDL-M2 listener is VDL-M2 without mismatch', () => {
    const r = ok(vdlm2dec(), 'VDL-M2');
    expect(r.message.type).toBe('VDL-M2');
    expect(r.typeMismatch).toBe(false);
  });

  it('a vdlm2dec frame (integer icao) on an ACARS listener is still VDL-M2, flagged', () => {
    const r = ok(vdlm2dec(), 'ACARS');
    expect(r.message.type).toBe('VDL-M2');
    expect(r.typeMismatch).toBe(true);
  });

  it('a flat frame with no decoder sign takes the VDL-M2 listener at its word, else is ACARS', () => {
    expect(ok(bareFlat(), 'VDL-M2')).toMatchObject({ typeMismatch: false, message: { type: 'VDL-M2' } });
    expect(ok(bareFlat(), 'ACARS')).toMatchObject({ typeMismatch: false, message: { type: 'ACARS' } });
    expect(ok(bareFlat(), null)).toMatchObject({ typeMismatch: false, message: { type: 'ACARS' } });
    expect(ok(bareFlat(), 'HFDL')).toMatchObject({ typeMismatch: true, message: { type: 'ACARS' } });
  });

  it('app.name acarsdec rules VDL-M2 out', () => {
    const f = bareFlat();
    f.app = { name: 'acarsdec', ver: 'v4.4.1' };
    expect(ok(f, 'VDL-M2')).toMatchObject({ typeMismatch: true, message: { type: 'ACARS', decoder: 'acarsdec v4.4.1' } });
  });
});
